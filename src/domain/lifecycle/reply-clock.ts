import { IsoDate, WorkingCalendar, minDate } from '../calendar';
import { Pause, PauseKind, RequestState, STANDARD_REPLY_WORKING_DAYS } from './request-state';

export interface ExcludedInterval {
  kind: PauseKind;
  from: IsoDate;
  /** The last day counted as excluded (reply, payment, the 15-day cap, or today while open). */
  to: IsoDate;
  open: boolean;
  capped: boolean;
  workingDays: number;
}

export interface DueExplanation {
  state: 'not_started' | 'waiting_correction' | 'running' | 'agency_set' | 'concluded' | 'withdrawn';
  startOn: IsoDate | null;
  startReason: 'receipt' | 'correction' | null;
  baseWorkingDays: number;
  extensionWorkingDays: number;
  excluded: ExcludedInterval[];
  totalWorkingDays: number;
  dueOn: IsoDate | null;
  provisional: boolean;
  /** Weekdays skipped as holidays between start and due. */
  holidaysSkipped: IsoDate[];
  /** Weekend make-up working days counted between start and due. */
  makeUpDaysCounted: IsoDate[];
  agencyDeadlineReason: string | null;
  /** D15: the due date that passed before the reply; a later step did not move it. */
  lapsedOn: IsoDate | null;
}

export interface DueResult {
  dueOn: IsoDate | null;
  provisional: boolean;
  overdue: boolean;
  explanation: DueExplanation;
}

function excludedInterval(p: Pause, calendar: WorkingCalendar, today: IsoDate): ExcludedInterval & { provisional: boolean } {
  let to = p.to ?? today;
  let capped = false;
  if (p.capWorkingDays !== null) {
    const cap = calendar.addWorkingDays(p.capFrom ?? p.from, p.capWorkingDays).date;
    if (cap < to) {
      to = cap;
      capped = true;
    }
  }
  const counted = calendar.countWorkingDays(p.from, to);
  return { kind: p.kind, from: p.from, to, open: p.to === null, capped, workingDays: counted.count, provisional: counted.provisional };
}

/**
 * The reply deadline (Art. 33): 20 working days from the clock start (receipt, or receipt of
 * the corrected application, Art. 30), plus an extension of at most 20, plus the working days
 * excluded while consulting (Art. 33(3)) or waiting for a fee (D6, D14). An open pause keeps
 * moving the date day by day, so `today` is an input.
 */
export function computeDue(state: RequestState, calendar: WorkingCalendar, today: IsoDate): DueResult {
  const base: DueExplanation = {
    state: 'not_started',
    startOn: state.clockStartOn,
    startReason: state.clockStartReason,
    baseWorkingDays: STANDARD_REPLY_WORKING_DAYS,
    extensionWorkingDays: state.extension?.days ?? 0,
    excluded: [],
    totalWorkingDays: 0,
    dueOn: null,
    provisional: false,
    holidaysSkipped: [],
    makeUpDaysCounted: [],
    agencyDeadlineReason: null,
    lapsedOn: state.lapsedDueOn,
  };
  if (state.status === 'withdrawn') return { dueOn: null, provisional: false, overdue: false, explanation: { ...base, state: 'withdrawn' } };
  if (!state.clockStartOn || state.status === 'awaiting_confirmation') {
    return { dueOn: null, provisional: false, overdue: false, explanation: base };
  }
  const endOfPauses = state.concludedOn ? minDate(state.concludedOn, today) : today;
  const excluded = state.pauses.map((p) => excludedInterval(p, calendar, endOfPauses));
  if (state.lapsedDueOn) {
    // D15: lateness is permanent; the date that passed stays the due date of record.
    const dueOn = state.lapsedDueOn;
    return {
      dueOn,
      provisional: false,
      overdue: true,
      explanation: { ...base, state: state.status === 'concluded' ? 'concluded' : 'running', dueOn, excluded: excluded.map(strip) },
    };
  }
  if (state.status === 'awaiting_correction' || (state.status === 'concluded' && state.correction && !state.correction.receivedOn)) {
    // Waiting for a correction is not a pause: the clock restarts in full on its receipt.
    return { dueOn: null, provisional: false, overdue: false, explanation: { ...base, state: 'waiting_correction' } };
  }
  if (state.agencyDeadline) {
    const dueOn = state.agencyDeadline.dueOn;
    return {
      dueOn,
      provisional: false,
      overdue: isOverdue(dueOn, state, today),
      explanation: { ...base, state: 'agency_set', dueOn, agencyDeadlineReason: state.agencyDeadline.reason, excluded: excluded.map(strip) },
    };
  }
  const extension = state.extension?.days ?? 0;
  const total = STANDARD_REPLY_WORKING_DAYS + extension + excluded.reduce((n, e) => n + e.workingDays, 0);
  const due = calendar.addWorkingDays(state.clockStartOn, total);
  const provisional = due.provisional || excluded.some((e) => e.provisional);
  return {
    dueOn: due.date,
    provisional,
    overdue: isOverdue(due.date, state, today),
    explanation: {
      ...base,
      state: state.status === 'concluded' ? 'concluded' : 'running',
      excluded: excluded.map(strip),
      totalWorkingDays: total,
      dueOn: due.date,
      provisional,
      holidaysSkipped: calendar.skippedWeekdays(state.clockStartOn, due.date),
      makeUpDaysCounted: calendar.makeUpDaysBetween(state.clockStartOn, due.date),
    },
  };
}

function strip(e: ExcludedInterval & { provisional?: boolean }): ExcludedInterval {
  const { provisional: _provisional, ...rest } = e;
  return rest;
}

/** Overdue: replied after the due date, or still open past it (D15: or a due date lapsed earlier). */
export function isOverdue(dueOn: IsoDate, state: Pick<RequestState, 'concludedOn' | 'lapsedDueOn'>, today: IsoDate): boolean {
  if (state.lapsedDueOn) return true;
  return state.concludedOn ? state.concludedOn > dueOn : today > dueOn;
}

/**
 * The due date in force on `asOf`, without the explanation: what a step dated `asOf` is
 * checked against (D15). Null while the clock is not running.
 */
export function dueInForce(state: RequestState, calendar: WorkingCalendar, asOf: IsoDate): IsoDate | null {
  if (state.lapsedDueOn) return state.lapsedDueOn;
  if (!state.clockStartOn || state.status === 'awaiting_confirmation' || state.status === 'awaiting_correction' || state.status === 'withdrawn') return null;
  if (state.agencyDeadline) return state.agencyDeadline.dueOn;
  const end = state.concludedOn ? minDate(state.concludedOn, asOf) : asOf;
  let excluded = 0;
  for (const p of state.pauses) excluded += excludedInterval(p, calendar, end).workingDays;
  return calendar.addWorkingDays(state.clockStartOn, STANDARD_REPLY_WORKING_DAYS + (state.extension?.days ?? 0) + excluded).date;
}
