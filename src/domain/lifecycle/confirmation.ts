import { addDays, IsoDate, WorkingCalendar } from '../calendar';
import { CONFIRMATION_WORKING_DAYS, RequestState } from './request-state';

const MAX_SCAN_DAYS = 366;

/**
 * D19, Art. 31: a submission awaiting confirmation should be confirmed within
 * CONFIRMATION_WORKING_DAYS working days (day 1 = the first working day after submission). On
 * `today`, a submission made before the returned date has waited longer: it is the Nth working
 * day before today, so a submission on that day still has today as its last permitted day.
 */
export function confirmationCutoff(calendar: WorkingCalendar, today: IsoDate, workingDays = CONFIRMATION_WORKING_DAYS): IsoDate {
  let day = today;
  for (let counted = 0, i = 0; counted < workingDays; i++) {
    if (i > MAX_SCAN_DAYS) throw new RangeError(`no ${workingDays} working days found before ${today}`);
    day = addDays(day, -1);
    if (calendar.isWorkingDay(day)) counted++;
  }
  return day;
}

/** D19: still awaiting confirmation, and submitted before the cut-off: staff are late in confirming. */
export function isConfirmationOverdue(state: Pick<RequestState, 'status' | 'submittedOn'>, calendar: WorkingCalendar, today: IsoDate): boolean {
  return state.status === 'awaiting_confirmation' && !!state.submittedOn && state.submittedOn < confirmationCutoff(calendar, today);
}
