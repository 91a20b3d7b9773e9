import { CalendarYear } from '../domain/calendar';

interface ChineseDaysData {
  holidays: Record<string, string>;
  workdays: Record<string, string>;
}

let cached: CalendarYear[] | null = null;

/**
 * The base holiday calendar shipped with `chinese-days` (2004–2026). Only its data file is
 * read: its date functions depend on the process time zone, ours do not.
 */
export function packagedCalendarYears(): CalendarYear[] {
  if (cached) return cached;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const data = require('chinese-days/dist/chinese-days.json') as ChineseDaysData;
  const byYear = new Map<number, CalendarYear>();
  const yearEntry = (date: string): CalendarYear => {
    const year = Number(date.slice(0, 4));
    let entry = byYear.get(year);
    if (!entry) {
      entry = { year, holidays: [], makeUpWorkdays: [], source: '国务院办公厅关于部分节假日安排的通知（系统内置）' };
      byYear.set(year, entry);
    }
    return entry;
  };
  for (const date of Object.keys(data.holidays)) yearEntry(date).holidays.push(date);
  for (const date of Object.keys(data.workdays)) yearEntry(date).makeUpWorkdays.push(date);
  cached = [...byYear.values()].sort((a, b) => a.year - b.year);
  for (const y of cached) {
    y.holidays.sort();
    y.makeUpWorkdays.sort();
  }
  return cached;
}

/** Stored years replace the packaged ones whole: an administrator's correction wins. */
export function mergeCalendarYears(packaged: CalendarYear[], stored: CalendarYear[]): CalendarYear[] {
  const byYear = new Map(packaged.map((y) => [y.year, y]));
  for (const y of stored) byYear.set(y.year, y);
  return [...byYear.values()].sort((a, b) => a.year - b.year);
}
