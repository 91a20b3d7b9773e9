import { IsoDate } from '../calendar';
import { Outcome, OUTCOME_INFO } from '../lifecycle/codes';
import { RequestState } from '../lifecycle/request-state';
import { chineseDate } from './chinese-date';
import { Withholding } from './remedies';
import { basisLine, chineseNumeral, clause, FEE_MEASURES, REGULATIONS, REGULATIONS_DEFINED, REGULATIONS_SHORT, sentence } from './wording';

/** What the reply notice is written from. */
export interface ReplyFacts {
  trackingNumber: string;
  deliveryMethodLabel: string;
  items: string[];
  state: RequestState;
  on: IsoDate;
  data: Record<string, unknown>;
}

interface Earlier {
  trackingNumber: string;
  concludedOn: IsoDate | null;
}

const D = chineseDate;

function familyOf(o: Outcome) {
  return OUTCOME_INFO[o].family;
}

/** D16: does the reply withhold anything, and is all of it withheld? */
export function withholdingOf(state: RequestState): Withholding {
  if (!state.outcome) return 'none';
  const withholds = (o: Outcome) => familyOf(o) === 'withheld' || o === 'partially_granted';
  const items = state.itemOutcomes ?? [];
  if (!withholds(state.outcome) && !items.some(withholds)) return 'none';
  return familyOf(state.outcome) === 'withheld' && items.every((o) => familyOf(o) === 'withheld') ? 'all' : 'part';
}

/** The articles of the Regulations a reply of this kind rests on, as cited in the notice. */
export function replyArticles(o: Outcome, referred: boolean): string | null {
  if (o === 'granted') return '第三十六条第（二）项';
  if (o === 'unable_not_held' && referred) return '第三十六条第（五）项';
  // Not a request for recorded government information (Art. 2): the Regulations give no row of Art. 36 for it.
  if (o === 'not_processed_confirm_or_reissue') return '第二条';
  if (o === 'other_unpaid_fee') return '第四十二条';
  const basis = OUTCOME_INFO[o].basis;
  return basis.startsWith(REGULATIONS_SHORT) ? basis.slice(REGULATIONS_SHORT.length) : null;
}

/** What a withheld item is, in the words of Arts. 14–16. */
const WITHHELD_FINDINGS: Partial<Record<Outcome, string>> = {
  withheld_state_secret: '属于国家秘密',
  withheld_law_prohibits: '属于法律、行政法规禁止公开的政府信息',
  withheld_three_security_one_stability: '公开后可能危及国家安全、公共安全、经济安全、社会稳定',
  withheld_third_party_rights: '涉及商业秘密、个人隐私等，公开会对第三方合法权益造成损害',
  withheld_internal_affairs: '属于人事管理、后勤管理、内部工作流程等方面的内部事务信息',
  withheld_process_info: '属于行政机关在履行行政管理职能过程中形成的讨论记录、过程稿、磋商信函、请示报告等过程性信息',
  withheld_law_enforcement_file: '属于行政执法案卷信息',
};

/** The short verdict of one item in the list. */
function verdict(o: Outcome): string {
  const label = OUTCOME_INFO[o].label;
  switch (familyOf(o)) {
    case 'granted':
      return '予以公开';
    case 'partial':
      return '部分公开';
    case 'withheld':
      return o === 'withheld_administrative_inquiry' ? '属于行政查询事项' : `不予公开（${label}）`;
    case 'unable':
      return `无法提供（${label}）`;
    case 'not_processed':
      if (o === 'not_processed_petition_complaint' || o === 'not_processed_publication') return `不作为政府信息公开申请处理（${label}）`;
      if (o === 'not_processed_repeat') return `不予重复处理（${label}）`;
      return `不予处理（${label}）`;
    default:
      return label;
  }
}

interface Context {
  f: ReplyFacts;
  referTo: RequestState['referTo'];
  earlier: Earlier | null;
  deliver: string;
}

function referral(c: Context): string {
  const r = c.referTo!;
  const contact = clause(r.contact);
  return `该政府信息由${clause(r.agency)}掌握${contact ? `，联系方式：${contact}` : ''}，您可以向其提出申请。`;
}

function earlierReply(c: Context): { on: string; number: string } {
  const e = c.earlier;
  return { on: e?.concludedOn ? `于${D(e.concludedOn)}` : '', number: e ? `（申请编号：${e.trackingNumber}）` : '' };
}

/** The reply to a single-item request (or one answered as a whole), for outcome `o`. */
function wholeReply(o: Outcome, c: Context, reason: string): string {
  const s = c.f.state;
  const cite = `根据${REGULATIONS_SHORT}${replyArticles(o, !!c.referTo) ?? ''}`;
  const note = sentence('说明：', reason);
  switch (o) {
    case 'granted':
      return `经审查，您申请公开的政府信息属于公开范围。${cite}，本机关予以公开，${c.deliver}${note}`;
    case 'partially_granted':
      return `经审查，您申请公开的政府信息中含有不应当公开的内容，但能够作区分处理。${cite}，本机关对可以公开的部分予以公开，${c.deliver}${sentence('对不予公开的部分，理由如下：', reason)}`;
    case 'withheld_administrative_inquiry':
      return `经审查，您申请公开的信息属于工商、不动产登记资料等信息，有关法律、行政法规对信息的获取有特别规定。${cite}，请您依照有关法律、行政法规的规定办理。${note}`;
    case 'unable_not_held':
      return c.referTo ? `经检索，本机关未制作或者获取您申请公开的政府信息。${cite}，现告知您：${referral(c)}${note}` : `经检索，本机关没有您申请公开的政府信息。${cite}，本机关无法提供。${note}`;
    case 'unable_needs_creation':
      return `经检索，本机关没有您所申请的现成政府信息，需要另行制作或者对现有政府信息进行加工、分析方能形成。${cite}，行政机关向申请人提供的信息应当是已制作或者获取的政府信息，本机关不需要另行制作或者加工、分析，因此无法提供。${note}`;
    case 'unable_unclear_after_correction': {
      const asked = s.correction ? `本机关已于${D(s.correction.requestedOn)}告知您补正申请${s.correction.receivedOn ? `，并于${D(s.correction.receivedOn)}收到您补正后的申请` : ''}。` : '';
      return `${asked}经审查，补正后的申请内容仍不明确，本机关无法据此确定您所需要的政府信息。${cite}，本机关无法提供。${note}`;
    }
    case 'not_processed_petition_complaint':
      return `经审查，您的申请系以政府信息公开申请的形式进行信访、投诉、举报等活动。${cite}，本机关不作为政府信息公开申请处理，您可以通过信访、投诉、举报等相应渠道提出。${note}`;
    case 'not_processed_repeat': {
      const e = earlierReply(c);
      return `经审查，本机关已${e.on}就您申请公开的相同政府信息作出答复${e.number}，您本次申请公开的是相同的政府信息。${cite}，本机关不予重复处理。${note}`;
    }
    case 'not_processed_publication':
      return `经审查，您申请获取的是政府公报、报刊、书籍等公开出版物。${cite}，本机关不作为政府信息公开申请处理，您可以通过公开出版物的发行、销售、借阅等途径获取。${note}`;
    case 'not_processed_excessive': {
      const asked = s.reasonsRequested
        ? `您申请公开政府信息的数量、频次明显超过合理范围，本机关已于${D(s.reasonsRequested.on)}要求您说明理由。经审查，本机关认为申请理由不合理。`
        : '经审查，您申请公开政府信息的数量、频次明显超过合理范围，且申请理由不合理。';
      return `${asked}${cite}，本机关不予处理。${sentence('理由：', reason)}`;
    }
    case 'not_processed_confirm_or_reissue':
      return `经审查，您的申请系要求本机关确认或者重新出具您已获取的信息，不属于申请获取${REGULATIONS_SHORT}第二条所称的政府信息，本机关不予处理。${note}`;
    default: {
      // Arts. 14–16: not disclosed.
      const finding = WITHHELD_FINDINGS[o] ?? OUTCOME_INFO[o].label;
      return `经审查，您申请公开的政府信息${finding}。${cite}，本机关决定不予公开。${sentence('理由：', reason)}`;
    }
  }
}

/** One line of the item list: "二、听证笔录：不予公开（…）。理由：…。依据《条例》第十五条。" */
function itemLine(n: number, description: string, o: Outcome, c: Context, reason: string): string {
  const head = `${chineseNumeral(n)}、${clause(description) || `第${chineseNumeral(n)}项`}：${verdict(o)}。`;
  if (o === 'granted') return `${head}${sentence('说明：', reason)}`;
  const articles = replyArticles(o, !!c.referTo);
  const cite = articles ? `依据${REGULATIONS_SHORT}${articles}。` : '';
  const note = sentence('说明：', reason);
  const because = sentence('理由：', reason);
  switch (o) {
    case 'partially_granted':
      return `${head}${sentence('对不予公开的部分，理由：', reason)}${cite}`;
    case 'withheld_administrative_inquiry':
      return `${head}请您依照有关法律、行政法规的规定办理。${note}${cite}`;
    case 'unable_not_held':
      return `${head}${c.referTo ? referral(c) : ''}${note}${cite}`;
    case 'unable_needs_creation':
      return `${head}本机关不需要另行制作或者对现有政府信息进行加工、分析。${note}${cite}`;
    case 'not_processed_petition_complaint':
      return `${head}您可以通过信访、投诉、举报等相应渠道提出。${note}${cite}`;
    case 'not_processed_repeat': {
      const e = earlierReply(c);
      return `${head}本机关已${e.on}就相同的政府信息作出答复${e.number}。${note}${cite}`;
    }
    case 'not_processed_publication':
      return `${head}您可以通过公开出版物的发行、销售、借阅等途径获取。${note}${cite}`;
    case 'not_processed_excessive':
      return `${head}${because}${cite}`;
    default:
      return `${head}${familyOf(o) === 'withheld' ? because : note}${cite}`;
  }
}

function receivedSentence(f: ReplyFacts): string {
  const s = f.state;
  const corrected = s.correction?.receivedOn ? `，并于${D(s.correction.receivedOn)}收到您补正后的申请` : '';
  return `本机关于${D(s.receivedOn!)}收到您提出的政府信息公开申请（申请编号：${f.trackingNumber}）${corrected}。`;
}

function earlierOf(data: Record<string, unknown>): Earlier | null {
  const e = data.repeatOf as { trackingNumber?: unknown; concludedOn?: unknown } | undefined;
  if (!e || typeof e.trackingNumber !== 'string' || !e.trackingNumber) return null;
  return { trackingNumber: e.trackingNumber, concludedOn: typeof e.concludedOn === 'string' ? e.concludedOn : null };
}

/** The paragraphs of the reply notice (Arts. 36–39; D1 every item and its ground; D21 referral). */
export function replyParagraphs(f: ReplyFacts): string[] {
  const s = f.state;
  const outcome = s.outcome!;
  const c: Context = { f, referTo: s.referTo, earlier: earlierOf(f.data), deliver: `现按您选择的获取方式提供：${clause(f.deliveryMethodLabel)}。` };
  const reason = clause(f.data.reason);
  const received = receivedSentence(f);
  switch (outcome) {
    case 'other_overdue_correction': {
      const k = s.correction!;
      return [
        received,
        `本机关于${D(k.requestedOn)}向您发出补正申请告知书，补正期限至${D(k.dueOn)}。您无正当理由逾期未补正，根据${REGULATIONS}第三十条，视为放弃申请，本机关不再处理该政府信息公开申请。`,
      ];
    }
    case 'other_unpaid_fee': {
      const fee = s.fee!;
      const got = fee.deliveredOn !== fee.noticeOn ? `，您于${D(fee.deliveredOn)}收到` : '';
      return [
        received,
        `本机关于${D(fee.noticeOn)}向您发出收费通知书${got}，缴费期限至${D(fee.payBy)}。您逾期未缴纳信息处理费，根据${REGULATIONS}第四十二条和${FEE_MEASURES}的规定，视为放弃申请，本机关不再处理该政府信息公开申请。`,
      ];
    }
    case 'other_other':
      return [received, `您已于${D(f.on)}撤回该申请，本机关不再处理该政府信息公开申请。`];
  }
  const items = s.itemOutcomes ?? [];
  if (items.length < 2) return [`${received}根据${REGULATIONS_DEFINED}的规定，现答复如下：`, wholeReply(outcome, c, reason)];

  let reasonUsed = false;
  const lines = items.map((o, i) => {
    const own = clause(s.itemReasons?.[i]);
    // The reply's reason explains the items answered on its principal ground, and any withheld item without its own.
    const shared = !own && reason && o !== 'granted' && (o === outcome || familyOf(o) === 'withheld' || o === 'partially_granted');
    if (shared) reasonUsed = true;
    return itemLine(i + 1, f.items[i] ?? '', o, c, own || (shared ? reason : ''));
  });
  const disclosed = items.some((o) => o === 'granted' || o === 'partially_granted');
  const out = [`${received}根据${REGULATIONS_DEFINED}的规定，现对您申请的各项内容分别答复如下：`, ...lines];
  if (disclosed) out.push(`根据${REGULATIONS_SHORT}第三十六条第（二）项，对予以公开的信息，本机关按您选择的获取方式提供：${clause(f.deliveryMethodLabel)}。`);
  if (reason && !reasonUsed) out.push(`说明：${reason}。`);
  return out;
}

/** The 依据 line of a reply: the principal ground, then the other items' grounds. */
export function replyBasis(state: RequestState): string | null {
  const outcome = state.outcome;
  if (!outcome || outcome === 'other_other') return null;
  const referred = !!state.referTo;
  const refs = [replyArticles(outcome, referred)];
  for (const o of state.itemOutcomes ?? []) if (o !== outcome && !(o === 'granted' && outcome === 'partially_granted')) refs.push(replyArticles(o, referred));
  const line = refs.filter((r): r is string => !!r).map((r) => `${REGULATIONS_SHORT}${r}`);
  if (outcome === 'other_unpaid_fee') line.push(FEE_MEASURES);
  return basisLine(line);
}
