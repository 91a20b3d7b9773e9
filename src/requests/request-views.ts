import { IsoDate } from '../domain/calendar';
import {
  allowedSteps,
  APPLICANT_TYPE_LABELS,
  ApplicantType,
  CHANNEL_LABELS,
  Channel,
  DELIVERY_METHOD_LABELS,
  DELIVERY_WAY_LABELS,
  isOpenStatus as isOpen,
  DeliveryMethod,
  DueResult,
  EVENT_LABELS,
  explainDue,
  explainDueForCitizen,
  isRowDueSoon,
  isRowOverdue,
  EventType,
  ID_DOCUMENT_TYPE_LABELS,
  IdDocumentType,
  LifecycleEvent,
  Outcome,
  OUTCOME_INFO,
  outcomeLabel,
  RequestState,
  RequestStatus,
  STATUS_LABELS,
  StaffEventType,
} from '../domain/lifecycle';
import { formatShanghaiDateTime } from '../common/format';
import { NOTICE_KINDS, NOTICE_TITLES, NoticeKind, noticeEventIndex } from '../domain/notices';
import { ApplicantEntity } from './entities/applicant.entity';
import { InformationRequestEntity } from './entities/information-request.entity';
import { RequestEventEntity } from './entities/request-event.entity';
import { RequestItemEntity } from './entities/request-item.entity';

/** An earlier concluded request of the same applicant with a similar description (Art. 36(六)). */
export interface PossibleRepeat {
  id: string;
  trackingNumber: string;
  concludedOn: string;
  outcomeLabel: string;
  similarity: number;
}

export interface RequestListItemView {
  id: string;
  trackingNumber: string;
  status: string;
  statusLabel: string;
  channel: string;
  channelLabel: string;
  applicantType: string;
  applicantTypeLabel: string;
  applicantName: string;
  applicantIdMasked: string | null;
  applicantPhoneMasked: string | null;
  submittedAt: string;
  submittedAtLabel: string;
  receivedOn: string | null;
  dueOn: string | null;
  dueIsProvisional: boolean;
  overdue: boolean;
  dueSoon: boolean;
  assigneeId: string | null;
  outcome: string | null;
  outcomeLabel: string | null;
  concludedOn: string | null;
}

export { isOpen };

export function toListItemView(
  r: InformationRequestEntity,
  applicant: { name: string; idDocumentNumberMasked: string | null; phoneMasked: string | null },
  today: IsoDate,
  dueSoonBy: IsoDate,
): RequestListItemView {
  const overdue = isRowOverdue(r, today);
  const dueSoon = isRowDueSoon(r, today, dueSoonBy);
  return {
    id: r.id,
    trackingNumber: r.trackingNumber,
    status: r.status,
    statusLabel: STATUS_LABELS[r.status as RequestStatus] ?? r.status,
    channel: r.channel,
    channelLabel: CHANNEL_LABELS[r.channel as Channel] ?? r.channel,
    applicantType: r.applicantType,
    applicantTypeLabel: APPLICANT_TYPE_LABELS[r.applicantType as ApplicantType] ?? r.applicantType,
    applicantName: applicant.name,
    applicantIdMasked: applicant.idDocumentNumberMasked,
    applicantPhoneMasked: applicant.phoneMasked,
    submittedAt: r.submittedAt,
    submittedAtLabel: formatShanghaiDateTime(r.submittedAt),
    receivedOn: r.receivedOn,
    dueOn: r.dueOn,
    dueIsProvisional: r.dueIsProvisional,
    overdue,
    dueSoon,
    assigneeId: r.assigneeId,
    outcome: r.outcome,
    outcomeLabel: r.outcome ? outcomeLabel(r.outcome as Outcome) : null,
    concludedOn: r.concludedOn,
  };
}

export interface EventView {
  seq: number;
  type: string;
  typeLabel: string;
  on: string;
  recordedAt: string;
  recordedAtLabel: string;
  actor: string;
  basis: string;
  data: Record<string, unknown>;
}

export interface RequestDetailView {
  id: string;
  trackingNumber: string;
  status: string;
  statusLabel: string;
  channel: string;
  channelLabel: string;
  submittedAt: string;
  receivedOn: string | null;
  dueOn: string | null;
  dueIsProvisional: boolean;
  overdue: boolean;
  outcome: string | null;
  outcomeLabel: string | null;
  concludedOn: string | null;
  description: string;
  deliveryMethod: string;
  deliveryMethodLabel: string;
  version: number;
  applicant: {
    type: string;
    typeLabel: string;
    name: string;
    idDocumentType: string | null;
    idDocumentTypeLabel: string | null;
    idDocumentNumber: string | null;
    organisationCode: string | null;
    phone: string | null;
    email: string | null;
    address: string | null;
  };
  items: Array<{ position: number; description: string; outcome: string | null; outcomeLabel: string | null; reason: string | null }>;
  events: EventView[];
  dueExplanation: DueResult['explanation'];
  dueExplanationText: string[];
  correction: RequestState['correction'];
  fee: RequestState['fee'];
  extension: RequestState['extension'];
  agencyDeadline: RequestState['agencyDeadline'];
  reasonsRequested: RequestState['reasonsRequested'];
  referTo: RequestState['referTo'];
  withdrawnOn: string | null;
  /** D17: 送达 of the reply, in the order recorded. */
  deliveries: DeliveryView[];
  allowedEvents: StaffEventType[];
  notices: Array<{ kind: NoticeKind; title: string }>;
  assigneeId: string | null;
  possibleRepeats: PossibleRepeat[];
  personalDataMasked?: boolean;
}

export interface DeliveryView {
  on: string;
  method: string;
  methodLabel: string;
  reference: string | null;
}

function deliveryViews(state: RequestState): DeliveryView[] {
  return state.deliveries.map((d) => ({ on: d.on, method: d.method, methodLabel: DELIVERY_WAY_LABELS[d.method] ?? d.method, reference: d.reference }));
}

export function toDetailView(input: {
  request: InformationRequestEntity;
  items: RequestItemEntity[];
  events: RequestEventEntity[];
  applicant: ApplicantEntity;
  state: RequestState;
  due: DueResult;
  allowed: StaffEventType[];
  possibleRepeats: PossibleRepeat[];
}): RequestDetailView {
  const { request: r, applicant: a, state, due } = input;
  return {
    id: r.id,
    trackingNumber: r.trackingNumber,
    status: state.status!,
    statusLabel: STATUS_LABELS[state.status!],
    channel: r.channel,
    channelLabel: CHANNEL_LABELS[r.channel as Channel] ?? r.channel,
    submittedAt: r.submittedAt,
    receivedOn: state.receivedOn,
    dueOn: due.dueOn,
    dueIsProvisional: due.provisional,
    overdue: due.overdue,
    outcome: state.outcome,
    outcomeLabel: state.outcome ? outcomeLabel(state.outcome) : null,
    concludedOn: state.concludedOn,
    description: r.description,
    deliveryMethod: r.deliveryMethod,
    deliveryMethodLabel: DELIVERY_METHOD_LABELS[r.deliveryMethod as DeliveryMethod] ?? r.deliveryMethod,
    version: r.version,
    applicant: {
      type: a.type,
      typeLabel: APPLICANT_TYPE_LABELS[a.type as ApplicantType] ?? a.type,
      name: a.name,
      idDocumentType: a.idDocumentType,
      idDocumentTypeLabel: a.idDocumentType ? (ID_DOCUMENT_TYPE_LABELS[a.idDocumentType as IdDocumentType] ?? a.idDocumentType) : null,
      idDocumentNumber: a.idDocumentNumber,
      organisationCode: a.organisationCode,
      phone: a.phone,
      email: a.email,
      address: a.address,
    },
    items: input.items.map((i) => ({
      position: i.position,
      description: i.description,
      outcome: i.outcome,
      outcomeLabel: i.outcome ? `${OUTCOME_INFO[i.outcome as Outcome].row} ${OUTCOME_INFO[i.outcome as Outcome].label}` : null,
      reason: state.itemReasons?.[i.position] ?? null,
    })),
    events: input.events.map((e) => ({
      seq: e.seq,
      type: e.type,
      typeLabel: EVENT_LABELS[e.type as EventType] ?? e.type,
      on: e.occurredOn,
      recordedAt: e.recordedAt,
      recordedAtLabel: formatShanghaiDateTime(e.recordedAt),
      actor: e.actorLabel,
      basis: e.basis,
      data: JSON.parse(e.payload) as Record<string, unknown>,
    })),
    dueExplanation: due.explanation,
    dueExplanationText: explainDue(due),
    correction: state.correction,
    fee: state.fee,
    extension: state.extension,
    agencyDeadline: state.agencyDeadline,
    reasonsRequested: state.reasonsRequested,
    referTo: state.referTo,
    withdrawnOn: state.withdrawnOn,
    deliveries: deliveryViews(state),
    allowedEvents: input.allowed,
    assigneeId: r.assigneeId,
    possibleRepeats: input.possibleRepeats,
    notices: NOTICE_KINDS.filter((k) => noticeEventIndex(k, input.events) >= 0).map((kind) => ({ kind, title: NOTICE_TITLES[kind] })),
  };
}

export interface PublicStatusView {
  trackingNumber: string;
  status: string;
  statusLabel: string;
  submittedOn: string;
  receivedOn: string | null;
  dueOn: string | null;
  dueIsProvisional: boolean;
  outcome: string | null;
  outcomeLabel: string | null;
  /** The outcome in words, without the report's row number (the status page). */
  outcomeText: string | null;
  concludedOn: string | null;
  withdrawnOn: string | null;
  /** The applicant's withdrawal, before receipt (counted nowhere, D19) or after it (（六）3, D7). */
  withdrawal: { on: string; beforeReceipt: boolean } | null;
  /** Whether the applicant may still withdraw (POST …/withdrawal). */
  canWithdraw: boolean;
  deliveries: DeliveryView[];
  dueExplanation: string[];
}

/** What a citizen may see: status and dates, nothing else of the applicant. */
export function toPublicStatusView(r: InformationRequestEntity, state: RequestState, due: DueResult, events: LifecycleEvent[] = []): PublicStatusView {
  const withdrawn = [...events].reverse().find((e) => e.type === 'withdrawn');
  return {
    trackingNumber: r.trackingNumber,
    status: state.status!,
    statusLabel: STATUS_LABELS[state.status!],
    submittedOn: state.submittedOn!,
    receivedOn: state.receivedOn,
    dueOn: due.dueOn,
    dueIsProvisional: due.provisional,
    outcome: state.outcome,
    outcomeLabel: state.outcome ? outcomeLabel(state.outcome) : null,
    outcomeText: state.outcome ? OUTCOME_INFO[state.outcome].label : null,
    concludedOn: state.concludedOn,
    withdrawnOn: state.withdrawnOn,
    withdrawal: withdrawn ? { on: withdrawn.on, beforeReceipt: state.status === 'withdrawn' } : null,
    canWithdraw: allowedSteps(state).includes('withdrawn'),
    deliveries: deliveryViews(state),
    dueExplanation: explainDueForCitizen(state, due),
  };
}
