import { IsoDate } from '../calendar';
import { Section4Column, Section4Group, SECTION4_COLUMNS, SECTION4_GROUPS } from './section3-layout';

export type ReviewCaseKind = 'administrative_review' | 'litigation_direct' | 'litigation_after_review';
export type ReviewCaseResult = 'upheld' | 'corrected' | 'other';
export type AgencyRole = 'original_agency' | 'co_defendant_review_organ';
/** D8: which cases a year's Section 4 counts. */
export type Section4Basis = 'filed_in_year' | 'concluded_or_pending';

export const GROUP_OF_KIND: Record<ReviewCaseKind, Section4Group> = {
  administrative_review: 'review',
  litigation_direct: 'litigation_direct',
  litigation_after_review: 'litigation_after_review',
};

export interface ReviewCaseRecord {
  id: string;
  kind: ReviewCaseKind;
  filedOn: IsoDate;
  concludedOn: IsoDate | null;
  result: ReviewCaseResult | null;
  agencyRole: AgencyRole;
}

export type Section4Table = Record<Section4Group, Record<Section4Column, number>>;

/** The cell one case is counted in for a year, or null if the year does not count it. */
export function section4CellOf(c: ReviewCaseRecord, year: number, basis: Section4Basis): { group: Section4Group; column: Exclude<Section4Column, 'total'> } | null {
  // D9: sued only as the review organ co-defendant with the original agency: not counted here.
  if (c.agencyRole === 'co_defendant_review_organ') return null;
  const end = `${year}-12-31`;
  const start = `${year}-01-01`;
  const concludedByEnd = c.concludedOn !== null && c.concludedOn <= end && c.result !== null;
  const group = GROUP_OF_KIND[c.kind];
  if (basis === 'filed_in_year') {
    if (c.filedOn < start || c.filedOn > end) return null;
    return { group, column: concludedByEnd ? c.result! : 'pending' };
  }
  if (concludedByEnd && c.concludedOn! >= start) return { group, column: c.result! };
  if (c.filedOn <= end && !concludedByEnd) return { group, column: 'pending' };
  return null;
}

export function compileSection4(cases: ReviewCaseRecord[], year: number, basis: Section4Basis): Section4Table {
  const table = Object.fromEntries(SECTION4_GROUPS.map((g) => [g, Object.fromEntries(SECTION4_COLUMNS.map((c) => [c, 0]))])) as Section4Table;
  for (const c of cases) {
    const cell = section4CellOf(c, year, basis);
    if (!cell) continue;
    table[cell.group][cell.column]++;
    table[cell.group].total++;
  }
  return table;
}
