import type ExcelJSType from 'exceljs';
import type { Writable } from 'node:stream';

export const LEDGER_FORMATS = ['csv', 'xlsx'] as const;
export type LedgerFormat = (typeof LEDGER_FORMATS)[number];

export const LEDGER_MIME: Record<LedgerFormat, string> = {
  csv: 'text/csv; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
};

export interface LedgerSheet {
  columns: ReadonlyArray<{ header: string; width: number }>;
  sheetName: string;
}

/**
 * A text cell that a spreadsheet would read as a formula (= + - @, or a leading tab or CR) gets a
 * leading apostrophe: an applicant-typed "=HYPERLINK(…)" must never run on a clerk's machine.
 * The apostrophe stays visible, so nobody mistakes the cell for the applicant's exact text.
 */
export function neutraliseFormula(value: string): string {
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

/** RFC 4180: a field with a comma, a double quote or a line break is quoted, quotes doubled. */
export function csvField(value: string): string {
  const safe = neutraliseFormula(value);
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function csvLine(cells: readonly string[]): string {
  return cells.map(csvField).join(',') + '\r\n';
}

/** Waits while the client reads, so that a slow download never piles the whole year up in memory; a client gone ends the wait. */
async function drained(out: Writable): Promise<void> {
  if (!out.writableNeedDrain || out.destroyed) return;
  await new Promise<void>((resolve) => {
    const done = () => {
      out.off('drain', done);
      out.off('close', done);
      resolve();
    };
    out.on('drain', done);
    out.on('close', done);
  });
}

/** CSV, UTF-8 with a byte-order mark (Excel in a Chinese locale otherwise reads it as GBK), CRLF lines. */
export async function writeCsv(out: Writable, sheet: LedgerSheet, chunks: AsyncIterable<string[][]>): Promise<number> {
  let rows = 0;
  out.write('\uFEFF' + csvLine(sheet.columns.map((c) => c.header)));
  for await (const chunk of chunks) {
    if (out.destroyed) break;
    out.write(chunk.map(csvLine).join(''));
    rows += chunk.length;
    await drained(out);
  }
  if (!out.destroyed) out.end();
  return rows;
}

// Loaded on first export only (see report-exports.ts).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const loadExcel = (): typeof ExcelJSType => require('exceljs') as typeof ExcelJSType;

/**
 * XLSX through exceljs' streaming writer: each row is committed as it comes. Header row bold and
 * frozen, column widths set, every value a text cell (dates as YYYY-MM-DD text, never formulas).
 */
export async function writeXlsx(out: Writable, sheet: LedgerSheet, chunks: AsyncIterable<string[][]>): Promise<number> {
  const ExcelJS = loadExcel();
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false });
  wb.creator = 'OGI Desk';
  const ws = wb.addWorksheet(sheet.sheetName, {
    views: [{ state: 'frozen', ySplit: 1 }],
    // Printed: landscape A4, all columns on the page width, the header repeated on every page.
    pageSetup: { paperSize: 9, orientation: 'landscape', fitToPage: true, fitToWidth: 1, fitToHeight: 0, printTitlesRow: '1:1' },
  });
  ws.columns = sheet.columns.map((c, i) => ({ key: `c${i}`, width: c.width, style: { alignment: { vertical: 'top', wrapText: c.width >= 20 } } }));
  const header = ws.addRow(sheet.columns.map((c) => c.header));
  header.font = { bold: true };
  header.commit();
  let rows = 0;
  for await (const chunk of chunks) {
    if (out.destroyed) break;
    for (const cells of chunk) ws.addRow(cells.map((c) => (c === '' ? null : c))).commit();
    rows += chunk.length;
    await drained(out);
  }
  // A client that went away gets no end of the file: the workbook is dropped unfinished.
  if (out.destroyed) return rows;
  ws.commit();
  await wb.commit();
  return rows;
}
