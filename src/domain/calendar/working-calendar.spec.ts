import { CALENDAR_FIXTURE_YEARS } from '../lifecycle/calendar.fixture';
import { dayOfWeek, isIsoDate, shanghaiDateOf } from './dates';
import { WorkingCalendar } from './working-calendar';

const calendar = new WorkingCalendar(CALENDAR_FIXTURE_YEARS);

describe('dates', () => {
  it.each([
    ['2025-01-01', 3],
    ['2025-09-28', 0],
    ['2025-10-11', 6],
    ['2024-02-29', 4],
  ])('%s is day-of-week %i', (date, dow) => expect(dayOfWeek(date)).toBe(dow));

  it.each(['2025-02-29', '2025-13-01', '2025-1-01', '20250101', '', 'x'])('rejects %p', (v) => expect(isIsoDate(v)).toBe(false));

  it('takes the Shanghai date of an instant, whatever the process time zone', () => {
    expect(shanghaiDateOf(new Date('2025-12-31T16:30:00Z'))).toBe('2026-01-01');
    expect(shanghaiDateOf(new Date('2025-12-31T15:59:59Z'))).toBe('2025-12-31');
  });
});

describe('WorkingCalendar.isWorkingDay', () => {
  it.each([
    ['2025-01-26', true, 'Sunday make-up day before Spring Festival 2025'],
    ['2025-01-28', false, '除夕 2025 (a statutory holiday since 2025)'],
    ['2025-02-04', false, 'last day of Spring Festival 2025'],
    ['2025-02-08', true, 'Saturday make-up day after Spring Festival 2025'],
    ['2025-09-28', true, 'Sunday make-up day before National Day 2025'],
    ['2025-10-08', false, 'National Day 2025 (merged with Mid-Autumn)'],
    ['2025-10-11', true, 'Saturday make-up day after National Day 2025'],
    ['2026-02-14', true, 'Saturday make-up day before Spring Festival 2026'],
    ['2026-02-23', false, 'last day of Spring Festival 2026'],
    ['2026-02-28', true, 'Saturday make-up day after Spring Festival 2026'],
    ['2026-09-20', true, 'Sunday make-up day before National Day 2026'],
    ['2026-10-07', false, 'National Day 2026'],
    ['2026-10-10', true, 'Saturday make-up day after National Day 2026'],
    ['2025-03-08', false, 'an ordinary Saturday'],
    ['2020-01-31', false, 'the 2020 Spring Festival extension (国办发明电〔2020〕1号)'],
    ['2020-02-03', true, 'first working day after the 2020 extension'],
  ])('%s → %p (%s)', (date, expected) => expect(calendar.isWorkingDay(date)).toBe(expected));

  it('treats a year without a calendar as provisional: weekends and fixed-date holidays only (D11)', () => {
    expect(calendar.isLoaded(2027)).toBe(false);
    expect(calendar.isProvisional('2027-03-01')).toBe(true);
    expect(calendar.isWorkingDay('2027-01-01')).toBe(false);
    expect(calendar.isWorkingDay('2027-05-03')).toBe(true);
    expect(calendar.isWorkingDay('2027-10-01')).toBe(false);
    expect(calendar.isWorkingDay('2027-01-02')).toBe(false);
  });
});

describe('WorkingCalendar.addWorkingDays (day 1 = first working day after the start)', () => {
  it.each([
    ['2024-03-05', 20, '2024-04-02', 'the contract example'],
    ['2025-01-20', 20, '2025-02-21', 'receipt before Spring Festival 2025, with make-up days 1-26 and 2-8'],
    ['2026-02-09', 20, '2026-03-13', 'receipt before Spring Festival 2026, with make-up days 2-14 and 2-28'],
    ['2025-09-26', 20, '2025-10-30', 'receipt before National Day 2025, make-up Sundays 9-28 and Saturday 10-11'],
    ['2026-09-18', 20, '2026-10-22', 'receipt before Mid-Autumn and National Day 2026'],
    ['2024-03-09', 20, '2024-04-08', 'a Saturday receipt, across Qingming 2024 with make-up Sunday 4-7'],
    ['2025-09-28', 20, '2025-10-31', 'a receipt on a make-up working day'],
    ['2025-12-31', 20, '2026-01-29', 'a year-end receipt, make-up Sunday 2026-01-04'],
    ['2025-03-03', 7, '2025-03-12', 'the 7-working-day correction notice limit'],
  ])('%s + %i → %s (%s)', (start, n, expected) => {
    const result = calendar.addWorkingDays(start, n);
    expect(result).toEqual({ date: expected, provisional: false });
  });

  it('marks a deadline in an unloaded year provisional and recomputes once the year is loaded', () => {
    expect(calendar.addWorkingDays('2026-12-21', 20)).toEqual({ date: '2027-01-19', provisional: true });
    // A hypothetical 2027 arrangement: 1-1 to 1-4 off (a Friday-to-Monday bridge), 1-9 a make-up Saturday.
    const loaded = new WorkingCalendar([...CALENDAR_FIXTURE_YEARS, { year: 2027, holidays: ['2027-01-01', '2027-01-02', '2027-01-03', '2027-01-04'], makeUpWorkdays: ['2027-01-09'], source: 'test' }]);
    expect(loaded.addWorkingDays('2026-12-21', 20)).toEqual({ date: '2027-01-19', provisional: false });
    const withoutMakeUp = new WorkingCalendar([...CALENDAR_FIXTURE_YEARS, { year: 2027, holidays: ['2027-01-01', '2027-01-04'], makeUpWorkdays: [], source: 'test' }]);
    expect(withoutMakeUp.addWorkingDays('2026-12-21', 20)).toEqual({ date: '2027-01-20', provisional: false });
  });

  it('counts working days in a half-open interval (D14 example: Mon 10 → Fri 14 March 2025 = 4)', () => {
    expect(calendar.countWorkingDays('2025-03-10', '2025-03-14')).toEqual({ count: 4, provisional: false });
    expect(calendar.countWorkingDays('2025-09-29', '2025-10-10')).toEqual({ count: 3, provisional: false });
    expect(calendar.countWorkingDays('2025-03-14', '2025-03-10').count).toBe(0);
  });

  it('lists the holidays skipped and make-up days counted', () => {
    expect(calendar.skippedWeekdays('2025-09-26', '2025-10-30')).toEqual(['2025-10-01', '2025-10-02', '2025-10-03', '2025-10-06', '2025-10-07', '2025-10-08']);
    expect(calendar.makeUpDaysBetween('2025-09-26', '2025-10-30')).toEqual(['2025-09-28', '2025-10-11']);
  });
});
