import type ExcelJSType from 'exceljs';
import { Readable } from 'node:stream';

// eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first use: most imports are CSV
const loadExcel = (): typeof ExcelJSType => require('exceljs') as typeof ExcelJSType;

/** The workbook cannot be read (not a workbook, damaged, or a format exceljs cannot parse). */
export class XlsxUnreadableError extends Error {}

interface ReaderInternals {
  model?: { sheets?: Array<{ rId?: string }> };
  workbookRels?: Array<{ Id: string; Target: string }>;
}

/** The worksheet number ("sheetN.xml") of the workbook's first sheet, as workbook.xml orders them. */
function firstSheetNumber(reader: ReaderInternals): string | null {
  const rId = reader.model?.sheets?.[0]?.rId;
  const target = reader.workbookRels?.find((r) => r.Id === rId)?.Target;
  return /sheet(\d+)\.xml$/.exec(target ?? '')?.[1] ?? null;
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

/** A cell as the ledger reads it: a date cell as YYYY-MM-DD, a number as written, rich text as its text. */
export function cellText(value: ExcelJSType.CellValue): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) {
    // exceljs turns a serial day number into midnight UTC of that day.
    return Number.isNaN(value.getTime()) ? '' : `${value.getUTCFullYear()}-${pad(value.getUTCMonth() + 1)}-${pad(value.getUTCDate())}`;
  }
  if (typeof value === 'number') return Number.isInteger(value) ? value.toFixed(0) : String(value);
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  if ('richText' in value) return value.richText.map((r) => r.text).join('');
  if ('formula' in value || 'sharedFormula' in value) return cellText((value as { result?: ExcelJSType.CellValue }).result ?? null);
  if ('hyperlink' in value) return typeof value.text === 'string' ? value.text : cellText(value.text);
  if ('error' in value) return String(value.error);
  return '';
}

/**
 * Streams the rows of the first worksheet of an .xlsx ledger (exceljs's streaming reader), calling
 * `visit` with each row's cells as text and its row number as Excel shows it. Empty rows are
 * not in the file, so they are skipped as in a CSV.
 */
export async function readXlsxRecords(
  source: { chunks(): AsyncIterable<Buffer> | Iterable<Buffer> },
  pacer: { pace(): Promise<void> },
  visit: (cells: string[], line: number) => void | Promise<void>,
): Promise<void> {
  const ExcelJS = loadExcel();
  const input = Readable.from(source.chunks(), { objectMode: false });
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(input, { worksheets: 'emit', sharedStrings: 'cache', styles: 'cache', hyperlinks: 'ignore', entries: 'ignore' });
  let read = false;
  // What `visit` throws (a refused header, an aborted import) passes through; anything else is the workbook's fault.
  let visitError: unknown = undefined;
  try {
    for await (const sheet of reader) {
      const first = firstSheetNumber(reader as unknown as ReaderInternals);
      const id = String((sheet as unknown as { id: number | string }).id);
      if (read || (first !== null && id !== first)) continue;
      read = true;
      for await (const row of sheet) {
        const values = Array.isArray(row.values) ? row.values : [];
        const cells: string[] = [];
        for (let i = 1; i < values.length; i++) cells.push(cellText(values[i]));
        while (cells.length && cells[cells.length - 1] === '') cells.pop();
        try {
          await visit(cells, row.number);
        } catch (e) {
          visitError = e;
          throw e;
        }
        await pacer.pace();
      }
    }
  } catch (e) {
    if (e === visitError) throw e;
    throw new XlsxUnreadableError(e instanceof Error ? e.message : String(e));
  } finally {
    input.destroy();
  }
  if (!read) throw new XlsxUnreadableError('no worksheet');
}

/** The sample ledger (CSV text) as a workbook: headings bold, date columns as Excel date cells. */
export async function sampleWorkbook(csv: Buffer): Promise<Buffer> {
  const ExcelJS = loadExcel();
  const { parse } = await import('csv-parse/sync');
  const records: string[][] = parse(csv, { bom: true, relax_column_count: true });
  const [header, ...rows] = records;
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet('台账');
  sheet.addRow(header).font = { bold: true };
  const dateColumns = header.flatMap((h, i) => (/日期|期限/.test(h) ? [i] : []));
  for (const cells of rows) {
    sheet.addRow(
      cells.map((cell, i) => {
        const m = dateColumns.includes(i) ? /^(\d{4})\D(\d{1,2})\D(\d{1,2})/.exec(cell) : null;
        return m ? new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))) : cell;
      }),
    );
  }
  for (const i of dateColumns) sheet.getColumn(i + 1).numFmt = 'yyyy-mm-dd';
  header.forEach((h, i) => (sheet.getColumn(i + 1).width = Math.max(10, h.length * 2 + 2)));
  return Buffer.from(await workbook.xlsx.writeBuffer());
}
