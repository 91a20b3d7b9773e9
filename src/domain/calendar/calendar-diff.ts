import { addDays, IsoDate } from './dates';
import { WorkingCalendar } from './working-calendar';

/**
 * The first day whose working-day status or provisional mark differs between two calendars, or
 * null: a deadline counted only over earlier days is the same under both (D11).
 */
export function firstDifference(a: WorkingCalendar, b: WorkingCalendar): IsoDate | null {
  const years = [...new Set([...a.loadedYears(), ...b.loadedYears()])].sort((x, y) => x - y);
  if (!years.length) return null;
  // A year loaded in neither is provisional in both, counted alike.
  for (let day = `${years[0]}-01-01`; Number(day.slice(0, 4)) <= years[years.length - 1]; day = addDays(day, 1)) {
    if (a.isWorkingDay(day) !== b.isWorkingDay(day) || a.isProvisional(day) !== b.isProvisional(day)) return day;
  }
  return null;
}
