import { IsoDate, WorkingCalendar, isIsoDate } from '../calendar';
import { InvalidTransitionError, UnprocessableError, ValidationFailedError } from '../errors';
import { Channel, DECIDABLE_OUTCOMES, Outcome, RequestStatus } from './codes';

export const STAFF_EVENT_TYPES = [
  'receipt_confirmed',
  'correction_requested',
  'correction_received',
  'correction_lapsed',
  'consultation_started',
  'consultation_ended',
  'fee_notice_issued',
  'fee_paid',
  'fee_lapsed',
  'extension_granted',
  'deadline_set',
  'decided',
  'withdrawn',
] as const;
export type StaffEventType = (typeof STAFF_EVENT_TYPES)[number];
/** `submitted` and `registered` open a request; `due_recomputed`, `assigned` and `personal_data_erased` are informational. */
export type EventType = StaffEventType | 'submitted' | 'registered' | 'due_recomputed' | 'assigned' | 'personal_data_erased';

export interface LifecycleEvent {
  type: EventType;
  on: IsoDate;
  data: Record<string, unknown>;
}

export type PauseKind = 'consultation_third_party' | 'consultation_agency' | 'fee';

export interface Pause {
  kind: PauseKind;
  from: IsoDate;
  to: IsoDate | null;
  /** Consultations exclude at most 15 working days (Arts. 32, 34). */
  capWorkingDays: number | null;
}

export interface RequestState {
  status: RequestStatus | null;
  channel: Channel | null;
  submittedOn: IsoDate | null;
  receivedOn: IsoDate | null;
  clockStartOn: IsoDate | null;
  clockStartReason: 'receipt' | 'correction' | null;
  correction: { requestedOn: IsoDate; dueOn: IsoDate; late: boolean; receivedOn: IsoDate | null } | null;
  pauses: Pause[];
  fee: { noticeOn: IsoDate; amountYuan: number; payBy: IsoDate; paidOn: IsoDate | null; pausesClock: boolean } | null;
  extension: { on: IsoDate; days: number; approvedBy: string; reason: string } | null;
  agencyDeadline: { on: IsoDate; dueOn: IsoDate; reason: string } | null;
  outcome: Outcome | null;
  itemOutcomes: Outcome[] | null;
  concludedOn: IsoDate | null;
  lastEventOn: IsoDate | null;
}

export interface LifecycleContext {
  calendar: WorkingCalendar;
  today: IsoDate;
  itemCount: number;
}

export const INITIAL_STATE: RequestState = {
  status: null,
  channel: null,
  submittedOn: null,
  receivedOn: null,
  clockStartOn: null,
  clockStartReason: null,
  correction: null,
  pauses: [],
  fee: null,
  extension: null,
  agencyDeadline: null,
  outcome: null,
  itemOutcomes: null,
  concludedOn: null,
  lastEventOn: null,
};

export const CONSULTATION_LIMIT_WORKING_DAYS = 15;
export const CORRECTION_NOTICE_WORKING_DAYS = 7;
export const FEE_PAYMENT_WORKING_DAYS = 20;
export const MAX_EXTENSION_WORKING_DAYS = 20;
export const STANDARD_REPLY_WORKING_DAYS = 20;

const WITHHOLDING_OUTCOMES: readonly Outcome[] = [
  'partially_granted',
  'withheld_state_secret',
  'withheld_law_prohibits',
  'withheld_three_security_one_stability',
  'withheld_third_party_rights',
  'withheld_internal_affairs',
  'withheld_process_info',
  'withheld_law_enforcement_file',
  'withheld_administrative_inquiry',
];

export function requiresReason(outcome: Outcome): boolean {
  return WITHHOLDING_OUTCOMES.includes(outcome);
}

const OPEN_WORK_STATUSES: readonly RequestStatus[] = ['in_progress', 'consulting', 'awaiting_fee'];

function refuse(message: string): never {
  throw new InvalidTransitionError(message);
}

function requireStatus(state: RequestState, allowed: readonly RequestStatus[], step: string): void {
  if (state.status === 'concluded') refuse(`该申请已于 ${state.concludedOn} 办结，不能再${step}。`);
  if (!state.status || !allowed.includes(state.status)) {
    refuse(`申请当前状态不允许${step}。`);
  }
}

function text(data: Record<string, unknown>, key: string): string | null {
  const v = data[key];
  return typeof v === 'string' && v.trim() !== '' ? v.trim() : null;
}

function closeOpenPause(pauses: Pause[], kinds: PauseKind[], on: IsoDate): Pause[] {
  return pauses.map((p) => (p.to === null && kinds.includes(p.kind) ? { ...p, to: on } : p));
}

function checkDate(state: RequestState, event: LifecycleEvent, ctx: LifecycleContext): void {
  if (!isIsoDate(event.on)) throw new ValidationFailedError({ on: '日期格式应为 YYYY-MM-DD。' });
  if (event.on > ctx.today) {
    throw new UnprocessableError(`日期 ${event.on} 晚于今天（${ctx.today}），不能登记未来的步骤。`, { on: '不能是未来日期。' });
  }
  const floor = state.receivedOn ?? state.submittedOn;
  if (floor && event.on < floor) {
    throw new UnprocessableError(`日期 ${event.on} 早于${state.receivedOn ? '收到申请之日' : '提交之日'}（${floor}）。`, {
      on: `不能早于 ${floor}。`,
    });
  }
  if (state.lastEventOn && event.on < state.lastEventOn) {
    throw new UnprocessableError(`日期 ${event.on} 早于上一办理步骤的日期（${state.lastEventOn}）。`, {
      on: `不能早于 ${state.lastEventOn}。`,
    });
  }
}

function conclude(state: RequestState, outcome: Outcome, on: IsoDate, itemOutcomes: Outcome[] | null = null): RequestState {
  return {
    ...state,
    status: 'concluded',
    outcome,
    itemOutcomes,
    concludedOn: on,
    pauses: closeOpenPause(state.pauses, ['consultation_third_party', 'consultation_agency', 'fee'], on),
  };
}

/**
 * Applies one lifecycle step (Arts. 30–39, the fee measures) and returns the new state,
 * or throws: InvalidTransitionError (409), UnprocessableError (422), ValidationFailedError (400).
 */
export function applyEvent(state: RequestState, event: LifecycleEvent, ctx: LifecycleContext): RequestState {
  if (event.type === 'due_recomputed' || event.type === 'assigned' || event.type === 'personal_data_erased') return state;
  const d = event.data;
  if (event.type === 'submitted' || event.type === 'registered') {
    if (state.status !== null) refuse('申请已经登记。');
    if (event.on > ctx.today) throw new UnprocessableError('收到申请之日不能是未来日期。', { receivedOn: '不能是未来日期。' });
    const channel = d.channel as Channel;
    if (event.type === 'submitted') {
      return { ...state, status: 'awaiting_confirmation', channel, submittedOn: event.on, lastEventOn: event.on };
    }
    return {
      ...state,
      status: 'in_progress',
      channel,
      submittedOn: event.on,
      receivedOn: event.on,
      clockStartOn: event.on,
      clockStartReason: 'receipt',
      lastEventOn: event.on,
    };
  }

  checkDate(state, event, ctx);
  const next = applyStep(state, event, ctx);
  return { ...next, lastEventOn: event.on };
}

function applyStep(state: RequestState, event: LifecycleEvent, ctx: LifecycleContext): RequestState {
  const { on, data: d } = event;
  switch (event.type as StaffEventType) {
    case 'receipt_confirmed':
      requireStatus(state, ['awaiting_confirmation'], '确认收到');
      return { ...state, status: 'in_progress', receivedOn: on, clockStartOn: on, clockStartReason: 'receipt' };

    case 'correction_requested': {
      requireStatus(state, ['in_progress'], '发出补正告知');
      if (state.correction) refuse('补正告知只能一次性发出（《条例》第三十条），本申请已于 ' + state.correction.requestedOn + ' 发出。');
      const dueOn = d.correctionDueOn;
      if (!isIsoDate(dueOn)) throw new ValidationFailedError({ correctionDueOn: '请填写补正期限（YYYY-MM-DD）。' });
      if (dueOn <= on) throw new UnprocessableError('补正期限必须晚于告知日期。', { correctionDueOn: '必须晚于告知日期。' });
      const noticeLimit = ctx.calendar.addWorkingDays(state.receivedOn!, CORRECTION_NOTICE_WORKING_DAYS).date;
      return {
        ...state,
        status: 'awaiting_correction',
        correction: { requestedOn: on, dueOn, late: on > noticeLimit, receivedOn: null },
        pauses: [],
      };
    }

    case 'correction_received':
      requireStatus(state, ['awaiting_correction'], '登记补正材料');
      // Art. 30: the reply period restarts in full from receipt of the corrected application.
      return {
        ...state,
        status: 'in_progress',
        correction: { ...state.correction!, receivedOn: on },
        clockStartOn: on,
        clockStartReason: 'correction',
        pauses: [],
      };

    case 'correction_lapsed':
      requireStatus(state, ['awaiting_correction'], '按逾期不补正办结');
      if (on <= state.correction!.dueOn) {
        refuse(`补正期限 ${state.correction!.dueOn} 尚未届满，不能按逾期不补正办结。`);
      }
      return conclude(state, 'other_overdue_correction', on);

    case 'consultation_started': {
      requireStatus(state, ['in_progress'], '发出征求意见');
      const party = d.party;
      if (party !== 'third_party' && party !== 'agency') {
        throw new ValidationFailedError({ party: '征求意见对象必须是 third_party（第三方）或 agency（其他机关）。' });
      }
      const kind: PauseKind = party === 'third_party' ? 'consultation_third_party' : 'consultation_agency';
      return {
        ...state,
        status: 'consulting',
        pauses: [...state.pauses, { kind, from: on, to: null, capWorkingDays: CONSULTATION_LIMIT_WORKING_DAYS }],
      };
    }

    case 'consultation_ended':
      requireStatus(state, ['consulting'], '登记征求意见结束');
      return {
        ...state,
        status: 'in_progress',
        pauses: closeOpenPause(state.pauses, ['consultation_third_party', 'consultation_agency'], on),
      };

    case 'fee_notice_issued': {
      requireStatus(state, ['in_progress'], '发出收费通知');
      if (state.fee) refuse('本申请已发出过收费通知。');
      const amount = d.amountYuan;
      if (typeof amount !== 'number' || !Number.isFinite(amount) || amount <= 0 || amount > 1_000_000) {
        throw new ValidationFailedError({ amountYuan: '收费金额必须是大于 0 的数字（元）。' });
      }
      const pausesClock = d.pausesClock !== false;
      // Payment within 20 working days from the day after the notice (fee measures, D6).
      const payBy = ctx.calendar.addWorkingDays(on, FEE_PAYMENT_WORKING_DAYS).date;
      return {
        ...state,
        status: 'awaiting_fee',
        fee: { noticeOn: on, amountYuan: amount, payBy, paidOn: null, pausesClock },
        pauses: pausesClock ? [...state.pauses, { kind: 'fee', from: on, to: null, capWorkingDays: null }] : state.pauses,
      };
    }

    case 'fee_paid':
      requireStatus(state, ['awaiting_fee'], '登记缴费');
      return {
        ...state,
        status: 'in_progress',
        fee: { ...state.fee!, paidOn: on },
        pauses: closeOpenPause(state.pauses, ['fee'], on),
      };

    case 'fee_lapsed':
      requireStatus(state, ['awaiting_fee'], '按逾期未缴费办结');
      if (on <= state.fee!.payBy) refuse(`缴费期限 ${state.fee!.payBy} 尚未届满，不能按逾期未缴费办结。`);
      return conclude(state, 'other_unpaid_fee', on);

    case 'extension_granted': {
      requireStatus(state, OPEN_WORK_STATUSES, '延期答复');
      if (state.extension) refuse(`延期答复只能一次（《条例》第三十三条），本申请已于 ${state.extension.on} 延期。`);
      const days = d.extraWorkingDays;
      if (typeof days !== 'number' || !Number.isInteger(days) || days < 1) {
        throw new ValidationFailedError({ extraWorkingDays: '延长的工作日数必须是 1 到 20 的整数。' });
      }
      if (days > MAX_EXTENSION_WORKING_DAYS) {
        refuse(`延长答复期限最长不得超过 ${MAX_EXTENSION_WORKING_DAYS} 个工作日（《条例》第三十三条）。`);
      }
      const fields: Record<string, string> = {};
      const approvedBy = text(d, 'approvedBy');
      const reason = text(d, 'reason');
      if (!approvedBy) fields.approvedBy = '请填写批准延期的政府信息公开工作机构负责人。';
      if (!reason) fields.reason = '请填写延期理由。';
      if (Object.keys(fields).length) throw new ValidationFailedError(fields);
      return { ...state, extension: { on, days, approvedBy: approvedBy!, reason: reason! } };
    }

    case 'deadline_set': {
      requireStatus(state, OPEN_WORK_STATUSES, '确定延迟答复期限');
      const dueOn = d.dueOn;
      const fields: Record<string, string> = {};
      if (!isIsoDate(dueOn)) fields.dueOn = '请填写延迟答复的期限（YYYY-MM-DD）。';
      const reason = text(d, 'reason');
      if (!reason) fields.reason = '请说明理由（《条例》第三十五条）。';
      if (Object.keys(fields).length) throw new ValidationFailedError(fields);
      if ((dueOn as string) <= on) throw new UnprocessableError('延迟答复期限必须晚于确定之日。', { dueOn: '必须晚于确定之日。' });
      return { ...state, agencyDeadline: { on, dueOn: dueOn as string, reason: reason! } };
    }

    case 'decided': {
      requireStatus(state, ['in_progress', 'consulting'], '作出答复');
      const outcome = d.outcome as Outcome;
      if (!DECIDABLE_OUTCOMES.includes(outcome)) {
        throw new ValidationFailedError({
          outcome: '答复结果必须是有效的结果代码；“其他处理”类结果只能通过逾期不补正、逾期未缴费或撤回步骤产生。',
        });
      }
      if (outcome === 'unable_unclear_after_correction' && !state.correction?.receivedOn) {
        refuse('只有在收到补正材料后，才能以“补正后申请内容仍不明确”答复。');
      }
      const itemOutcomes = resolveItemOutcomes(outcome, d.itemOutcomes, ctx.itemCount);
      const distinct = new Set(itemOutcomes);
      const final: Outcome = distinct.size > 1 ? 'partially_granted' : outcome;
      if (itemOutcomes.some(requiresReason) || requiresReason(final)) {
        if (!text(d, 'reason')) throw new ValidationFailedError({ reason: '不予公开或部分公开的，必须说明理由。' });
      }
      return conclude(state, final, on, itemOutcomes);
    }

    case 'withdrawn':
      requireStatus(state, ['in_progress', 'awaiting_correction', 'consulting', 'awaiting_fee'], '登记撤回');
      return conclude(state, 'other_other', on);
  }
  refuse(`未知的办理步骤：${event.type}`);
}

function resolveItemOutcomes(outcome: Outcome, raw: unknown, itemCount: number): Outcome[] {
  const result: Outcome[] = Array.from({ length: itemCount }, () => outcome);
  if (raw === undefined || raw === null) return result;
  if (!Array.isArray(raw)) throw new ValidationFailedError({ itemOutcomes: '必须是数组。' });
  const fields: Record<string, string> = {};
  raw.forEach((entry, i) => {
    const item = (entry as { item?: unknown })?.item;
    const o = (entry as { outcome?: unknown })?.outcome as Outcome;
    if (typeof item !== 'number' || !Number.isInteger(item) || item < 0 || item >= itemCount) {
      fields[`itemOutcomes.${i}.item`] = `事项序号必须在 0 到 ${itemCount - 1} 之间。`;
    } else if (!DECIDABLE_OUTCOMES.includes(o)) {
      fields[`itemOutcomes.${i}.outcome`] = '不是有效的答复结果代码。';
    } else {
      result[item] = o;
    }
  });
  if (Object.keys(fields).length) throw new ValidationFailedError(fields);
  return result;
}

/** Folds recorded history. Each step was checked against its own "today" when recorded, so replay does not re-check it against the current one. */
export function replay(events: LifecycleEvent[], ctx: LifecycleContext): RequestState {
  const historic = { ...ctx, today: '9999-12-31' };
  return events.reduce((s, e) => applyEvent(s, e, historic), INITIAL_STATE);
}
