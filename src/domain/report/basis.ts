import { ReportFormat } from './section3-layout';
import { Section4Basis } from './section4';

/** Section 4's counting choices an agency may make (D-decisions on the year a case counts in). */
export const SECTION4_BASIS_VALUES: Section4Basis[] = ['filed_in_year', 'concluded_or_pending'];
export const SECTION4_BASIS_LABELS: Record<Section4Basis, string> = {
  filed_in_year: '本年度受理的案件，按 12 月 31 日的状态统计（尚未审结的计入“尚未审结”）',
  concluded_or_pending: '本年度审结的案件，加上 12 月 31 日尚未审结的案件',
};
export const SECTION4_BASIS_KEYS = ['yearBasis', 'coDefendant'] as const;

/** 统计口径 printed under Section 3: how each row is counted (D1–D4, D12; fee pause setting). */
export function section3BasisText(format: ReportFormat, feePausesClock: boolean): Record<string, string> {
  return {
    format: format === '2021' ? '表式：2021 年格式（国办公开办函〔2021〕30号）' : '表式：2019 年试行格式（国办公开办函〔2019〕60号）；（六）其他处理为一行',
    unit: '统计单位：件。每件申请只计一次；区分处理或各项结果不同的，只计入“（二）部分公开”',
    newReceived: '本年新收：收到申请之日在本年度内；网上、传真、平常信函提交的，以双方确认之日为收到申请之日',
    results: '本年度办理结果：答复或终止之日在本年度内的申请，不论何年收到',
    carry: '上年结转、结转下年度：分别为 1 月 1 日、12 月 31 日仍在办理的申请',
    correction: '补正：按原收到申请之日统计；逾期不补正的计入（六）其他处理',
    fee: `收费：收费通知后暂停计算答复期限（设置：${feePausesClock ? '是' : '否'}）；逾期未缴费的计入（六）其他处理`,
    other: '申请人撤回等其他未经答复而终止的情形，计入（六）其他处理',
  };
}

/** 统计口径 printed under Section 4. */
export function section4BasisText(basis: Section4Basis): Record<(typeof SECTION4_BASIS_KEYS)[number], string> {
  return {
    yearBasis: `第四部分统计口径（设置）：${SECTION4_BASIS_LABELS[basis]}`,
    coDefendant: '本机关仅作为复议机关与原行政机关作共同被告的行政诉讼案件，不计入本机关报表（国办公开办函〔2016〕201号）',
  };
}
