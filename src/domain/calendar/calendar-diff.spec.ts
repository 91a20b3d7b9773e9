import { CALENDAR_FIXTURE_YEARS } from '../lifecycle/calendar.fixture';
import { firstDifference } from './calendar-diff';
import { WorkingCalendar } from './working-calendar';

describe('first day two calendars differ (D11)', () => {
  const base = new WorkingCalendar(CALENDAR_FIXTURE_YEARS);

  it('none for the same arrangements', () => {
    expect(firstDifference(base, new WorkingCalendar(CALENDAR_FIXTURE_YEARS))).toBeNull();
  });

  it('the first day a holiday is added or a make-up day removed', () => {
    const years = CALENDAR_FIXTURE_YEARS.map((y) => (y.year === 2025 ? { ...y, holidays: [...y.holidays, '2025-07-15'] } : y));
    expect(firstDifference(base, new WorkingCalendar(years))).toBe('2025-07-15');
    const fewer = CALENDAR_FIXTURE_YEARS.map((y) => (y.year === 2024 ? { ...y, makeUpWorkdays: y.makeUpWorkdays.filter((d) => d !== '2024-09-29') } : y));
    expect(firstDifference(new WorkingCalendar(fewer), base)).toBe('2024-09-29');
  });

  it('a year loaded in one calendar only differs from its first provisional day', () => {
    const without2026 = new WorkingCalendar(CALENDAR_FIXTURE_YEARS.filter((y) => y.year !== 2026));
    expect(firstDifference(without2026, base)).toBe('2026-01-01');
  });
});
