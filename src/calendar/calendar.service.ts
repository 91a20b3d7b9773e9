import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { InjectReadDataSource } from '../database/read-data-source';
import { DataSource, EntityManager, Repository } from 'typeorm';
import { CalendarYear, WorkingCalendar } from '../domain/calendar';
import { mergeCalendarYears, packagedCalendarYears } from './base-calendar';
import { CalendarYearEntity } from './entities/calendar-year.entity';

const CACHE_MS = 60_000;

/** Builds the working calendar from the packaged data and the administrator's stored years. */
@Injectable()
export class CalendarService {
  private cached: { calendar: WorkingCalendar; at: number } | null = null;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    /** The cached calendar is loaded on SQLite's read-only connection: no page waits for a writer to reload it. */
    @InjectReadDataSource() private readonly reader: DataSource,
  ) {}

  /** CalendarYearEntity rows, through the one data source (no per-module repository providers). */
  private get years(): Repository<CalendarYearEntity> {
    return this.dataSource.getRepository(CalendarYearEntity);
  }

  /** Cached for a minute, so that a change made through another instance is seen soon. */
  async current(): Promise<WorkingCalendar> {
    if (!this.cached || Date.now() - this.cached.at > CACHE_MS) {
      this.cached = { calendar: await this.build(this.reader.manager), at: Date.now() };
    }
    return this.cached.calendar;
  }

  /** Reads through the given manager, so a transaction sees its own uncommitted change. */
  async build(m: EntityManager): Promise<WorkingCalendar> {
    const stored = (await m.find(CalendarYearEntity)).map(toCalendarYear);
    return new WorkingCalendar(mergeCalendarYears(packagedCalendarYears(), stored));
  }

  storedYear(year: number): Promise<CalendarYearEntity | null> {
    return this.years.findOneBy({ year });
  }

  storedYears(): Promise<CalendarYearEntity[]> {
    return this.years.find({ order: { year: 'DESC' } });
  }

  invalidate(): void {
    this.cached = null;
  }
}

export function toCalendarYear(row: CalendarYearEntity): CalendarYear {
  return {
    year: row.year,
    holidays: JSON.parse(row.holidays) as string[],
    makeUpWorkdays: JSON.parse(row.makeUpWorkdays) as string[],
    source: row.source,
  };
}
