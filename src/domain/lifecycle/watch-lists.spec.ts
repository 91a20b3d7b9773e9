import { calendarFixture } from './calendar.fixture';
import { INITIAL_STATE } from './request-state';
import { addDays } from '../calendar';
import { dueSoonBy, feeNoticesLapsedBy, isRowDueSoon, isRowOverdue, lapsedDeadline, retentionCutoff } from './watch-lists';

describe('due soon: within 3 working days', () => {
  it('skips the National Day holiday and counts the make-up Saturday', () => {
    // 2025-10-01…08 are holidays; 2025-10-11 (Saturday) is a make-up working day.
    expect(dueSoonBy('2025-09-30', calendarFixture())).toBe('2025-10-11');
    expect(dueSoonBy('2025-03-03', calendarFixture())).toBe('2025-03-06');
  });

  it('open requests due on or before the limit, never an overdue or a concluded one', () => {
    const by = '2025-03-06';
    expect(isRowDueSoon({ status: 'in_progress', dueOn: '2025-03-06', concludedOn: null }, '2025-03-03', by)).toBe(true);
    expect(isRowDueSoon({ status: 'in_progress', dueOn: '2025-03-07', concludedOn: null }, '2025-03-03', by)).toBe(false);
    expect(isRowDueSoon({ status: 'in_progress', dueOn: '2025-03-02', concludedOn: null }, '2025-03-03', by)).toBe(false);
    expect(isRowDueSoon({ status: 'concluded', dueOn: '2025-03-04', concludedOn: '2025-03-03' }, '2025-03-03', by)).toBe(false);
    expect(isRowDueSoon({ status: 'received', dueOn: null, concludedOn: null }, '2025-03-03', by)).toBe(false);
  });
});

describe('overdue, from the stored columns', () => {
  it('open past the due date, or concluded after it', () => {
    expect(isRowOverdue({ status: 'consulting', dueOn: '2025-03-02', concludedOn: null }, '2025-03-03')).toBe(true);
    expect(isRowOverdue({ status: 'consulting', dueOn: '2025-03-03', concludedOn: null }, '2025-03-03')).toBe(false);
    expect(isRowOverdue({ status: 'concluded', dueOn: '2025-03-02', concludedOn: '2025-03-03' }, '2025-04-01')).toBe(true);
    expect(isRowOverdue({ status: 'concluded', dueOn: '2025-03-03', concludedOn: '2025-03-03' }, '2025-04-01')).toBe(false);
    expect(isRowOverdue({ status: 'withdrawn', dueOn: '2025-03-02', concludedOn: null }, '2025-04-01')).toBe(false);
  });
});

describe('lapsed correction and fee deadlines', () => {
  const correction = { requestedOn: '2025-03-03', dueOn: '2025-03-12', late: false, receivedOn: null };
  const fee = { noticeOn: '2025-03-03', deliveredOn: '2025-03-03', amountYuan: 100, payBy: '2025-03-31', paidOn: null, pausesClock: true };

  it('the day after the deadline, while the request still waits', () => {
    expect(lapsedDeadline({ ...INITIAL_STATE, status: 'awaiting_correction', correction }, '2025-03-12')).toBeNull();
    expect(lapsedDeadline({ ...INITIAL_STATE, status: 'awaiting_correction', correction }, '2025-03-13')).toEqual({ kind: 'correction', deadline: '2025-03-12', eventType: 'correction_lapsed' });
    expect(lapsedDeadline({ ...INITIAL_STATE, status: 'awaiting_fee', fee }, '2025-04-01')).toEqual({ kind: 'fee', deadline: '2025-03-31', eventType: 'fee_lapsed' });
  });

  it('not once the request has moved on', () => {
    expect(lapsedDeadline({ ...INITIAL_STATE, status: 'in_progress', correction, fee }, '2025-06-01')).toBeNull();
  });
});

describe('retention cut-off', () => {
  it('the same calendar day, years back; 29 February falls back to 28 February', () => {
    expect(retentionCutoff('2026-11-30', 10)).toBe('2016-11-30');
    expect(retentionCutoff('2028-02-29', 10)).toBe('2018-02-28');
    expect(retentionCutoff('2028-02-29', 4)).toBe('2024-02-29');
  });
});

describe('fee notices whose 20 working days have run out', () => {
  it('is the last notice day whose 20th working day falls before today', () => {
    const calendar = calendarFixture();
    const by = feeNoticesLapsedBy('2025-10-20', calendar);
    expect(calendar.addWorkingDays(by, 20).date < '2025-10-20').toBe(true);
    expect(calendar.addWorkingDays(addDays(by, 1), 20).date >= '2025-10-20').toBe(true);
    // Over National Day (1–8 October 2025) the cut-off goes back before September's end.
    expect(by).toBe('2025-09-15');
  });
});
