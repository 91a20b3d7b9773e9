import { IsoDate } from '../calendar';
import { APPLICANT_TYPES } from '../lifecycle/codes';
import { ReportFormat, resultRowFor, section3Rows, SECTION3_COLUMNS, Section3RowSpec } from './section3-layout';

/** Where a date falls relative to the report year. */
export type YearPosition = 'before' | 'in' | 'after';

/**
 * Aggregated records: how many applications of one applicant type have their receipt date and
 * conclusion date in each position relative to the year, with which outcome. The database
 * produces these with one GROUP BY; tests produce them from records. Outcome is kept only
 * for applications concluded in the year.
 */
export interface Section3Bucket {
  applicantType: string;
  received: YearPosition;
  concluded: YearPosition | 'open';
  outcome: string | null;
  count: number;
}

export interface ReportRecord {
  id: string;
  applicantType: string;
  receivedOn: IsoDate | null;
  concludedOn: IsoDate | null;
  outcome: string | null;
}

export interface CheckResult {
  rule: 'R1' | 'R2' | 'R3' | 'R4' | 'R5' | 'R6';
  ok: boolean;
  detail: string;
  /** R5 only warns. */
  severity: 'error' | 'warning';
}

export interface Section3Table {
  year: number;
  format: ReportFormat;
  columns: string[];
  rows: Record<string, number[]>;
  checks: CheckResult[];
}

function position(date: IsoDate, year: number): YearPosition {
  const y = Number(date.slice(0, 4));
  return y < year ? 'before' : y > year ? 'after' : 'in';
}

/**
 * D2–D4 for one record: unconfirmed submissions (no receipt date) are not counted at all;
 * records received after the year or concluded before it do not touch the year.
 */
export function bucketOf(r: ReportRecord, year: number): Omit<Section3Bucket, 'count'> | null {
  if (!r.receivedOn) return null;
  const received = position(r.receivedOn, year);
  const concluded = r.concludedOn ? position(r.concludedOn, year) : 'open';
  if (!COUNTED_IN_YEAR.received.includes(received) || !COUNTED_IN_YEAR.concluded.includes(concluded)) return null;
  return { applicantType: r.applicantType, received, concluded, outcome: concluded === 'in' ? r.outcome : null };
}

export function bucketsFromRecords(records: ReportRecord[], year: number): Section3Bucket[] {
  const map = new Map<string, Section3Bucket>();
  for (const r of records) {
    const b = bucketOf(r, year);
    if (!b) continue;
    const key = `${b.applicantType}|${b.received}|${b.concluded}|${b.outcome}`;
    const found = map.get(key);
    if (found) found.count++;
    else map.set(key, { ...b, count: 1 });
  }
  return [...map.values()];
}

/** Where the conclusion date falls; 'open' while the request is not concluded. */
export type ConclusionPosition = YearPosition | 'open';

/**
 * Which records a row counts, by where their receipt and conclusion dates fall relative to the
 * year and (result rows) their outcome: the one definition that rowsOf, the bucket query and the
 * drill-down query all use.
 */
export interface Section3RowCondition {
  received: readonly YearPosition[];
  concluded: readonly ConclusionPosition[];
  /** Result rows only; null: any outcome. */
  outcomes: readonly string[] | null;
}

/**
 * D2–D4: the records a year counts at all. Received by the end of the year (an unconfirmed
 * submission has no receipt date and is never counted) and not concluded before it began.
 */
export const COUNTED_IN_YEAR: Pick<Section3RowCondition, 'received' | 'concluded'> = { received: ['before', 'in'], concluded: ['in', 'after', 'open'] };

/** The records of one Section 3 row (D1–D4). */
export function section3RowCondition(spec: Pick<Section3RowSpec, 'key' | 'kind' | 'outcomes'>): Section3RowCondition {
  const { received, concluded } = COUNTED_IN_YEAR;
  switch (spec.kind) {
    case 'top':
      // 一 received in the year; 二 carried over: received before it and still open on 1 January.
      return { received: spec.key === 'new_received' ? ['in'] : ['before'], concluded, outcomes: null };
    case 'result':
      return { received, concluded: ['in'], outcomes: spec.outcomes };
    case 'total':
      return { received, concluded: ['in'], outcomes: null };
    case 'bottom':
      // 四 carried to next year: still open on 31 December.
      return { received, concluded: ['after', 'open'], outcomes: null };
  }
}

export function matchesRowCondition(c: Section3RowCondition, b: Omit<Section3Bucket, 'count' | 'applicantType'>): boolean {
  return c.received.includes(b.received) && c.concluded.includes(b.concluded) && (c.outcomes === null || (b.outcome !== null && c.outcomes.includes(b.outcome)));
}

/** rowsOf's answers by format and bucket position: a roll-up places tens of thousands of buckets, each in one of a few hundred ways. */
const ROWS_OF = new Map<string, readonly string[]>();

/** The rows one record is counted in, in table order (for drill-down and snapshots); the total column is implied. */
export function rowsOf(b: Omit<Section3Bucket, 'count'>, format: ReportFormat): string[] {
  const key = `${format}|${b.received}|${b.concluded}|${b.outcome}`;
  let rows = ROWS_OF.get(key);
  if (!rows) {
    rows = Object.freeze(
      section3Rows(format)
        .filter((spec) => matchesRowCondition(section3RowCondition(spec), b))
        .map((spec) => spec.key),
    );
    // Outcomes are codes (a few dozen), but a stored value is not trusted to be one: the cache stays bounded.
    if (ROWS_OF.size < 10_000) ROWS_OF.set(key, rows);
  }
  return [...rows];
}

const zeros = () => Array(SECTION3_COLUMNS.length).fill(0) as number[];

/**
 * Section 3 (D1–D4, D12) from buckets, with the check relations R1–R4 and R6.
 * R5 needs last year's table: see checkCarryOver.
 */
export function compileSection3(buckets: Section3Bucket[], year: number, format: ReportFormat): Section3Table {
  const specs = section3Rows(format);
  const rows: Record<string, number[]> = Object.fromEntries(specs.map((s) => [s.key, zeros()]));
  const totalIndex = SECTION3_COLUMNS.length - 1;
  const unclassified: string[] = [];
  let unknownTypes = 0;
  let concludedCount = 0;
  for (const b of buckets) {
    const col = (APPLICANT_TYPES as readonly string[]).indexOf(b.applicantType);
    if (col < 0) {
      unknownTypes += b.count;
      continue;
    }
    for (const key of rowsOf(b, format)) {
      rows[key][col] += b.count;
      rows[key][totalIndex] += b.count;
    }
    if (b.concluded === 'in') {
      concludedCount += b.count;
      if (!b.outcome || !resultRowFor(b.outcome, format)) unclassified.push(`${b.outcome ?? '（无结果）'}×${b.count}`);
    }
  }
  // （七）总计 is the count of applications concluded in the year; R2 checks it against the leaf rows.
  const leafKeys = specs.filter((s) => s.kind === 'result').map((s) => s.key);
  const table: Section3Table = { year, format, columns: [...SECTION3_COLUMNS], rows, checks: [] };
  table.checks = checkSection3(table, leafKeys, { unclassified, unknownTypes, concludedCount });
  return table;
}

function checkSection3(t: Section3Table, leafKeys: string[], extra: { unclassified: string[]; unknownTypes: number; concludedCount: number }): CheckResult[] {
  const r = t.rows;
  const cols = t.columns.length;
  const failures = (fn: (c: number) => boolean) => [...Array(cols).keys()].filter((c) => !fn(c)).map((c) => t.columns[c]);
  const r1 = failures((c) => r.new_received[c] + r.carried_over_from_last_year[c] === r.concluded_total[c] + r.carried_to_next_year[c]);
  const r2 = failures((c) => leafKeys.reduce((n, k) => n + r[k][c], 0) === r.concluded_total[c]);
  const r3 = Object.keys(r).filter((k) => r[k].slice(0, cols - 1).reduce((a, b) => a + b, 0) !== r[k][cols - 1]);
  const leafSum = leafKeys.reduce((n, k) => n + r[k][cols - 1], 0);
  return [
    {
      rule: 'R1',
      ok: r1.length === 0,
      severity: 'error',
      detail: r1.length ? `以下各列 第一项+第二项 ≠ 第三项（七）总计+第四项：${r1.join('、')}` : '每一列：第一项加第二项之和，等于第三项加第四项之和。',
    },
    { rule: 'R2', ok: r2.length === 0, severity: 'error', detail: r2.length ? `以下各列（七）总计不等于各办理结果之和：${r2.join('、')}` : '（七）总计等于各项办理结果之和。' },
    {
      rule: 'R3',
      ok: r3.length === 0 && extra.unknownTypes === 0,
      severity: 'error',
      detail:
        r3.length || extra.unknownTypes ? `总计列不等于六类申请人之和：${r3.join('、')}${extra.unknownTypes ? `；${extra.unknownTypes} 件申请人类型无效` : ''}` : '每一行：总计等于六类申请人之和。',
    },
    {
      rule: 'R4',
      ok: leafSum === extra.concludedCount,
      severity: 'error',
      detail: leafSum === extra.concludedCount ? '每件申请只计一次；区分处理的只计入（二）部分公开。' : `办理结果合计 ${leafSum} 件，与本年办结 ${extra.concludedCount} 件不一致。`,
    },
    {
      rule: 'R6',
      ok: extra.unclassified.length === 0,
      severity: 'error',
      detail: extra.unclassified.length ? `本年办结但无法归入任何办理结果的申请：${extra.unclassified.join('、')}` : '本年办结的每件申请恰好归入一个办理结果。',
    },
  ];
}

/** R5: this year's 二 should equal last year's 四 (warn, do not fail). */
export function checkCarryOver(current: Section3Table, previousCarried: number[] | null, source: 'compiled' | 'published'): CheckResult {
  if (!previousCarried) return { rule: 'R5', ok: true, severity: 'warning', detail: '无上年数据可比对。' };
  const diff = current.columns.filter((_, c) => current.rows.carried_over_from_last_year[c] !== previousCarried[c]);
  return {
    rule: 'R5',
    ok: diff.length === 0,
    severity: 'warning',
    detail: diff.length
      ? `本年“二、上年结转”与上年${source === 'published' ? '已发布' : ''}报表“四、结转下年度继续办理”不一致（${diff.join('、')}）：上年报表发布后记录有变动，请核对。`
      : `本年“二、上年结转”等于上年${source === 'published' ? '已发布' : ''}报表“四、结转下年度继续办理”。`,
  };
}
