import { Injectable } from '@nestjs/common';
import { Clock } from '../common/clock';
import { UnitOfWork } from '../common/unit-of-work';
import { dayOfWeek, IsoDate, WorkingCalendar, yearOf } from '../domain/calendar';
import { ValidationFailedError } from '../domain/errors';
import { Actor } from '../auth/actor';
import { RequestDeadlinesService } from '../requests/request-deadlines.service';
import { packagedCalendarYears } from './base-calendar';
import { CalendarService, toCalendarYear } from './calendar.service';
import { PutCalendarYearDto } from './dto/calendar-year.dto';
import { CalendarYearEntity } from './entities/calendar-year.entity';

export interface CalendarYearView {
  year: number;
  origin: 'stored' | 'package' | 'provisional';
  source: string | null;
  holidays: IsoDate[];
  makeUpWorkdays: IsoDate[];
  updatedAt: string | null;
  updatedBy: string | null;
}

export const MIN_CALENDAR_YEAR = 2004;
export const MAX_CALENDAR_YEAR = 2100;

@Injectable()
export class CalendarAdminService {
  constructor(
    private readonly calendars: CalendarService,
    private readonly deadlines: RequestDeadlinesService,
    private readonly unitOfWork: UnitOfWork,
    private readonly clock: Clock,
  ) {}

  async getYear(year: number): Promise<CalendarYearView> {
    checkYear(year);
    const stored = await this.calendars.storedYear(year);
    if (stored) {
      const y = toCalendarYear(stored);
      return { year, origin: 'stored', source: y.source, holidays: y.holidays, makeUpWorkdays: y.makeUpWorkdays, updatedAt: stored.updatedAt, updatedBy: stored.updatedBy };
    }
    const packaged = packagedCalendarYears().find((y) => y.year === year);
    if (packaged) return { year, origin: 'package', source: packaged.source, holidays: packaged.holidays, makeUpWorkdays: packaged.makeUpWorkdays, updatedAt: null, updatedBy: null };
    return { year, origin: 'provisional', source: null, holidays: [], makeUpWorkdays: [], updatedAt: null, updatedBy: null };
  }

  /** Loads or corrects a year; stored entries win over the package. Open deadlines are recomputed. */
  async putYear(year: number, dto: PutCalendarYearDto, actor: Actor): Promise<CalendarYearView & { recomputed: number }> {
    checkYear(year);
    const holidays = [...new Set(dto.holidays)].sort();
    const makeUp = [...new Set(dto.makeUpWorkdays)].sort();
    const fields: Record<string, string> = {};
    const outside = [...holidays, ...makeUp].filter((d) => yearOf(d) !== year);
    if (outside.length) fields[holidays.includes(outside[0]) ? 'holidays' : 'makeUpWorkdays'] = `日期 ${outside[0]} 不属于 ${year} 年。`;
    const weekdayMakeUp = makeUp.find((d) => dayOfWeek(d) !== 0 && dayOfWeek(d) !== 6);
    if (weekdayMakeUp) fields.makeUpWorkdays = `${weekdayMakeUp} 不是周末，不能作为调休上班日。`;
    const both = makeUp.find((d) => holidays.includes(d));
    if (both) fields.makeUpWorkdays = `${both} 不能同时是放假日和调休上班日。`;
    if (Object.keys(fields).length) throw new ValidationFailedError(fields);

    const previous = await this.freshCalendar();
    await this.unitOfWork.run((m) =>
      m.save(CalendarYearEntity, {
        year,
        holidays: JSON.stringify(holidays),
        makeUpWorkdays: JSON.stringify(makeUp),
        source: dto.source,
        updatedAt: this.clock.nowIso(),
        updatedBy: actor.label,
      }),
    );
    const recomputed = await this.recompute(previous, `${year} 年节假日安排载入或更正（${dto.source}）`, actor);
    return { ...(await this.getYear(year)), recomputed };
  }

  /** Drops the stored year: the package data (or the provisional rule) applies again. */
  async resetYear(year: number, actor: Actor): Promise<CalendarYearView & { recomputed: number }> {
    checkYear(year);
    const previous = await this.freshCalendar();
    await this.unitOfWork.run((m) => m.delete(CalendarYearEntity, { year }));
    const recomputed = await this.recompute(previous, `${year} 年节假日安排恢复为内置数据`, actor);
    return { ...(await this.getYear(year)), recomputed };
  }

  /**
   * Once the calendar change is committed, every request computes its deadline with it; the
   * stored deadlines are then recomputed in chunks, without holding the other requests (issue 15).
   * Should the process stop midway, `npm run state:verify -- --repair` sets the rest.
   */
  private async recompute(previous: WorkingCalendar, reason: string, actor: Actor): Promise<number> {
    return this.deadlines.recomputeOpenDeadlines(previous, await this.freshCalendar(), reason, actor);
  }

  /** The calendar as stored now, not as cached up to a minute ago. */
  private freshCalendar(): Promise<WorkingCalendar> {
    this.calendars.invalidate();
    return this.calendars.current();
  }

  async overview(): Promise<Array<{ year: number; origin: string; source: string | null }>> {
    const stored = await this.calendars.storedYears();
    const years = new Set([...packagedCalendarYears().map((y) => y.year), ...stored.map((y) => y.year), yearOf(this.clock.today()) + 1]);
    const list = [];
    for (const year of [...years].sort((a, b) => b - a)) {
      const view = await this.getYear(year);
      list.push({ year, origin: view.origin, source: view.source });
    }
    return list;
  }
}

function checkYear(year: number): void {
  if (!Number.isInteger(year) || year < MIN_CALENDAR_YEAR || year > MAX_CALENDAR_YEAR) {
    throw new ValidationFailedError({ year: `年份必须在 ${MIN_CALENDAR_YEAR} 到 ${MAX_CALENDAR_YEAR} 之间。` });
  }
}
