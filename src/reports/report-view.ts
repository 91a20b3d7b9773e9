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
