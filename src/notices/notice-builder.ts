import { IsoDate } from '../domain/calendar';
import { LifecycleEvent, Outcome, OUTCOME_INFO, RequestState } from '../domain/lifecycle';

export const NOTICE_KINDS = ['receipt', 'correction', 'extension', 'delay', 'consultation', 'fee', 'reply'] as const;
export type NoticeKind = (typeof NOTICE_KINDS)[number];

export const NOTICE_TITLES: Record<NoticeKind, string> = {
  receipt: '政府信息公开申请登记回执',
  correction: '补正申请告知书',
  extension: '延期答复告知书',
  delay: '延迟答复告知书',
  consultation: '政府信息公开征求意见书',
  fee: '收费通知书',
  reply: '政府信息公开申请答复告知书',
};

/** Which event each notice is written from; the latest such event is used. */
export const NOTICE_EVENTS: Record<NoticeKind, LifecycleEvent['type'][]> = {
  receipt: ['registered', 'receipt_confirmed'],
  correction: ['correction_requested'],
  extension: ['extension_granted'],
  delay: ['deadline_set'],
  consultation: ['consultation_started'],
  fee: ['fee_notice_issued'],
  reply: ['decided', 'correction_lapsed', 'fee_lapsed', 'withdrawn'],
};

export function noticeKindForEvent(type: LifecycleEvent['type']): NoticeKind | null {
  for (const kind of NOTICE_KINDS) if (NOTICE_EVENTS[kind].includes(type)) return kind;
  return null;
}

export interface NoticeSource {
  agencyName: string;
  trackingNumber: string;
  applicantName: string;
  deliveryMethodLabel: string;
  state: RequestState;
  dueOn: IsoDate | null;
  dueIsProvisional: boolean;
  event: LifecycleEvent;
}

export interface NoticeView {
  kind: NoticeKind;
  title: string;
  agencyName: string;
  trackingNumber: string;
  addressee: string;
  date: IsoDate;
  paragraphs: string[];
  basis: string;
  remedies: string | null;
}

const REMEDIES =
  '如对本告知不服，可以自收到本告知书之日起六十日内依法申请行政复议，或者自收到本告知书之日起六个月内依法向人民法院提起行政诉讼。';

function text(data: Record<string, unknown>, key: string): string {
  const v = data[key];
  return typeof v === 'string' ? v : '';
}

/** The printable (and e-mailed) notice for one step. Never contains identity document numbers. */
export function buildNotice(kind: NoticeKind, s: NoticeSource): NoticeView {
  const d = s.event.data;
  const base = { kind, title: NOTICE_TITLES[kind], agencyName: s.agencyName, trackingNumber: s.trackingNumber, addressee: `${s.applicantName}：`, date: s.event.on, remedies: REMEDIES };
  const due = s.dueOn ? `${s.dueOn}${s.dueIsProvisional ? '（暂定，以国务院公布的节假日安排为准）' : ''}` : '';
  switch (kind) {
    case 'receipt':
      return {
        ...base,
        remedies: null,
        basis: '《中华人民共和国政府信息公开条例》第三十一条、第三十三条',
        paragraphs: [
          `本机关已收到您提出的政府信息公开申请（申请编号：${s.trackingNumber}），收到申请之日为 ${s.state.receivedOn}。`,
          `本机关将自收到申请之日起 20 个工作日内予以答复${due ? `，答复期限届满日为 ${due}` : ''}。征求第三方和其他机关意见所需时间不计算在答复期限内。`,
        ],
      };
    case 'correction':
      return {
        ...base,
        basis: '《中华人民共和国政府信息公开条例》第三十条',
        paragraphs: [
          `您于 ${s.state.receivedOn} 提出的政府信息公开申请（申请编号：${s.trackingNumber}）内容不够明确。根据《中华人民共和国政府信息公开条例》第三十条，现一次性告知您需要补正的事项：${text(d, 'note') || '请明确所需政府信息的名称、文号或者便于本机关查询的其他特征性描述'}。`,
          `请于 ${text(d, 'correctionDueOn')} 前补正。答复期限自本机关收到补正后的申请之日起重新计算。无正当理由逾期不补正的，视为放弃申请，本机关不再处理该政府信息公开申请。`,
        ],
      };
    case 'extension':
      return {
        ...base,
        basis: '《中华人民共和国政府信息公开条例》第三十三条第二款',
        paragraphs: [
          `您提出的政府信息公开申请（申请编号：${s.trackingNumber}），因${text(d, 'reason')}，本机关不能在 20 个工作日内作出答复。`,
          `经本机关政府信息公开工作机构负责人同意，答复期限延长 ${String(d.extraWorkingDays)} 个工作日${due ? `，延长后的答复期限届满日为 ${due}` : ''}。`,
        ],
      };
    case 'delay':
      return {
        ...base,
        basis: '《中华人民共和国政府信息公开条例》第三十五条',
        paragraphs: [
          `您提出的政府信息公开申请（申请编号：${s.trackingNumber}）数量、频次明显超过合理范围。理由：${text(d, 'reason')}。`,
          `根据《中华人民共和国政府信息公开条例》第三十五条，本机关确定延迟答复的期限为 ${text(d, 'dueOn')}。`,
        ],
      };
    case 'consultation': {
      const agency = d.party === 'agency';
      return {
        ...base,
        addressee: agency ? '有关机关：' : '有关第三方：',
        remedies: null,
        basis: agency ? '《中华人民共和国政府信息公开条例》第三十四条' : '《中华人民共和国政府信息公开条例》第三十二条',
        paragraphs: [
          `本机关收到一件政府信息公开申请（申请编号：${s.trackingNumber}），申请公开的政府信息${agency ? '由本机关与贵机关共同制作' : '可能损害您的合法权益'}。`,
          agency
            ? '根据《中华人民共和国政府信息公开条例》第三十四条，现书面征求贵机关意见。请自收到本征求意见书之日起 15 个工作日内提出意见；逾期未提出意见的，视为同意公开。'
            : '根据《中华人民共和国政府信息公开条例》第三十二条，现书面征求您的意见。请自收到本征求意见书之日起 15 个工作日内提出意见；逾期未提出意见的，由本机关依照《条例》的规定决定是否公开。您不同意公开且有合理理由的，本机关不予公开；但本机关认为不公开可能对公共利益造成重大影响的，可以决定予以公开，并将决定公开的内容和理由书面告知您。',
        ],
      };
    }
    case 'fee':
      return {
        ...base,
        basis: '《中华人民共和国政府信息公开条例》第四十二条；《政府信息公开信息处理费管理办法》（国办函〔2020〕109号）',
        paragraphs: [
          `您提出的政府信息公开申请（申请编号：${s.trackingNumber}）的数量、频次明显超过合理范围，根据《政府信息公开信息处理费管理办法》，需缴纳信息处理费 ${Number(d.amountYuan).toFixed(2)} 元。`,
          `请自收到本通知次日起 20 个工作日内（${s.state.fee?.payBy ?? ''} 前）缴纳。逾期未缴纳的，视为放弃申请，本机关不再处理该政府信息公开申请。${d.pausesClock !== false ? '缴费期间不计算在答复期限内。' : ''}`,
        ],
      };
    case 'reply':
      return { ...base, basis: replyBasis(s.state.outcome), paragraphs: replyParagraphs(s, d) };
  }
}

function replyBasis(outcome: Outcome | null): string {
  return outcome ? `《中华人民共和国政府信息公开条例》；${OUTCOME_INFO[outcome].basis}` : '《中华人民共和国政府信息公开条例》';
}

function replyParagraphs(s: NoticeSource, d: Record<string, unknown>): string[] {
  const outcome = s.state.outcome!;
  const info = OUTCOME_INFO[outcome];
  const opening = `您于 ${s.state.receivedOn} 提出的政府信息公开申请（申请编号：${s.trackingNumber}）收悉。经审查，现答复如下：`;
  const reason = text(d, 'reason');
  switch (info.family) {
    case 'granted':
      return [opening, `您申请获取的政府信息属于公开范围，本机关予以公开，将按您选择的方式（${s.deliveryMethodLabel}）提供。`];
    case 'partial':
      return [opening, `您申请获取的政府信息中，部分内容可以公开，本机关依照《条例》第三十七条予以区分处理，对可以公开的部分予以提供（${s.deliveryMethodLabel}）。对不予公开的部分，理由如下：${reason}`];
    case 'withheld':
      return [opening, `您申请获取的政府信息${info.label}，根据${info.basis}，本机关决定不予公开。理由：${reason}`];
    case 'unable':
      return [opening, `经检索查找，${info.label}，根据${info.basis}，本机关无法提供。${reason ? `说明：${reason}` : ''}`];
    case 'not_processed':
      return [opening, `您的申请属于“${info.label}”情形，根据${info.basis}，本机关不作为政府信息公开申请处理。${reason ? `说明：${reason}` : ''}`];
    case 'other':
      if (outcome === 'other_overdue_correction') {
        return [`本机关于 ${s.state.correction?.requestedOn} 告知您补正申请（申请编号：${s.trackingNumber}），补正期限为 ${s.state.correction?.dueOn}。您无正当理由逾期未补正，根据《条例》第三十条，视为放弃申请，本机关不再处理该政府信息公开申请。`];
      }
      if (outcome === 'other_unpaid_fee') {
        return [`本机关于 ${s.state.fee?.noticeOn} 向您发出收费通知（申请编号：${s.trackingNumber}），缴费期限为 ${s.state.fee?.payBy}。您逾期未缴纳信息处理费，视为放弃申请，本机关不再处理该政府信息公开申请。`];
      }
      return [`您已于 ${s.event.on} 撤回政府信息公开申请（申请编号：${s.trackingNumber}），本机关终止办理。`];
  }
}
