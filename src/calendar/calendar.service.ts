import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { CalendarYear, WorkingCalendar } from '../domain/calendar';
import { mergeCalendarYears, packagedCalendarYears } from './base-calendar';
import { CalendarYearEntity } from './entities/calendar-year.entity';

/** Builds the working calendar from the packaged data and the administrator's stored years. */
@Injectable()
export class CalendarService {
  private cached: WorkingCalendar | null = null;

  constructor(@InjectRepository(CalendarYearEntity) private readonly years: Repository<CalendarYearEntity>) {}

  async current(): Promise<WorkingCalendar> {
    if (this.cached) return this.cached;
    const stored = (await this.years.find()).map(toCalendarYear);
    this.cached = new WorkingCalendar(mergeCalendarYears(packagedCalendarYears(), stored));
    return this.cached;
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
