import { APPLICANT_TYPE_LABELS, ApplicantType } from '../lifecycle/codes';
import { section3Rows, SECTION3_COLUMNS, ReportFormat, SECTION4_COLUMN_LABELS, SECTION4_COLUMNS, SECTION4_GROUP_LABELS, SECTION4_GROUPS, Section4Column, Section4Group } from './section3-layout';
import { Section3Bucket } from './section3';
import { Section4Table } from './section4';

/** One cell whose published figure differs from what the records give now (D20). */
export interface DiffCell {
  section: 3 | 4;
  row: string;
  column: string;
  published: number;
  current: number;
}

/** The cells of a publication that the records no longer give, Section 3 then Section 4. */
export function changedCells(published3: Record<string, number[]>, current3: Record<string, number[]>, published4: Section4Table, current4: Section4Table): DiffCell[] {
  const cells: DiffCell[] = [];
  for (const [row, values] of Object.entries(published3)) {
    values.forEach((v, c) => {
      const current = current3[row]?.[c] ?? 0;
      if (current !== v) cells.push({ section: 3, row, column: SECTION3_COLUMNS[c], published: v, current });
    });
  }
  for (const g of SECTION4_GROUPS) {
    for (const c of SECTION4_COLUMNS) {
      if (published4[g][c] !== current4[g][c]) cells.push({ section: 4, row: g, column: c, published: published4[g][c], current: current4[g][c] });
    }
  }
  return cells;
}

/**
 * "natural_person:new_received,granted" → "自然人：一、本年新收…；（一）予以公开"; empty → "（不计入）".
 * Where a record sits in the tables, in their words: a request's code is "column:row,row…", a
 * review case's "group:column"; an empty code means the record is not counted in the year.
 */
export function placementLabel(kind: string, code: string, format: ReportFormat): string {
  if (!code) return '（不计入）';
  const [col, cells] = code.split(':');
  if (kind === 'case') return `${SECTION4_GROUP_LABELS[col as Section4Group] ?? col}：${SECTION4_COLUMN_LABELS[cells as Section4Column] ?? cells}`;
  const rows = new Map(section3Rows(format).map((r) => [r.key, [r.group, r.label].filter(Boolean).join(' ')]));
  const labels = (cells ?? '')
    .split(',')
    .filter(Boolean)
    .map((k) => rows.get(k) ?? k);
  return `${APPLICANT_TYPE_LABELS[col as ApplicantType] ?? col}：${labels.join('；')}`;
}

/**
 * Last year's 四 from the records (D4): the applications received before this year and still
 * open on 1 January, per column and in total; the same set as this year's 二.
 */
export function carriedFromRecords(buckets: Section3Bucket[]): number[] {
  const out = Array(SECTION3_COLUMNS.length).fill(0) as number[];
  for (const b of buckets) {
    if (b.received !== 'before') continue;
    const c = (SECTION3_COLUMNS as readonly string[]).indexOf(b.applicantType);
    if (c < 0) continue;
    out[c] += b.count;
    out[out.length - 1] += b.count;
  }
  return out;
}
