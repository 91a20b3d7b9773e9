import { APPLICANT_TYPES, Outcome, OUTCOMES } from '../lifecycle/codes';

export type ReportFormat = '2019' | '2021';
export const REPORT_FORMATS: ReportFormat[] = ['2019', '2021'];

/** D12: 2019 and 2020 reports use the 2019 format, 2021 and later the 2021 format. */
export function defaultFormatFor(year: number): ReportFormat {
  return year <= 2020 ? '2019' : '2021';
}

export const SECTION3_COLUMNS = [...APPLICANT_TYPES, 'total'] as const;
export type Section3Column = (typeof SECTION3_COLUMNS)[number];

export const SECTION3_CORNER_NOTE = '（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）';
export const SECTION3_TITLE = '三、收到和处理政府信息公开申请情况';
export const RESULTS_LABEL = '三、本年度办理结果';

export interface Section3RowSpec {
  key: string;
  label: string;
  /** The row-spanning group label, e.g. （三）不予公开; null for rows without one. */
  group: string | null;
  /** 'result' rows sit under 三、本年度办理结果. */
  kind: 'top' | 'result' | 'total' | 'bottom';
  /** The outcome codes counted in the row (result rows only). */
  outcomes: Outcome[];
}

const WITHHELD = '（三）不予公开';
const UNABLE = '（四）无法提供';
const NOT_PROCESSED = '（五）不予处理';
const OTHER_2021 = '（六）其他处理';

const result = (key: Outcome, label: string, group: string | null): Section3RowSpec => ({ key, label, group, kind: 'result', outcomes: [key] });

/** The Section 3 rows in the official order, labels verbatim (domain.md §3). */
export function section3Rows(format: ReportFormat): Section3RowSpec[] {
  const rows: Section3RowSpec[] = [
    { key: 'new_received', label: '一、本年新收政府信息公开申请数量', group: null, kind: 'top', outcomes: [] },
    { key: 'carried_over_from_last_year', label: '二、上年结转政府信息公开申请数量', group: null, kind: 'top', outcomes: [] },
    result('granted', '（一）予以公开', null),
    result('partially_granted', '（二）部分公开（区分处理的，只计这一情形，不计其他情形）', null),
    result('withheld_state_secret', '1.属于国家秘密', WITHHELD),
    result('withheld_law_prohibits', '2.其他法律行政法规禁止公开', WITHHELD),
    result('withheld_three_security_one_stability', '3.危及“三安全一稳定”', WITHHELD),
    result('withheld_third_party_rights', '4.保护第三方合法权益', WITHHELD),
    result('withheld_internal_affairs', '5.属于三类内部事务信息', WITHHELD),
    result('withheld_process_info', '6.属于四类过程性信息', WITHHELD),
    result('withheld_law_enforcement_file', '7.属于行政执法案卷', WITHHELD),
    result('withheld_administrative_inquiry', '8.属于行政查询事项', WITHHELD),
    result('unable_not_held', '1.本机关不掌握相关政府信息', UNABLE),
    result('unable_needs_creation', '2.没有现成信息需要另行制作', UNABLE),
    result('unable_unclear_after_correction', '3.补正后申请内容仍不明确', UNABLE),
    result('not_processed_petition_complaint', '1.信访举报投诉类申请', NOT_PROCESSED),
    result('not_processed_repeat', '2.重复申请', NOT_PROCESSED),
    result('not_processed_publication', '3.要求提供公开出版物', NOT_PROCESSED),
    result('not_processed_excessive', '4.无正当理由大量反复申请', NOT_PROCESSED),
    result('not_processed_confirm_or_reissue', '5.要求行政机关确认或重新出具已获取信息', NOT_PROCESSED),
  ];
  if (format === '2021') {
    rows.push(
      result('other_overdue_correction', '1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请', OTHER_2021),
      result('other_unpaid_fee', '2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请', OTHER_2021),
      result('other_other', '3.其他', OTHER_2021),
    );
  } else {
    // 2019 format: the three （六） rows fold into one (D12).
    rows.push({ key: 'other', label: '（六）其他处理', group: null, kind: 'result', outcomes: ['other_overdue_correction', 'other_unpaid_fee', 'other_other'] });
  }
  rows.push(
    { key: 'concluded_total', label: '（七）总计', group: null, kind: 'total', outcomes: [] },
    { key: 'carried_to_next_year', label: '四、结转下年度继续办理', group: null, kind: 'bottom', outcomes: [] },
  );
  return rows;
}

/** The leaf result row an outcome is counted in, for a format. */
export function resultRowFor(outcome: string, format: ReportFormat): string | null {
  if (!(OUTCOMES as readonly string[]).includes(outcome)) return null;
  if (format === '2019' && outcome.startsWith('other_')) return 'other';
  return outcome;
}

export const SECTION4_TITLE = '四、政府信息公开行政复议、行政诉讼情况';
export const SECTION4_GROUPS = ['review', 'litigation_direct', 'litigation_after_review'] as const;
export type Section4Group = (typeof SECTION4_GROUPS)[number];
export const SECTION4_COLUMNS = ['upheld', 'corrected', 'other', 'pending', 'total'] as const;
export type Section4Column = (typeof SECTION4_COLUMNS)[number];
export const SECTION4_COLUMN_LABELS: Record<Section4Column, string> = {
  upheld: '结果维持',
  corrected: '结果纠正',
  other: '其他结果',
  pending: '尚未审结',
  total: '总计',
};
export const SECTION4_GROUP_LABELS: Record<Section4Group, string> = {
  review: '行政复议',
  litigation_direct: '未经复议直接起诉',
  litigation_after_review: '复议后起诉',
};
