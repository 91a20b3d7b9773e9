import ExcelJS from 'exceljs';
import JSZip from 'jszip';

/** Every non-empty cell of the first sheet, row by row, with the merged ranges. */
export async function readXlsx(buffer: Buffer, sheet = 1): Promise<{ rows: Array<Array<string | number>>; merges: string[]; numbers: boolean }> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(buffer as unknown as ArrayBuffer);
  const ws = wb.worksheets[sheet - 1];
  const rows: Array<Array<string | number>> = [];
  let numbers = true;
  ws.eachRow((row) => {
    const cells: Array<string | number> = [];
    row.eachCell((cell) => {
      if (cell.isMerged && cell.master !== cell) return;
      if (cell.value === null || cell.value === '') return;
      if (typeof cell.value === 'string' && /^\d+$/.test(cell.value)) numbers = false;
      cells.push(cell.value as string | number);
    });
    rows.push(cells);
  });
  return { rows, merges: (ws.model as unknown as { merges: string[] }).merges ?? [], numbers };
}

/** The cell texts of each table in a .docx, row by row (merged continuation cells are empty and dropped). */
export async function readDocxTables(buffer: Buffer): Promise<string[][][]> {
  const zip = await JSZip.loadAsync(buffer);
  const xml = await zip.file('word/document.xml')!.async('string');
  const tables = xml.match(/<w:tbl>[\s\S]*?<\/w:tbl>/g) ?? [];
  return tables.map((t) =>
    (t.match(/<w:tr[ >][\s\S]*?<\/w:tr>/g) ?? []).map((tr) =>
      (tr.match(/<w:tc>[\s\S]*?<\/w:tc>/g) ?? [])
        .filter((tc) => !/<w:vMerge\/>|<w:vMerge w:val="continue"\/>/.test(tc))
        .map((tc) => (tc.match(/<w:t(?: [^>]*)?>([^<]*)<\/w:t>/g) ?? []).map((x) => x.replace(/<[^>]+>/g, '')).join('')),
    ),
  );
}
