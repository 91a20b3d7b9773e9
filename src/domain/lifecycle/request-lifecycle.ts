import { IsoDate, WorkingCalendar, isIsoDate } from '../calendar';
import { InvalidTransitionError, UnprocessableError, ValidationFailedError } from '../errors';
import { Channel, DECIDABLE_OUTCOMES, Outcome, RequestStatus } from './codes';
import { historicOutcome, outcomeOfItems, referToOf, resolveItemOutcomes } from './item-outcomes';
import { dueInForce } from './reply-clock';
import {
  CONSULTATION_LIMIT_WORKING_DAYS,
  CORRECTION_NOTICE_WORKING_DAYS,
  DELIVERY_WAYS,
  DeliveryWay,
  FEE_PAYMENT_WORKING_DAYS,
  INITIAL_STATE,
  LifecycleEvent,
  MAX_EXTENSION_WORKING_DAYS,
  Pause,
  PauseKind,
  RequestState,
  StaffEventType,
} from './request-state';

export * from './request-state';
export { outcomeOfItems } from './item-outcomes';

export interface LifecycleContext {
  calendar: WorkingCalendar;
  today: IsoDate;
  itemCount: number;
  /** Replaying recorded history: steps are not refused again, but lateness still sticks (D15). */
  historic?: boolean;
}

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

/** Statuses in which the reply clock runs or is paused (not waiting for a correction). */
const CLOCK_STATUSES: readonly RequestStatus[] = ['in_progress', 'consulting', 'awaiting_fee'];

function refuse(message: string): never {
  throw new InvalidTransitionError(message);
}

function requireStatus(state: RequestState, allowed: readonly RequestStatus[], step: string): void {
  if (state.status === 'concluded') refuse(`该申请已于 ${state.concludedOn} 办结，不能再${step}。`);
  if (state.status === 'withdrawn') refuse(`该申请已于 ${state.withdrawnOn} 撤回，不能再${step}。`);
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

/** An optional receipt date of a letter (D18): on or after its dispatch, not in the future. */
function deliveredOnOf(d: Record<string, unknown>, on: IsoDate, ctx: LifecycleContext): IsoDate {
  const v = d.deliveredOn;
  if (v === undefined || v === null || v === '') return on;
  if (!isIsoDate(v)) throw new ValidationFailedError({ deliveredOn: '送达日期格式应为 YYYY-MM-DD。' });
  if (v < on) throw new UnprocessableError(`送达日期 ${v} 早于发出日期 ${on}。`, { deliveredOn: `不能早于 ${on}。` });
  if (v > ctx.today) throw new UnprocessableError(`送达日期 ${v} 晚于今天（${ctx.today}）。`, { deliveredOn: '不能是未来日期。' });
  return v;
}

function conclude(state: RequestState, outcome: Outcome, on: IsoDate, items: { outcomes: Outcome[]; reasons: Array<string | null> } | null = null): RequestState {
  return {
    ...state,
    status: 'concluded',
    outcome,
    itemOutcomes: items?.outcomes ?? null,
    itemReasons: items?.reasons ?? null,
    concludedOn: on,
    pauses: closeOpenPause(state.pauses, ['consultation_third_party', 'consultation_agency', 'fee'], on),
  };
}

/**
 * D15: a step dated after the due date in force finds that date passed; it stays the due date of
 * record, whatever the step does to the clock afterwards.
 */
function noteLapse(state: RequestState, on: IsoDate, ctx: LifecycleContext): RequestState {
  if (state.lapsedDueOn || !state.status || !CLOCK_STATUSES.includes(state.status)) return state;
  const due = dueInForce(state, ctx.calendar, on);
  return due && on > due ? { ...state, lapsedDueOn: due } : state;
}

/** D15: steps that move the deadline are refused once it has passed (recorded history is kept as it was). */
function refuseAfterDue(state: RequestState, step: string, ctx: LifecycleContext): void {
  if (ctx.historic || !state.lapsedDueOn) return;
  refuse(`答复期限已于 ${state.lapsedDueOn} 届满，不能再${step}；此后的答复按逾期答复统计。`);
}

/** Events on the timeline that change neither the state nor a clock: the replay passes over them. */
export const INFORMATIONAL_EVENTS = ['due_recomputed', 'assigned', 'personal_data_erased', 'transferred', 'attachment_added', 'attachment_withdrawn', 'supervision_note'] as const;

/**
 * Applies one lifecycle step (Arts. 30–39, the fee measures) and returns the new state,
 * or throws: InvalidTransitionError (409), UnprocessableError (422), ValidationFailedError (400).
 */
export function applyEvent(state: RequestState, event: LifecycleEvent, ctx: LifecycleContext): RequestState {
  // D23: a transfer before receipt changes the agency, not the application's state or clocks.
  if ((INFORMATIONAL_EVENTS as readonly string[]).includes(event.type)) return state;
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
  const next = applyStep(noteLapse(state, event.on, ctx), event, ctx);
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
      refuseAfterDue(state, '发出补正告知', ctx);
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
      // D18: the party's 15 working days run from its receipt of the letter; the excluded interval from dispatch.
      const capFrom = deliveredOnOf(d, on, ctx);
      return {
        ...state,
        status: 'consulting',
        pauses: [...state.pauses, { kind, from: on, to: null, capWorkingDays: CONSULTATION_LIMIT_WORKING_DAYS, capFrom }],
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
      // D18: payment within 20 working days from the day after the applicant received the notice.
      const deliveredOn = deliveredOnOf(d, on, ctx);
      const payBy = ctx.calendar.addWorkingDays(deliveredOn, FEE_PAYMENT_WORKING_DAYS).date;
      return {
        ...state,
        status: 'awaiting_fee',
        fee: { noticeOn: on, deliveredOn, amountYuan: amount, payBy, paidOn: null, pausesClock },
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
      requireStatus(state, CLOCK_STATUSES, '延期答复');
      if (state.extension) refuse(`延期答复只能一次（《条例》第三十三条），本申请已于 ${state.extension.on} 延期。`);
      refuseAfterDue(state, '延期答复', ctx);
      const days = d.extraWorkingDays;
      if (typeof days !== 'number' || !Number.isInteger(days) || days < 1) {
        throw new ValidationFailedError({ extraWorkingDays: '延长的工作日数必须是 1 到 20 的整数。' });
      }
      if (days > MAX_EXTENSION_WORKING_DAYS) {
        refuse(`延长答复期限最长不得超过 ${MAX_EXTENSION_WORKING_DAYS} 个工作日（《条例》第三十三条）。`);
      }
      const fields: Record<string, string> = {};
      // The name printed on the notice; by default the signed-in approver's (recorded beside it).
      const approvedBy = text(d, 'approvedBy') ?? text((d.approvedByAccount ?? {}) as Record<string, unknown>, 'name');
      const reason = text(d, 'reason');
      if (!approvedBy) fields.approvedBy = '请填写批准延期的政府信息公开工作机构负责人。';
      if (!reason) fields.reason = '请填写延期理由。';
      if (Object.keys(fields).length) throw new ValidationFailedError(fields);
      return { ...state, extension: { on, days, approvedBy: approvedBy!, reason: reason! } };
    }

    case 'deadline_set': {
      requireStatus(state, CLOCK_STATUSES, '确定延迟答复期限');
      if (state.agencyDeadline && !ctx.historic) refuse(`本申请已于 ${state.agencyDeadline.on} 确定延迟答复期限。`);
      refuseAfterDue(state, '确定延迟答复期限', ctx);
      const dueOn = d.dueOn;
      const fields: Record<string, string> = {};
      if (!isIsoDate(dueOn)) fields.dueOn = '请填写延迟答复的期限（YYYY-MM-DD）。';
      const reason = text(d, 'reason');
      if (!reason) fields.reason = '请说明理由（《条例》第三十五条）。';
      if (Object.keys(fields).length) throw new ValidationFailedError(fields);
      if ((dueOn as string) <= on) throw new UnprocessableError('延迟答复期限必须晚于确定之日。', { dueOn: '必须晚于确定之日。' });
      const current = dueInForce(state, ctx.calendar, on);
      if (!ctx.historic && current && (dueOn as string) <= current) {
        throw new UnprocessableError(`延迟答复期限必须晚于现行答复期限（${current}）（《条例》第三十五条）。`, { dueOn: `必须晚于 ${current}。` });
      }
      return { ...state, agencyDeadline: { on, dueOn: dueOn as string, reason: reason! } };
    }

    case 'reasons_requested': {
      // Art. 35: the agency may ask for the reasons of an excessive request; the law gives no pause.
      requireStatus(state, CLOCK_STATUSES, '要求说明理由');
      if (state.reasonsRequested && !ctx.historic) refuse(`本申请已于 ${state.reasonsRequested.on} 要求申请人说明理由。`);
      const note = text(d, 'note');
      if (!note) throw new ValidationFailedError({ note: '请写明需要申请人说明的事项（《条例》第三十五条）。' });
      return { ...state, reasonsRequested: { on, note } };
    }

    case 'decided': {
      requireStatus(state, ['in_progress', 'consulting'], '作出答复');
      const outcome = d.outcome as Outcome;
      if (!DECIDABLE_OUTCOMES.includes(outcome)) {
        throw new ValidationFailedError({
          outcome: '答复结果必须是有效的结果代码；“其他处理”类结果只能通过逾期不补正、逾期未缴费或撤回步骤产生。',
        });
      }
      const items = resolveItemOutcomes(outcome, d.itemOutcomes, ctx.itemCount);
      const final = (ctx.historic ? historicOutcome : outcomeOfItems)(outcome, items.outcomes, d.itemOutcomes != null);
      if ([final, ...items.outcomes].includes('unable_unclear_after_correction') && !state.correction?.receivedOn) {
        refuse('只有在收到补正材料后，才能以“补正后申请内容仍不明确”答复。');
      }
      // A withheld item needs its ground explained: in its own reason or in the reply's (Art. 36(三), 37).
      const reason = text(d, 'reason');
      const itemWithoutReason = items.outcomes.some((o, i) => requiresReason(o) && !items.reasons[i]);
      if (!reason && (itemWithoutReason || (requiresReason(final) && !items.reasons.some(Boolean)))) {
        throw new ValidationFailedError({ reason: '不予公开或部分公开的，必须说明理由。' });
      }
      return { ...conclude(state, final, on, items), referTo: referToOf(d.referTo, [final, ...items.outcomes], ctx) };
    }

    case 'withdrawn':
      // D19: before receipt the submission was never received: withdrawn, counted nowhere.
      if (state.status === 'awaiting_confirmation') return { ...state, status: 'withdrawn', withdrawnOn: on };
      requireStatus(state, ['in_progress', 'awaiting_correction', 'consulting', 'awaiting_fee'], '登记撤回');
      return conclude(state, 'other_other', on);

    case 'delivered': {
      // D17: the reply's delivery (送达), recorded after conclusion; the conclusion date does not move.
      if (state.status !== 'concluded') refuse(state.status === 'withdrawn' ? '已撤回的申请没有答复可送达。' : '只有办结后才能登记送达。');
      const method = d.method;
      if (typeof method !== 'string' || !(DELIVERY_WAYS as readonly string[]).includes(method)) {
        throw new ValidationFailedError({ method: '送达方式必须是 email（电子邮件）、post（邮寄）、in_person（直接送达）或 online（网上下载）。' });
      }
      const reference = text(d, 'reference');
      if (reference && reference.length > 100) throw new ValidationFailedError({ reference: '送达凭证号最多 100 个字符。' });
      return { ...state, deliveries: [...state.deliveries, { on, method: method as DeliveryWay, reference }] };
    }
  }
  refuse(`未知的办理步骤：${event.type}`);
}

/** Folds recorded history. Each step was checked against its own "today" when recorded, so replay does not re-check it against the current one. */
export function replay(events: LifecycleEvent[], ctx: LifecycleContext): RequestState {
  const historic = { ...ctx, today: '9999-12-31', historic: true };
  return events.reduce((s, e) => applyEvent(s, e, historic), INITIAL_STATE);
}
