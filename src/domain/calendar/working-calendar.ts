import { addDays, dayOfWeek, IsoDate, yearOf } from './dates';

/** One year of the State Council holiday arrangement (国务院办公厅关于部分节假日安排的通知). */
export interface CalendarYear {
  year: number;
  /** Days off: statutory holidays and the days bridged to them, weekends included. */
  holidays: IsoDate[];
  /** 调休 make-up working days that fall on a weekend. */
  makeUpWorkdays: IsoDate[];
  /** Where the data comes from, e.g. 国办发明电〔2024〕12号 or chinese-days. */
  source: string;
}

/**
 * Fixed-date statutory holidays (全国年节及纪念日放假办法): the only ones that can be assumed
 * for a year whose arrangement has not been published; lunar holidays cannot be guessed (D11).
 */
export const FIXED_DATE_HOLIDAYS = ['01-01', '05-01', '05-02', '10-01', '10-02', '10-03'];

export interface WorkingDayResult {
  date: IsoDate;
  /** True when any day counted falls in a year without a loaded calendar (D11). */
  provisional: boolean;
}

export interface IntervalCount {
  count: number;
  provisional: boolean;
}

/** Safety bound on loops: no statutory period in this system comes near 10 years. */
const MAX_SCAN_DAYS = 3660;

export class WorkingCalendar {
  private readonly holidays = new Map<IsoDate, true>();
  private readonly makeUpWorkdays = new Map<IsoDate, true>();
  private readonly years = new Map<number, CalendarYear>();

  constructor(years: CalendarYear[]) {
    for (const y of years) {
      this.years.set(y.year, y);
    }
    for (const y of this.years.values()) {
      for (const d of y.holidays) this.holidays.set(d, true);
      for (const d of y.makeUpWorkdays) this.makeUpWorkdays.set(d, true);
    }
  }

  isLoaded(year: number): boolean {
    return this.years.has(year);
  }

  yearInfo(year: number): CalendarYear | undefined {
    return this.years.get(year);
  }

  loadedYears(): number[] {
    return [...this.years.keys()].sort((a, b) => a - b);
  }

  isProvisional(date: IsoDate): boolean {
    return !this.years.has(yearOf(date));
  }

  /** Monday–Friday, minus statutory holidays, plus 调休 make-up working days (D10). */
  isWorkingDay(date: IsoDate): boolean {
    if (this.isProvisional(date)) {
      const dow = dayOfWeek(date);
      return dow !== 0 && dow !== 6 && !FIXED_DATE_HOLIDAYS.includes(date.slice(5));
    }
    if (this.makeUpWorkdays.has(date)) return true;
    if (this.holidays.has(date)) return false;
    const dow = dayOfWeek(date);
    return dow !== 0 && dow !== 6;
  }

  /**
   * The Nth working day after `start`: day 1 is the first working day after the start date
   * (Civil Code Art. 201), and the Nth is the last permitted day (D10). n = 0 returns start.
   */
  addWorkingDays(start: IsoDate, n: number): WorkingDayResult {
    if (!Number.isInteger(n) || n < 0) throw new RangeError(`working days must be a non-negative integer: ${n}`);
    let date = start;
    let provisional = false;
    let counted = 0;
    for (let i = 0; counted < n; i++) {
      if (i > MAX_SCAN_DAYS) throw new RangeError(`no ${n} working days found after ${start}`);
      date = addDays(date, 1);
      if (this.isWorkingDay(date)) {
        counted++;
        provisional ||= this.isProvisional(date);
      } else {
        provisional ||= this.isProvisional(date);
      }
    }
    return { date, provisional };
  }

  /** Working days in the half-open interval (from, to] (D14). Zero when to <= from. */
  countWorkingDays(from: IsoDate, to: IsoDate): IntervalCount {
    let count = 0;
    let provisional = false;
    let date = from;
    for (let i = 0; date < to; i++) {
      if (i > MAX_SCAN_DAYS) throw new RangeError(`interval too long: ${from}..${to}`);
      date = addDays(date, 1);
      provisional ||= this.isProvisional(date);
      if (this.isWorkingDay(date)) count++;
    }
    return { count, provisional };
  }

  /** Weekday dates in (from, to] that are not working days: what a due date skipped. */
  skippedWeekdays(from: IsoDate, to: IsoDate): IsoDate[] {
    const skipped: IsoDate[] = [];
    let date = from;
    for (let i = 0; date < to && i <= MAX_SCAN_DAYS; i++) {
      date = addDays(date, 1);
      const dow = dayOfWeek(date);
      if (dow !== 0 && dow !== 6 && !this.isWorkingDay(date)) skipped.push(date);
    }
    return skipped;
  }

  /** Weekend dates in (from, to] that are make-up working days. */
  makeUpDaysBetween(from: IsoDate, to: IsoDate): IsoDate[] {
    const found: IsoDate[] = [];
    let date = from;
    for (let i = 0; date < to && i <= MAX_SCAN_DAYS; i++) {
      date = addDays(date, 1);
      const dow = dayOfWeek(date);
      if ((dow === 0 || dow === 6) && this.isWorkingDay(date)) found.push(date);
    }
    return found;
  }
}
