import { addDays, IsoDate, WorkingCalendar } from '../calendar';
import { isOpenStatus } from './codes';
import { FEE_PAYMENT_WORKING_DAYS, RequestState } from './request-state';

/** "Due soon" on the staff home, the lists and the daily digest: due within this many working days. */
export const DUE_SOON_WORKING_DAYS = 3;

/** The last due date that counts as "due soon" today. */
export function dueSoonBy(today: IsoDate, calendar: WorkingCalendar): IsoDate {
  return calendar.addWorkingDays(today, DUE_SOON_WORKING_DAYS).date;
}

/** The stored columns of a request that the lists read. */
export interface DueRow {
  status: string;
  dueOn: IsoDate | null;
  concludedOn: IsoDate | null;
}

/**
 * A request row is overdue when it was concluded after its due date, or is still open past it.
 * The stored due date is the date of record, which after a lapse (D15) is the date that passed.
 */
export function isRowOverdue(r: DueRow, today: IsoDate): boolean {
  if (r.dueOn === null) return false;
  return r.concludedOn ? r.concludedOn > r.dueOn : isOpenStatus(r.status) && today > r.dueOn;
}

/** Open, not overdue, and due on or before `by` (see dueSoonBy). */
export function isRowDueSoon(r: DueRow, today: IsoDate, by: IsoDate): boolean {
  return !isRowOverdue(r, today) && isOpenStatus(r.status) && r.dueOn !== null && r.dueOn <= by;
}

export interface LapsedDeadline {
  kind: 'correction' | 'fee';
  deadline: IsoDate;
  /** The step that concludes the request for it (Art. 30; fee rules of 国办函〔2020〕109号). */
  eventType: 'correction_lapsed' | 'fee_lapsed';
}

/**
 * A correction or fee deadline that passed before today, while the request still waits for it:
 * staff may conclude it with the matching step. Null otherwise.
 */
export function lapsedDeadline(state: Pick<RequestState, 'status' | 'correction' | 'fee'>, today: IsoDate): LapsedDeadline | null {
  if (state.status === 'awaiting_correction' && state.correction && state.correction.dueOn < today) {
    return { kind: 'correction', deadline: state.correction.dueOn, eventType: 'correction_lapsed' };
  }
  if (state.status === 'awaiting_fee' && state.fee && state.fee.payBy < today) {
    return { kind: 'fee', deadline: state.fee.payBy, eventType: 'fee_lapsed' };
  }
  return null;
}

/**
 * The last day a fee notice may have reached the applicant for its 20 working days to have ended
 * before today: fee requests noticed on or before it are the candidates for fee_lapsed.
 */
export function feeNoticesLapsedBy(today: IsoDate, calendar: WorkingCalendar): IsoDate {
  let day = addDays(today, -FEE_PAYMENT_WORKING_DAYS);
  while (calendar.addWorkingDays(day, FEE_PAYMENT_WORKING_DAYS).date >= today) day = addDays(day, -1);
  return day;
}

/**
 * Applicants' personal data is kept `years` after the request was concluded: requests concluded
 * on or before the returned date may be erased. 29 February falls back to 28 February.
 */
export function retentionCutoff(today: IsoDate, years: number): IsoDate {
  const year = Number(today.slice(0, 4)) - years;
  const monthDay = today.slice(5);
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return `${String(year).padStart(4, '0')}-${monthDay === '02-29' && !leap ? '02-28' : monthDay}`;
}
