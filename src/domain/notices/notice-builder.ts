import { IsoDate, WorkingCalendar } from '../calendar';
import { computeDue } from '../lifecycle/reply-clock';
import { DELIVERY_WAY_LABELS, DeliveryWay, EventType, FEE_PAYMENT_WORKING_DAYS, LifecycleEvent, RequestState } from '../lifecycle/request-state';
import { chineseDate } from './chinese-date';
import { RemedyBodies, remediesText } from './remedies';
import { replyBasis, replyParagraphs, withholdingOf } from './reply-wording';
import { basisLine, clause, FEE_MEASURES_FULL, REGULATIONS, REGULATIONS_DEFINED, REGULATIONS_SHORT, sentence, withoutLead } from './wording';

export const NOTICE_KINDS = ['receipt', 'correction', 'extension', 'delay', 'reasons', 'consultation', 'fee', 'reply', 'delivery'] as const;
export type NoticeKind = (typeof NOTICE_KINDS)[number];

export function isNoticeKind(value: string): value is NoticeKind {
  return (NOTICE_KINDS as readonly string[]).includes(value);
}

export const NOTICE_TITLES: Record<NoticeKind, string> = {
  receipt: '政府信息公开申请登记回执',
  correction: '补正申请告知书',
  extension: '延期答复告知书',
  delay: '延迟答复告知书',
  reasons: '说明理由通知书',
  consultation: '政府信息公开征求意见书',
  fee: '收费通知书',
  reply: '政府信息公开申请答复告知书',
  delivery: '送达回证',
};

/** Which event each notice is written from; the latest such event is used. */
export const NOTICE_EVENTS: Record<NoticeKind, EventType[]> = {
  receipt: ['registered', 'receipt_confirmed'],
  correction: ['correction_requested'],
  extension: ['extension_granted'],
  delay: ['deadline_set'],
  reasons: ['reasons_requested'],
  consultation: ['consultation_started'],
  fee: ['fee_notice_issued'],
  reply: ['decided', 'correction_lapsed', 'fee_lapsed', 'withdrawn'],
  delivery: ['delivered'],
};

/**
 * Notices e-mailed to the applicant when their step is recorded. The receipt goes with the
 * access code in its own message; the consultation letter is for the third party; the 送达回证
 * is the agency's proof of delivery.
 */
export const MAILED_NOTICE_KINDS: readonly NoticeKind[] = ['correction', 'extension', 'delay', 'reasons', 'fee', 'reply'];

/** Two ideographic spaces (U+3000): the first-line indent of a paragraph in an official document. */
const INDENT = '\u3000\u3000';

/** Notices that state the remedies (D16): decisions that affect the applicant. */
const REMEDY_KINDS: readonly NoticeKind[] = ['correction', 'extension', 'delay', 'fee', 'reply'];

export function noticeKindForEvent(type: EventType): NoticeKind | null {
  for (const kind of NOTICE_KINDS) if (NOTICE_EVENTS[kind].includes(type)) return kind;
  return null;
}

/** Steps whose notice names the review organ and the court: the names are kept with the step (as printed). */
export function eventNamesRemedyBodies(type: EventType): boolean {
  const kind = noticeKindForEvent(type);
  return !!kind && REMEDY_KINDS.includes(kind);
}

/**
 * The position of the event a notice of this kind is written from (the latest), or -1 when the
 * request has no such notice. A withdrawal before receipt (D19) ends nothing that was received:
 * it has no reply notice.
 */
export function noticeEventIndex(kind: NoticeKind, events: ReadonlyArray<{ type: string }>): number {
  let received = false;
  let found = -1;
  events.forEach((e, i) => {
    if (e.type === 'registered' || e.type === 'receipt_confirmed') received = true;
    if (!(NOTICE_EVENTS[kind] as string[]).includes(e.type)) return;
    if (e.type === 'withdrawn' && !received) return;
    found = i;
  });
  return found;
}

export interface NoticeSource {
  agencyName: string;
  trackingNumber: string;
  applicantName: string;
  deliveryMethodLabel: string;
  /** The descriptions of the requested items, in order. */
  items: string[];
  /** The state right after `event`: a later step never rewrites an earlier letter. */
  state: RequestState;
  event: LifecycleEvent;
  calendar: WorkingCalendar;
  /** The current settings; names kept with the event when it was recorded win (as printed then). */
  remedyBodies: RemedyBodies;
}

export interface NoticeField {
  label: string;
  value: string;
}

export interface NoticeView {
  kind: NoticeKind;
  title: string;
  agencyName: string;
  trackingNumber: string;
  addressee: string | null;
  date: IsoDate;
  /** The date as printed: 2025年6月20日. */
  dateText: string;
  paragraphs: string[];
  /** Form lines of the 送达回证. */
  fields: NoticeField[];
  /** Lines left blank for signatures on paper. */
  signatures: string[];
  remedies: string | null;
  /** The 依据 line without its label; null when nothing is cited. */
  basis: string | null;
}

const D = chineseDate;

/** The names recorded with the step, or the current settings for steps recorded before they were kept. */
export function remedyBodiesOf(event: LifecycleEvent, fallback: RemedyBodies): RemedyBodies {
  const kept = event.data.remedyBodies as { reviewOrgan?: unknown; court?: unknown } | undefined;
  if (!kept || typeof kept !== 'object') return fallback;
  const name = (v: unknown) => (typeof v === 'string' && v.trim() ? v.trim() : null);
  return { reviewOrgan: name(kept.reviewOrgan), court: name(kept.court) };
}

/**
 * The reply date as a formal notice may state it: never a provisional one (D11) and never one
 * that still moves with an open pause. Null: the notice states the period in words only.
 */
function printableDue(s: NoticeSource): string | null {
  const due = computeDue(s.state, s.calendar, s.event.on);
  if (!due.dueOn || due.provisional || due.explanation.excluded.some((x) => x.open)) return null;
  return D(due.dueOn);
}

function received(s: NoticeSource): string {
  return `本机关于${D(s.state.receivedOn!)}收到您提出的政府信息公开申请（申请编号：${s.trackingNumber}）`;
}

/** The printable (and e-mailed) notice for one step. Never contains identity document numbers. */
export function buildNotice(kind: NoticeKind, s: NoticeSource): NoticeView {
  const d = s.event.data;
  const view: NoticeView = {
    kind,
    title: NOTICE_TITLES[kind],
    agencyName: s.agencyName,
    trackingNumber: s.trackingNumber,
    addressee: `${clause(s.applicantName)}：`,
    date: s.event.on,
    dateText: D(s.event.on),
    paragraphs: [],
    fields: [],
    signatures: [],
    remedies: null,
    basis: null,
  };
  const remedies = (subject: string, document: string) =>
    remediesText({ on: s.event.on, withholding: kind === 'reply' ? withholdingOf(s.state) : 'none', bodies: remedyBodiesOf(s.event, s.remedyBodies), subject, document });
  switch (kind) {
    case 'receipt': {
      const due = printableDue(s);
      return {
        ...view,
        basis: basisLine(['《条例》第三十一条、第三十三条']),
        paragraphs: [
          `本机关已收到您提出的政府信息公开申请（申请编号：${s.trackingNumber}），收到申请之日为${D(s.state.receivedOn!)}。`,
          `根据${REGULATIONS}第三十三条，本机关将自收到申请之日起20个工作日内予以答复${due ? `（即${due}前）` : ''}；需要延长答复期限的，将另行书面告知。征求第三方和其他机关意见所需时间不计算在答复期限内。`,
        ],
      };
    }
    case 'correction': {
      const note = clause(d.note) || '请明确所需政府信息的名称、文号或者便于本机关查询的其他特征性描述';
      return {
        ...view,
        basis: basisLine(['《条例》第三十条']),
        remedies: remedies('本告知', '本告知书'),
        paragraphs: [
          `${received(s)}。经审查，您的申请内容不够明确。根据${REGULATIONS}第三十条，现一次性告知您需要补正的事项：${note}。`,
          `请于${D(s.state.correction!.dueOn)}前补正。答复期限自本机关收到补正后的申请之日起重新计算。无正当理由逾期不补正的，视为放弃申请，本机关不再处理该政府信息公开申请。`,
        ],
      };
    }
    case 'extension': {
      const ext = s.state.extension!;
      const because = withoutLead(clause(ext.reason), ['因为', '因', '由于']);
      const due = printableDue(s);
      return {
        ...view,
        basis: basisLine(['《条例》第三十三条第二款']),
        remedies: remedies('本告知', '本告知书'),
        paragraphs: [
          `${received(s)}。${because ? `因${because}，` : ''}本机关无法在${REGULATIONS}第三十三条第二款规定的期限内作出答复。`,
          `经本机关政府信息公开工作机构负责人${clause(ext.approvedBy)}同意，答复期限延长${ext.days}个工作日${due ? `，本机关将于${due}前作出答复` : ''}。`,
        ],
      };
    }
    case 'delay': {
      const set = s.state.agencyDeadline!;
      const asked = s.state.reasonsRequested ? `，本机关已于${D(s.state.reasonsRequested.on)}要求您说明理由` : '';
      return {
        ...view,
        basis: basisLine(['《条例》第三十五条']),
        remedies: remedies('本告知', '本告知书'),
        paragraphs: [
          `${received(s)}。您申请公开政府信息的数量、频次明显超过合理范围${asked}。经审查，本机关认为申请理由合理，但无法在${REGULATIONS_DEFINED}第三十三条规定的期限内答复。`,
          `根据${REGULATIONS_SHORT}第三十五条，本机关确定延迟答复的合理期限，将于${D(set.dueOn)}前作出答复。${sentence('理由：', set.reason)}`,
        ],
      };
    }
    case 'reasons': {
      const asked = s.state.reasonsRequested!;
      const due = printableDue(s);
      return {
        ...view,
        basis: basisLine(['《条例》第三十五条']),
        paragraphs: [
          `${received(s)}。经审查，本机关认为您申请公开政府信息的数量、频次明显超过合理范围。`,
          `根据${REGULATIONS_DEFINED}第三十五条，请您以书面形式向本机关说明申请理由${clause(asked.note) ? `：${clause(asked.note)}` : ''}。`,
          `本机关认为申请理由不合理的，将告知您不予处理；认为申请理由合理，但无法在${REGULATIONS_SHORT}第三十三条规定的期限内答复的，将确定延迟答复的合理期限并告知您。`,
          `要求说明理由不中止答复期限，本机关将在答复期限内${due ? `（即${due}前）` : ''}依法处理您的申请。`,
        ],
      };
    }
    case 'consultation': {
      const agency = d.party === 'agency';
      const note = sentence('说明：', d.note);
      return {
        ...view,
        addressee: agency ? '有关机关：' : '有关第三方：',
        basis: basisLine([agency ? '《条例》第三十四条' : '《条例》第三十二条']),
        paragraphs: agency
          ? [
              `本机关收到一件政府信息公开申请（申请编号：${s.trackingNumber}），申请公开的政府信息由本机关与贵机关共同制作。${note}`,
              `根据${REGULATIONS}第三十四条，现书面征求贵机关意见。请自收到本征求意见书之日起15个工作日内提出意见；逾期未提出意见的，视为同意公开。`,
            ]
          : [
              `本机关收到一件政府信息公开申请（申请编号：${s.trackingNumber}），申请公开的政府信息可能损害您的合法权益。${note}`,
              `根据${REGULATIONS_DEFINED}第三十二条，现书面征求您的意见。请自收到本征求意见书之日起15个工作日内提出意见；逾期未提出意见的，由本机关依照${REGULATIONS_SHORT}的规定决定是否公开。您不同意公开且有合理理由的，本机关不予公开；但本机关认为不公开可能对公共利益造成重大影响的，可以决定予以公开，并将决定公开的内容和理由书面告知您。`,
            ],
      };
    }
    case 'fee': {
      const fee = s.state.fee!;
      // D18: 20 working days from the day after the applicant received the notice; a provisional date is not printed.
      const payByFirm = !s.calendar.addWorkingDays(fee.deliveredOn, FEE_PAYMENT_WORKING_DAYS).provisional;
      return {
        ...view,
        basis: basisLine(['《条例》第四十二条', FEE_MEASURES_FULL]),
        remedies: remedies('本通知', '本通知书'),
        paragraphs: [
          `${received(s)}。您申请公开政府信息的数量、频次明显超过合理范围，根据${REGULATIONS}第四十二条和${FEE_MEASURES_FULL}的规定，您需缴纳信息处理费${fee.amountYuan.toFixed(2)}元。${sentence('说明：', d.note)}`,
          `请自您收到本通知次日起20个工作日内${payByFirm ? `（即${D(fee.payBy)}前）` : ''}缴纳。逾期未缴纳的，视为放弃申请，本机关不再处理该政府信息公开申请。${fee.pausesClock ? '缴费期间不计算在答复期限内。' : ''}`,
        ],
      };
    }
    case 'reply':
      return {
        ...view,
        basis: replyBasis(s.state),
        remedies: remedies('本答复', '本告知书'),
        paragraphs: replyParagraphs({ trackingNumber: s.trackingNumber, deliveryMethodLabel: s.deliveryMethodLabel, items: s.items, state: s.state, on: s.event.on, data: d }),
      };
    case 'delivery': {
      const method = d.method as DeliveryWay;
      const methodLabel = DELIVERY_WAY_LABELS[method] ?? clause(d.method);
      const reference = clause(d.reference);
      // Paper needs signatures (D17); e-mail and download are proved by the system's record.
      const paper = method === 'post' || method === 'in_person';
      return {
        ...view,
        addressee: null,
        paragraphs: [`本机关于${D(s.event.on)}以${methodLabel}方式向${clause(s.applicantName)}送达${NOTICE_TITLES.reply}。`],
        fields: [
          { label: '受送达人', value: clause(s.applicantName) },
          { label: '送达文书名称', value: NOTICE_TITLES.reply },
          { label: '申请编号', value: s.trackingNumber },
          { label: '送达方式', value: methodLabel },
          { label: '送达日期', value: D(s.event.on) },
          { label: '送达凭证', value: reference || '无' },
        ],
        signatures: paper ? ['送达人（签名）：＿＿＿＿＿＿＿＿', '受送达人签收（签名）：＿＿＿＿＿＿＿＿', '签收日期：＿＿＿＿年＿＿月＿＿日'] : [],
      };
    }
  }
}

/** The notice as plain text: what the API returns and the e-mail carries, line for line as printed. */
export function noticeText(n: NoticeView): string {
  const lines = [n.agencyName, n.title, `申请编号：${n.trackingNumber}`, ''];
  if (n.addressee) lines.push(n.addressee);
  for (const p of n.paragraphs) lines.push(`${INDENT}${p}`);
  for (const f of n.fields) lines.push(`${f.label}：${f.value}`);
  if (n.remedies) lines.push(`${INDENT}${n.remedies}`);
  if (n.signatures.length) lines.push('', ...n.signatures);
  lines.push('', n.agencyName, n.dateText);
  if (n.basis) lines.push('', `依据：${n.basis}`);
  return lines.join('\n');
}
