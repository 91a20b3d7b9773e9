import { APPLICANT_TYPE_LABELS, ApplicantType } from '../domain/lifecycle';
import { DiffCell, ReportFormat, section3Rows, SECTION4_COLUMN_LABELS, SECTION4_GROUP_LABELS, Section4Column, Section4Group } from '../domain/report';
import { Grid } from '../domain/report/report-grid';

export interface GridCellView {
  text: string;
  rowspan: number;
  colspan: number;
  header: boolean;
  label: boolean;
  href: string | null;
  zero: boolean;
}

/** The grid as table rows for the page: covered cells dropped, numbers linked to their records (a frozen publication links none). */
export function gridToView(grid: Grid, hrefFor: (row: string, column: string) => string | null): GridCellView[][] {
  return grid.map((row) =>
    row
      .filter((cell) => cell.kind !== 'covered')
      .map((cell) => ({
        text: cell.text,
        rowspan: cell.rowspan,
        colspan: cell.colspan,
        header: cell.kind === 'header',
        label: cell.kind === 'label',
        href: cell.address ? hrefFor(cell.address.row, cell.address.column) : null,
        zero: cell.kind === 'number' && cell.value === 0,
      })),
  );
}

/** A changed cell as the reader names it: row label and column label (the agency report's and the roll-up's diff). */
export function diffCellView(c: DiffCell, format: ReportFormat): DiffCell & { rowLabel: string; columnLabel: string } {
  if (c.section === 3) {
    const spec = section3Rows(format).find((s) => s.key === c.row);
    return {
      ...c,
      rowLabel: `第三部分 ${spec ? [spec.group, spec.label].filter(Boolean).join(' ') : c.row}`,
      columnLabel: c.column === 'total' ? '总计' : APPLICANT_TYPE_LABELS[c.column as ApplicantType],
    };
  }
  return { ...c, rowLabel: `第四部分 ${SECTION4_GROUP_LABELS[c.row as Section4Group]}`, columnLabel: SECTION4_COLUMN_LABELS[c.column as Section4Column] };
}
