import { APPLICANT_TYPE_LABELS, ApplicantType } from '../lifecycle/codes';
import { Section3Table } from './section3';
import { RESULTS_LABEL, section3Rows, SECTION3_COLUMNS, SECTION3_CORNER_NOTE, SECTION4_COLUMN_LABELS, SECTION4_COLUMNS, SECTION4_GROUP_LABELS, Section4Group } from './section3-layout';
import { Section4Table } from './section4';

/** One cell of the official table; `covered` cells lie under another cell's span. */
export interface GridCell {
  text: string;
  rowspan: number;
  colspan: number;
  kind: 'header' | 'label' | 'number' | 'covered';
  /** For numbers: the cell's address, for drill-down links. */
  address?: { row: string; column: string };
  value?: number;
}

export type Grid = GridCell[][];

const covered = (): GridCell => ({ text: '', rowspan: 1, colspan: 1, kind: 'covered' });
const header = (text: string, rowspan = 1, colspan = 1): GridCell => ({ text, rowspan, colspan, kind: 'header' });
const label = (text: string, rowspan = 1, colspan = 1): GridCell => ({ text, rowspan, colspan, kind: 'label' });

/** A full matrix (10 columns) with spans as in the published reports (sample-report-2020.txt). */
export function section3Grid(table: Section3Table): Grid {
  const specs = section3Rows(table.format);
  const grid: Grid = [];
  const width = 3 + SECTION3_COLUMNS.length;
  const blank = () => Array.from({ length: width }, covered);

  const h1 = blank();
  h1[0] = header(SECTION3_CORNER_NOTE, 3, 3);
  h1[3] = header('申请人情况', 1, 7);
  const h2 = blank();
  h2[3] = header('自然人', 2, 1);
  h2[4] = header('法人或其他组织', 1, 5);
  h2[9] = header('总计', 2, 1);
  const h3 = blank();
  ['commercial_enterprise', 'research_institution', 'social_welfare_org', 'legal_service_org', 'other_org'].forEach((t, i) => (h3[4 + i] = header(APPLICANT_TYPE_LABELS[t as ApplicantType])));
  grid.push(h1, h2, h3);

  const resultRows = specs.filter((s) => s.kind === 'result' || s.kind === 'total');
  const groupSizes = new Map<string, number>();
  for (const s of specs) if (s.group) groupSizes.set(s.group, (groupSizes.get(s.group) ?? 0) + 1);
  const groupsStarted = new Set<string>();
  let resultsStarted = false;

  for (const spec of specs) {
    const row = blank();
    if (spec.kind === 'top' || spec.kind === 'bottom') {
      row[0] = label(spec.label, 1, 3);
    } else {
      if (!resultsStarted) {
        row[0] = label(RESULTS_LABEL, resultRows.length, 1);
        resultsStarted = true;
      }
      if (spec.group) {
        if (!groupsStarted.has(spec.group)) {
          row[1] = label(spec.group, groupSizes.get(spec.group), 1);
          groupsStarted.add(spec.group);
        }
        row[2] = label(spec.label);
      } else {
        row[1] = label(spec.label, 1, 2);
      }
    }
    SECTION3_COLUMNS.forEach((column, c) => {
      const value = table.rows[spec.key][c];
      row[3 + c] = { text: String(value), rowspan: 1, colspan: 1, kind: 'number', value, address: { row: spec.key, column } };
    });
    grid.push(row);
  }
  return grid;
}

export function section4Grid(table: Section4Table): Grid {
  const width = 15;
  const blank = () => Array.from({ length: width }, covered);
  const r1 = blank();
  r1[0] = header('行政复议', 1, 5);
  r1[5] = header('行政诉讼', 1, 10);
  const r2 = blank();
  SECTION4_COLUMNS.forEach((c, i) => (r2[i] = header(SECTION4_COLUMN_LABELS[c], 2, 1)));
  r2[5] = header('未经复议直接起诉', 1, 5);
  r2[10] = header('复议后起诉', 1, 5);
  const r3 = blank();
  SECTION4_COLUMNS.forEach((c, i) => {
    r3[5 + i] = header(SECTION4_COLUMN_LABELS[c]);
    r3[10 + i] = header(SECTION4_COLUMN_LABELS[c]);
  });
  const r4: GridCell[] = [];
  (['review', 'litigation_direct', 'litigation_after_review'] as Section4Group[]).forEach((g) =>
    SECTION4_COLUMNS.forEach((c) => r4.push({ text: String(table[g][c]), rowspan: 1, colspan: 1, kind: 'number', value: table[g][c], address: { row: g, column: c } })),
  );
  return [r1, r2, r3, r4];
}

export { SECTION4_GROUP_LABELS };
