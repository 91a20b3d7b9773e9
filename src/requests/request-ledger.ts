import { APPLICANT_TYPE_LABELS, ApplicantType, CHANNEL_LABELS, Channel, DueResult, OUTCOME_INFO, RequestState, STATUS_LABELS } from '../domain/lifecycle';

/**
 * The request ledger (依申请公开台账): one line per application. Applicant names are in it, as
 * the register of Regs Art. 45 needs them; identity numbers and contact details never are.
 */
export const LEDGER_COLUMNS: ReadonlyArray<{ header: string; width: number }> = [
  { header: '申请编号', width: 14 },
  { header: '收到申请之日', width: 13 },
  { header: '提交渠道', width: 14 },
  { header: '申请人类型', width: 12 },
  { header: '申请人姓名或名称', width: 22 },
  { header: '申请内容', width: 60 },
  { header: '答复期限', width: 12 },
  { header: '延期（工作日数/批准日期）', width: 26 },
  { header: '办结日期', width: 12 },
  { header: '办理结果', width: 34 },
  { header: '是否按期', width: 10 },
  { header: '送达日期', width: 12 },
];

export interface LedgerSource {
  trackingNumber: string;
  channel: string;
  applicantType: string;
  applicantName: string;
  description: string;
  state: RequestState;
  due: DueResult;
}

/**
 * 按期 / 逾期 / 未办结, from the clock the API's `overdue` comes from: a reply after the due date
 * in force is late for good (D15), and so is an application still open past it.
 */
export function timelinessLabel(state: RequestState, due: DueResult): string {
  if (state.status === 'withdrawn') return '';
  if (due.overdue) return '逾期';
  return state.status === 'concluded' ? '按期' : '未办结';
}

function outcomeText(state: RequestState): string {
  if (state.outcome) {
    const info = OUTCOME_INFO[state.outcome];
    return info ? `${info.row}${info.label}` : state.outcome;
  }
  // Only a filtered export can hold a submission withdrawn before receipt: say so, it has no outcome (D19).
  return state.status === 'withdrawn' ? STATUS_LABELS.withdrawn : '';
}

export function ledgerRow(s: LedgerSource): string[] {
  const { state, due } = s;
  return [
    s.trackingNumber,
    state.receivedOn ?? '',
    CHANNEL_LABELS[s.channel as Channel] ?? s.channel,
    APPLICANT_TYPE_LABELS[s.applicantType as ApplicantType] ?? s.applicantType,
    s.applicantName,
    s.description,
    due.dueOn ?? '',
    state.extension ? `${state.extension.days}/${state.extension.on}` : '',
    state.concludedOn ?? '',
    outcomeText(state),
    timelinessLabel(state, due),
    state.deliveries[0]?.on ?? '',
  ];
}
