import { fromDayNumber, IsoDate, toDayNumber, yearOf } from './dates';

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
  private readonly years = new Map<number, CalendarYear>();
  // The loops below run on day numbers (days since 1970-01-01): no string work per day.
  private readonly holidayDays = new Set<number>();
  private readonly makeUpDays = new Set<number>();
  /** [first, last] day numbers of each loaded year. */
  private readonly loadedRanges: Array<[number, number]> = [];

  constructor(years: CalendarYear[]) {
    for (const y of years) {
      this.years.set(y.year, y);
    }
    for (const y of this.years.values()) {
      for (const d of y.holidays) this.holidayDays.add(toDayNumber(d));
      for (const d of y.makeUpWorkdays) this.makeUpDays.add(toDayNumber(d));
      this.loadedRanges.push([toDayNumber(`${y.year}-01-01`), toDayNumber(`${y.year}-12-31`)]);
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
    return this.isWorkingDayNumber(toDayNumber(date));
  }

  private isProvisionalDay(day: number): boolean {
    for (const [first, last] of this.loadedRanges) if (day >= first && day <= last) return false;
    return true;
  }

  private isWorkingDayNumber(day: number): boolean {
    const dow = weekdayOf(day);
    if (this.isProvisionalDay(day)) {
      return dow !== 0 && dow !== 6 && !FIXED_DATE_HOLIDAYS.includes(fromDayNumber(day).slice(5));
    }
    if (this.makeUpDays.has(day)) return true;
    if (this.holidayDays.has(day)) return false;
    return dow !== 0 && dow !== 6;
  }

  /**
   * The Nth working day after `start`: day 1 is the first working day after the start date
   * (Civil Code Art. 201), and the Nth is the last permitted day (D10). n = 0 returns start.
   */
  addWorkingDays(start: IsoDate, n: number): WorkingDayResult {
    if (!Number.isInteger(n) || n < 0) throw new RangeError(`working days must be a non-negative integer: ${n}`);
    if (n === 0) return { date: start, provisional: false };
    let day = toDayNumber(start);
    let provisional = false;
    let counted = 0;
    for (let i = 0; counted < n; i++) {
      if (i > MAX_SCAN_DAYS) throw new RangeError(`no ${n} working days found after ${start}`);
      day++;
      if (this.isWorkingDayNumber(day)) counted++;
      provisional ||= this.isProvisionalDay(day);
    }
    return { date: fromDayNumber(day), provisional };
  }

  /** Working days in the half-open interval (from, to] (D14). Zero when to <= from. */
  countWorkingDays(from: IsoDate, to: IsoDate): IntervalCount {
    let count = 0;
    let provisional = false;
    const last = toDayNumber(to);
    let day = toDayNumber(from);
    for (let i = 0; day < last; i++) {
      if (i > MAX_SCAN_DAYS) throw new RangeError(`interval too long: ${from}..${to}`);
      day++;
      provisional ||= this.isProvisionalDay(day);
      if (this.isWorkingDayNumber(day)) count++;
    }
    return { count, provisional };
  }

  /** Weekday dates in (from, to] that are not working days: what a due date skipped. */
  skippedWeekdays(from: IsoDate, to: IsoDate): IsoDate[] {
    return this.daysBetween(from, to, (day) => !isWeekend(day) && !this.isWorkingDayNumber(day));
  }

  /** Weekend dates in (from, to] that are make-up working days. */
  makeUpDaysBetween(from: IsoDate, to: IsoDate): IsoDate[] {
    return this.daysBetween(from, to, (day) => isWeekend(day) && this.isWorkingDayNumber(day));
  }

  private daysBetween(from: IsoDate, to: IsoDate, keep: (day: number) => boolean): IsoDate[] {
    const found: IsoDate[] = [];
    const last = toDayNumber(to);
    let day = toDayNumber(from);
    for (let i = 0; day < last && i <= MAX_SCAN_DAYS; i++) {
      day++;
      if (keep(day)) found.push(fromDayNumber(day));
    }
    return found;
  }
}

/** 0 = Sunday … 6 = Saturday; day 0 (1970-01-01) was a Thursday. */
function weekdayOf(day: number): number {
  return (((day + 4) % 7) + 7) % 7;
}

function isWeekend(day: number): boolean {
  const dow = weekdayOf(day);
  return dow === 0 || dow === 6;
}
