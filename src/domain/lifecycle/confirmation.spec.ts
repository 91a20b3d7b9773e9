import fc from 'fast-check';
import { addDays, fromDayNumber, shanghaiDateOf, shanghaiStartOfDay, toDayNumber } from '../calendar';
import { calendarFixture } from './calendar.fixture';
import { confirmationCutoff, isConfirmationOverdue } from './confirmation';

const calendar = calendarFixture();
const awaiting = (submittedOn: string) => ({ status: 'awaiting_confirmation' as const, submittedOn });

describe('D19: a submission unconfirmed for more than one working day', () => {
  it.each([
    // today, submitted, late?, why
    ['2025-06-16', '2025-06-12', true, 'Thursday: Friday was its working day'],
    ['2025-06-16', '2025-06-13', false, 'Friday: Monday is its working day'],
    ['2025-06-16', '2025-06-14', false, 'Saturday: Monday is its working day'],
    ['2025-06-16', '2025-06-16', false, 'today'],
    ['2025-06-03', '2025-05-30', false, 'before the Dragon Boat holiday: its working day is 3 June'],
    ['2025-06-03', '2025-05-29', true, 'its working day was 30 May'],
    ['2025-10-09', '2025-09-30', false, 'before National Day: its working day is 9 October'],
    ['2025-10-09', '2025-10-05', false, 'during the holiday'],
    ['2025-10-09', '2025-09-29', true, 'its working day was 30 September'],
    ['2025-09-29', '2025-09-27', true, 'Saturday before a make-up Sunday: that Sunday was its working day'],
    ['2025-09-29', '2025-09-28', false, 'the make-up Sunday itself'],
  ])('on %s, submitted %s: late = %s (%s)', (today, submitted, late) => {
    expect(isConfirmationOverdue(awaiting(submitted), calendar, today)).toBe(late);
  });

  it('names the cut-off: the working day before today', () => {
    expect(confirmationCutoff(calendar, '2025-06-16')).toBe('2025-06-13');
    expect(confirmationCutoff(calendar, '2025-10-09')).toBe('2025-09-30');
    expect(confirmationCutoff(calendar, '2025-09-29')).toBe('2025-09-28');
  });

  it('only submissions still awaiting confirmation are late', () => {
    for (const status of ['in_progress', 'withdrawn', 'concluded'] as const) {
      expect(isConfirmationOverdue({ status, submittedOn: '2025-01-02' }, calendar, '2025-06-16')).toBe(false);
    }
  });

  it('agrees with the working-day count: late exactly when the Nth working day after submission is before today', () => {
    const day = fc.integer({ min: toDayNumber('2024-01-01'), max: toDayNumber('2026-12-31') });
    fc.assert(
      fc.property(day, fc.integer({ min: 0, max: 30 }), fc.integer({ min: 1, max: 5 }), (s, gap, n) => {
        const submitted = fromDayNumber(s);
        const today = addDays(submitted, gap);
        const late = calendar.addWorkingDays(submitted, n).date < today;
        expect(submitted < confirmationCutoff(calendar, today, n)).toBe(late);
        if (n === 1) expect(isConfirmationOverdue(awaiting(submitted), calendar, today)).toBe(late);
      }),
    );
  });

  it('the SQL form (stored instant < start of the cut-off day in Shanghai) matches the date comparison', () => {
    const instant = fc.integer({ min: Date.UTC(2024, 0, 1), max: Date.UTC(2026, 11, 31) });
    const day = fc.integer({ min: toDayNumber('2024-01-01'), max: toDayNumber('2026-12-31') });
    fc.assert(
      fc.property(instant, day, (t, d) => {
        const cutoff = fromDayNumber(d);
        const stored = new Date(t).toISOString();
        expect(stored < shanghaiStartOfDay(cutoff)).toBe(shanghaiDateOf(new Date(t)) < cutoff);
      }),
    );
    expect(shanghaiStartOfDay('2025-06-13')).toBe('2025-06-12T16:00:00.000Z');
  });
});
