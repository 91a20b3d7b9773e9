import { toHalfWidth } from '../domain/applicants';
import { APPLICANT_TYPE_LABELS, CHANNEL_LABELS, CONSULTATION_PARTY_LABELS, DELIVERY_METHOD_LABELS, OUTCOME_INFO, Outcome, OUTCOMES } from '../domain/lifecycle';
import { section3Rows } from '../domain/report';

/** The ledger columns, documented in README.md and docs/ledger-sample.csv. */
export const LEDGER_COLUMNS = [
  'applicant_type',
  'applicant_name',
  'id_document_number',
  'organisation_code',
  'phone',
  'email',
  'address',
  'channel',
  'received_on',
  'description',
  'delivery_method',
  'correction_requested_on',
  'correction_due_on',
  'correction_received_on',
  'consultation_party',
  'consultation_started_on',
  'consultation_ended_on',
  'fee_notice_on',
  'fee_amount_yuan',
  'fee_paid_on',
  'extension_on',
  'extension_days',
  'extension_approved_by',
  'extension_reason',
  'outcome',
  'concluded_on',
  'reason',
] as const;
export type LedgerColumn = (typeof LEDGER_COLUMNS)[number];
export type Column = LedgerColumn;
export const REQUIRED_COLUMNS: readonly Column[] = ['applicant_type', 'applicant_name', 'channel', 'received_on', 'description'];
export const REQUIRED = REQUIRED_COLUMNS;
export const DATE_COLUMNS = LEDGER_COLUMNS.filter((c) => c.endsWith('_on'));
export const NUMBER_COLUMNS: readonly Column[] = ['fee_amount_yuan', 'extension_days'];

/** The Chinese column headings of a ledger (the sample file's); the English names work as well. */
export const LEDGER_COLUMN_TITLES: Record<Column, string> = {
  applicant_type: '申请人类型',
  applicant_name: '申请人姓名或名称',
  id_document_number: '身份证件号码',
  organisation_code: '统一社会信用代码',
  phone: '联系电话',
  email: '电子邮箱',
  address: '通信地址',
  channel: '申请方式',
  received_on: '收到申请日期',
  description: '申请内容',
  delivery_method: '获取信息方式',
  correction_requested_on: '补正告知日期',
  correction_due_on: '补正期限',
  correction_received_on: '收到补正日期',
  consultation_party: '征求意见对象',
  consultation_started_on: '征求意见日期',
  consultation_ended_on: '征求意见结束日期',
  fee_notice_on: '收费通知日期',
  fee_amount_yuan: '收费金额（元）',
  fee_paid_on: '缴费日期',
  extension_on: '延期日期',
  extension_days: '延长工作日数',
  extension_approved_by: '延期批准人',
  extension_reason: '延期理由',
  outcome: '办理结果',
  concluded_on: '办结日期',
  reason: '理由说明',
};

/** A heading as compared: half-width, no spaces, no "*" or "（必填）" marks. */
export function headingKey(heading: string): string {
  return toHalfWidth(heading)
    .replace(/\s+/g, '')
    .replace(/^\*+|\*+$/g, '')
    .replace(/\((必填|选填|可选)\)$/, '')
    .toLowerCase();
}
export const COLUMN_BY_HEADING = new Map<string, Column>(LEDGER_COLUMNS.flatMap((c) => [[headingKey(c), c] as [string, Column], [headingKey(LEDGER_COLUMN_TITLES[c]), c] as [string, Column]]));

/** A value as compared: half-width, no spaces. */
function valueKey(value: string): string {
  return toHalfWidth(value).replace(/\s+/g, '');
}
/** "邮寄（需签收）" → "邮寄"; "1.属于国家秘密" → "属于国家秘密"; "（一）予以公开" → "予以公开". */
function bareLabel(label: string): string {
  return valueKey(label)
    .replace(/^\([一二三四五六七]\)\d*/, '')
    .replace(/^\d+\./, '')
    .replace(/\([^)]*\)$/, '');
}

/** Outcomes by their words in the report: OUTCOME_INFO's label, its row, and the Section 3 row of the 2021 format. */
function outcomeLabels(): Record<string, string[]> {
  const labels: Record<string, string[]> = {};
  for (const o of OUTCOMES) labels[o] = [OUTCOME_INFO[o].label, `${OUTCOME_INFO[o].row}${OUTCOME_INFO[o].label}`];
  for (const row of section3Rows('2021')) if (row.kind === 'result' && row.outcomes.length === 1) labels[row.outcomes[0]].push(row.label);
  return labels;
}

const asLists = (labels: Record<string, string>): Record<string, string[]> => Object.fromEntries(Object.entries(labels).map(([code, label]) => [code, [label]]));

/** The columns whose cells are codes, each code with the Chinese words that mean it (from the domain's labels). */
export const LEDGER_VALUE_LABELS: Partial<Record<Column, Record<string, string[]>>> = {
  applicant_type: asLists(APPLICANT_TYPE_LABELS),
  channel: asLists(CHANNEL_LABELS),
  delivery_method: asLists(DELIVERY_METHOD_LABELS),
  consultation_party: asLists(CONSULTATION_PARTY_LABELS),
  outcome: outcomeLabels(),
};

/**
 * The code a cell means: the code itself, one of its labels (with or without its bracketed
 * note or its row number), or the start of exactly one label ("当面" for 当面提交); null if none
 * or more than one code fits.
 */
export function ledgerCode(column: Column, value: string): string | null {
  const table = LEDGER_VALUE_LABELS[column];
  if (!table) return value;
  const text = value.trim();
  if (Object.hasOwn(table, text)) return text;
  const key = valueKey(text);
  if (!key) return null;
  const exact = Object.entries(table).filter(([, labels]) => labels.some((l) => valueKey(l) === key || bareLabel(l) === key));
  if (exact.length === 1) return exact[0][0];
  if (exact.length > 1 || key.length < 2) return null;
  const prefix = Object.entries(table).filter(([, labels]) => labels.some((l) => bareLabel(l).startsWith(key)));
  return prefix.length === 1 ? prefix[0][0] : null;
}

/** One line of the import page's column table. */
export interface LedgerColumnGuide {
  title: string;
  name: string;
  required: boolean;
  accepts: string;
}

const COLUMN_FORMATS: Partial<Record<Column, string>> = {
  applicant_name: '个人填姓名，组织填名称（与网上登记表单同一规则）',
  id_document_number: '18 位居民身份证号码或其他证件号码；全角数字可以',
  organisation_code: '18 位统一社会信用代码，核对校验位',
  phone: '手机 11 位或带区号的固定电话，可含空格、横线',
  description: '最多 5000 字',
  fee_amount_yuan: '金额（元），数字',
  extension_days: '延长的工作日数，不超过 20',
  reason: '不予公开、部分公开等答复的理由',
};

/** The import page's table of columns: heading, English name, whether required, what it accepts. */
export function ledgerColumnGuide(): LedgerColumnGuide[] {
  return LEDGER_COLUMNS.map((c) => ({
    title: LEDGER_COLUMN_TITLES[c],
    name: c,
    required: REQUIRED.includes(c),
    accepts: LEDGER_VALUE_LABELS[c]
      ? acceptedValues(c).join('、')
      : (DATE_COLUMNS as readonly Column[]).includes(c)
        ? '日期，如 2025-03-07、2025/3/7 或 2025年3月7日；Excel 的日期单元格也可以'
        : (COLUMN_FORMATS[c] ?? '文字'),
  }));
}

/** What a column accepts, in words, for the import page and the messages. */
export function acceptedValues(column: Column): string[] {
  const table = LEDGER_VALUE_LABELS[column];
  if (!table) return [];
  return Object.entries(table).map(([code, labels]) => `${column === 'outcome' ? OUTCOME_INFO[code as Outcome].label : labels[0]}（${code}）`);
}
