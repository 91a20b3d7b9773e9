import { IsoDate } from '../calendar';
import { Channel, Outcome, RequestStatus } from './codes';

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
  'reasons_requested',
  'decided',
  'withdrawn',
  'delivered',
] as const;
export type StaffEventType = (typeof STAFF_EVENT_TYPES)[number];
/** `submitted` and `registered` open a request; `due_recomputed`, `assigned`, `personal_data_erased` and the attachment events are informational. */
export type EventType = StaffEventType | 'submitted' | 'registered' | 'due_recomputed' | 'assigned' | 'personal_data_erased' | 'transferred' | InformationalAttachmentEvent | 'supervision_note';
/** A file added to or withdrawn from a request (issue 18): on the timeline, no effect on the state. */
export type InformationalAttachmentEvent = 'attachment_added' | 'attachment_withdrawn';

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
  /** D18: the 15 working days run from the party's receipt of the 征求意见书 (defaults to dispatch). */
  capFrom?: IsoDate;
}

/** D1: one item's answer, and why. */
export interface ItemOutcome {
  outcome: Outcome;
  reason: string | null;
}

/** D17: how the reply reached the applicant (送达). */
export const DELIVERY_WAYS = ['email', 'post', 'in_person', 'online'] as const;
export type DeliveryWay = (typeof DELIVERY_WAYS)[number];
export const DELIVERY_WAY_LABELS: Record<DeliveryWay, string> = {
  email: '电子邮件',
  post: '邮寄',
  in_person: '直接送达',
  online: '网上下载',
};

export interface Delivery {
  on: IsoDate;
  method: DeliveryWay;
  reference: string | null;
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
  fee: { noticeOn: IsoDate; deliveredOn: IsoDate; amountYuan: number; payBy: IsoDate; paidOn: IsoDate | null; pausesClock: boolean } | null;
  extension: { on: IsoDate; days: number; approvedBy: string; reason: string } | null;
  agencyDeadline: { on: IsoDate; dueOn: IsoDate; reason: string } | null;
  /** Art. 35: the applicant was asked to explain an excessive request (no pause). */
  reasonsRequested: { on: IsoDate; note: string } | null;
  /**
   * D15: the due date in force that passed before the reply. Once set the request is late for
   * good: a later step cannot move the deadline back over it.
   */
  lapsedDueOn: IsoDate | null;
  outcome: Outcome | null;
  itemOutcomes: Outcome[] | null;
  itemReasons: Array<string | null> | null;
  /** D21: where the information is held, when not by this agency. */
  /** D21; `agencyCode` when the named agency is on this platform (the applicant may refile there, D23). */
  referTo: { agency: string; contact: string | null; agencyCode?: string } | null;
  concludedOn: IsoDate | null;
  /** D19: withdrawn before receipt: never received, counted nowhere. */
  withdrawnOn: IsoDate | null;
  deliveries: Delivery[];
  lastEventOn: IsoDate | null;
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
  reasonsRequested: null,
  lapsedDueOn: null,
  outcome: null,
  itemOutcomes: null,
  itemReasons: null,
  referTo: null,
  concludedOn: null,
  withdrawnOn: null,
  deliveries: [],
  lastEventOn: null,
};

export const CONSULTATION_LIMIT_WORKING_DAYS = 15;
export const CORRECTION_NOTICE_WORKING_DAYS = 7;
export const FEE_PAYMENT_WORKING_DAYS = 20;
export const MAX_EXTENSION_WORKING_DAYS = 20;
export const STANDARD_REPLY_WORKING_DAYS = 20;
/** D19: an online submission should be confirmed within this many working days (Art. 31). */
export const CONFIRMATION_WORKING_DAYS = 1;
