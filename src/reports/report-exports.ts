import type * as Docx from 'docx';
import type ExcelJSType from 'exceljs';
import { Grid, section3Grid, section4Grid } from '../domain/report/report-grid';
import { section3Rows, SECTION3_COLUMNS, SECTION3_TITLE, SECTION4_COLUMN_LABELS, SECTION4_COLUMNS, SECTION4_GROUP_LABELS, SECTION4_GROUPS, SECTION4_TITLE } from '../domain/report';
import { AnnualReport } from './reports.service';

export const EXPORT_TYPES = ['csv', 'xlsx', 'docx', 'json'] as const;
export type ExportType = (typeof EXPORT_TYPES)[number];

export const EXPORT_MIME: Record<ExportType, string> = {
  csv: 'text/csv; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  json: 'application/json; charset=utf-8',
};

/** What a roll-up adds to its exports (D22): a title naming the node, year and agencies, and the per-agency breakdown. */
export interface ExportExtra {
  title: string;
  breakdown: { title: string; header: string[]; rows: Array<Array<string | number>> };
}

export function exportFileName(report: AnnualReport, type: ExportType): string {
  return `ogi-report-${report.year}-${report.format}.${type}`;
}

function basisLines(report: AnnualReport): string[] {
  return [...Object.values(report.section3.basis), ...Object.values(report.section4.basis)];
}

function csvCell(v: string | number): string {
  const s = String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** CSV: one line per Section 3 row (its full label path) and per Section 4 cell; UTF-8 with BOM for Excel. */
export function toCsv(report: AnnualReport, extra?: ExportExtra): string {
  const lines: Array<Array<string | number>> = [];
  lines.push([extra?.title ?? `${report.agencyName}${report.year}年政府信息公开工作年度报告`]);
  lines.push([SECTION3_TITLE]);
  lines.push(['项目', '自然人', '商业企业', '科研机构', '社会公益组织', '法律服务机构', '其他', '总计']);
  for (const spec of section3Rows(report.format)) {
    const path = spec.kind === 'result' || spec.kind === 'total' ? ['三、本年度办理结果', spec.group, spec.label].filter(Boolean).join(' / ') : spec.label;
    lines.push([path, ...report.table3.rows[spec.key]]);
  }
  lines.push([]);
  lines.push([SECTION4_TITLE]);
  lines.push(['项目', ...SECTION4_COLUMNS.map((c) => SECTION4_COLUMN_LABELS[c])]);
  for (const g of SECTION4_GROUPS) {
    const name = g === 'review' ? '行政复议' : `行政诉讼 / ${SECTION4_GROUP_LABELS[g]}`;
    lines.push([name, ...SECTION4_COLUMNS.map((c) => report.table4[g][c])]);
  }
  lines.push([]);
  lines.push(['统计口径']);
  for (const b of basisLines(report)) lines.push([b]);
  if (extra) {
    lines.push([]);
    lines.push([extra.breakdown.title]);
    lines.push(extra.breakdown.header);
    for (const row of extra.breakdown.rows) lines.push(row);
  }
  return '\uFEFF' + lines.map((l) => l.map(csvCell).join(',')).join('\r\n') + '\r\n';
}

// Loaded on first export only: together they would add ~37 MB to every instance's memory.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const loadExcel = (): typeof ExcelJSType => require('exceljs') as typeof ExcelJSType;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const loadDocx = (): typeof Docx => require('docx') as typeof Docx;

/** Display width of a text in Excel column units: a CJK character takes two. */
function textWidth(text: string): number {
  let w = 0;
  for (const ch of text) w += /[\u2E80-\uFFEF]/.test(ch) ? 2 : 1;
  return w;
}

/**
 * Row heights for wrapped labels. Office suites do not recompute a row's height when they open a
 * workbook, so a long label in a narrow column would overlap the rows below: each row is made tall
 * enough for the lines its longest cell wraps to, spread over the rows a cell spans.
 */
function fitRowHeights(ws: ExcelJSType.Worksheet, grid: Grid, top: number, widths: number[]): void {
  const lines = grid.map(() => 1);
  grid.forEach((row, r) =>
    row.forEach((cell, c) => {
      if (cell.kind === 'covered' || !cell.text) return;
      const width = widths.slice(c, c + cell.colspan).reduce((a, b) => a + b, 0) - 1;
      const needed = Math.ceil(textWidth(cell.text) / Math.max(1, width));
      const share = Math.ceil(needed / cell.rowspan);
      for (let i = 0; i < cell.rowspan; i++) lines[r + i] = Math.max(lines[r + i], share);
    }),
  );
  lines.forEach((n, r) => (ws.getRow(top + r).height = 15 * n));
}

/** A4, one page, centred, header rows repeated: each section prints as the published reports do. */
function printOnOnePage(ws: ExcelJSType.Worksheet, lastColumn: string, lastRow: number, headerRows: string, orientation: 'portrait' | 'landscape'): void {
  ws.pageSetup = {
    paperSize: 9,
    orientation,
    fitToPage: true,
    fitToWidth: 1,
    fitToHeight: 1,
    horizontalCentered: true,
    margins: { left: 0.5, right: 0.5, top: 0.6, bottom: 0.6, header: 0.3, footer: 0.3 },
    printArea: `A1:${lastColumn}${lastRow}`,
    printTitlesRow: headerRows,
  };
}

function placeGrid(ws: ExcelJSType.Worksheet, grid: Grid, top: number): number {
  grid.forEach((row, r) =>
    row.forEach((cell, c) => {
      if (cell.kind === 'covered') return;
      const target = ws.getCell(top + r, c + 1);
      target.value = cell.kind === 'number' ? cell.value! : cell.text;
      target.alignment = { vertical: 'middle', horizontal: cell.kind === 'label' ? 'left' : 'center', wrapText: true };
      target.border = { top: { style: 'thin' }, left: { style: 'thin' }, bottom: { style: 'thin' }, right: { style: 'thin' } };
      if (cell.kind === 'header') target.font = { bold: true };
      if (cell.rowspan > 1 || cell.colspan > 1) ws.mergeCells(top + r, c + 1, top + r + cell.rowspan - 1, c + cell.colspan);
    }),
  );
  return top + grid.length;
}

/** XLSX: the tables with merged cells as on the page, numbers as numbers. */
export async function toXlsx(report: AnnualReport, extra?: ExportExtra): Promise<Buffer> {
  const ExcelJS = loadExcel();
  const wb = new ExcelJS.Workbook();
  wb.creator = 'OGI Desk';
  if (extra) wb.title = extra.title;
  // A roll-up's title line above each section's own (the grid one row lower).
  const top = extra ? 3 : 2;
  const titled = (ws: ExcelJSType.Worksheet, title: string) => {
    if (extra) {
      ws.getCell(1, 1).value = extra.title;
      ws.getCell(1, 1).font = { bold: true, size: 14 };
    }
    ws.getCell(top - 1, 1).value = title;
    ws.getCell(top - 1, 1).font = { bold: true, size: extra ? 12 : 14 };
  };
  const ws3 = wb.addWorksheet('第三部分');
  titled(ws3, `${SECTION3_TITLE}（${report.year}年）`);
  const grid3 = section3Grid(report.table3);
  const widths3 = [8, 12, 30, ...SECTION3_COLUMNS.map(() => 9)];
  ws3.columns = widths3.map((width) => ({ width }));
  const end3 = placeGrid(ws3, grid3, top);
  fitRowHeights(ws3, grid3, top, widths3);
  const basis3 = basisLines(report).slice(0, 8);
  basis3.forEach((b, i) => {
    const cell = ws3.getCell(end3 + 1 + i, 1);
    cell.value = b;
    cell.alignment = { wrapText: true, vertical: 'top' };
    ws3.mergeCells(end3 + 1 + i, 1, end3 + 1 + i, widths3.length);
    ws3.getRow(end3 + 1 + i).height = 15 * Math.ceil(textWidth(b) / (widths3.reduce((a, w) => a + w, 0) - 2));
  });
  printOnOnePage(ws3, 'J', end3 + basis3.length, `${top}:${top + 2}`, 'portrait');
  const ws4 = wb.addWorksheet('第四部分');
  titled(ws4, `${SECTION4_TITLE}（${report.year}年）`);
  const grid4 = section4Grid(report.table4);
  const widths4 = Array.from({ length: 15 }, () => 8);
  ws4.columns = widths4.map((width) => ({ width }));
  const end4 = placeGrid(ws4, grid4, top);
  fitRowHeights(ws4, grid4, top, widths4);
  const basis4 = basisLines(report).slice(8);
  basis4.forEach((b, i) => {
    const cell = ws4.getCell(end4 + 1 + i, 1);
    cell.value = b;
    cell.alignment = { wrapText: true, vertical: 'top' };
    ws4.mergeCells(end4 + 1 + i, 1, end4 + 1 + i, widths4.length);
    ws4.getRow(end4 + 1 + i).height = 15 * Math.ceil(textWidth(b) / (widths4.reduce((a, w) => a + w, 0) - 2));
  });
  printOnOnePage(ws4, 'O', end4 + basis4.length, `${top}:${top + 2}`, 'landscape');
  if (extra) breakdownSheet(wb.addWorksheet('各机关情况'), extra);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

/** The roll-up's per-agency breakdown as a sheet: the title line, its own title, a header row, one row per agency. */
function breakdownSheet(ws: ExcelJSType.Worksheet, extra: ExportExtra): void {
  const { title, header, rows } = extra.breakdown;
  ws.getCell(1, 1).value = extra.title;
  ws.getCell(1, 1).font = { bold: true, size: 14 };
  ws.getCell(2, 1).value = title;
  ws.getCell(2, 1).font = { bold: true, size: 12 };
  const widths = header.map((h, c) => Math.max(textWidth(h), ...rows.map((r) => textWidth(String(r[c] ?? '')))) + 2);
  ws.columns = widths.map((width) => ({ width: Math.min(width, 40) }));
  [header, ...rows].forEach((row, r) =>
    row.forEach((v, c) => {
      const cell = ws.getCell(3 + r, c + 1);
      cell.value = v;
      cell.border = { top: { style: 'thin' }, left: { style: 'thin' }, bottom: { style: 'thin' }, right: { style: 'thin' } };
      if (r === 0) cell.font = { bold: true };
    }),
  );
  printOnOnePage(ws, String.fromCharCode(64 + header.length), 3 + rows.length, '3:3', 'landscape');
}

/** A4 with 2 cm margins: the text width in twips (1/20 pt), which the tables' columns fill exactly. */
const A4_TEXT_WIDTH = 11906 - 2 * 1134;
/** Section 3: the three label columns wide enough for the longest labels on two lines, the seven figures alike. */
const SECTION3_TWIPS = [900, 1250, 2728, ...SECTION3_COLUMNS.map(() => 680)];
const SECTION4_TWIPS = Array.from({ length: 15 }, (_, i) => Math.floor(A4_TEXT_WIDTH / 15) + (i < A4_TEXT_WIDTH % 15 ? 1 : 0));

function docxTable(grid: Grid, widths: number[]): Docx.Table {
  const { AlignmentType, Paragraph, Table, TableCell, TableLayoutType, TableRow, TextRun, VerticalAlign, WidthType } = loadDocx();
  return new Table({
    width: { size: widths.reduce((a, b) => a + b, 0), type: WidthType.DXA },
    columnWidths: widths,
    layout: TableLayoutType.FIXED,
    margins: { left: 60, right: 60, top: 20, bottom: 20 },
    rows: grid.map(
      (row) =>
        new TableRow({
          children: row
            .filter((cell) => cell.kind !== 'covered')
            .map(
              (cell) =>
                new TableCell({
                  width: { size: widths.slice(row.indexOf(cell), row.indexOf(cell) + cell.colspan).reduce((a, b) => a + b, 0), type: WidthType.DXA },
                  columnSpan: cell.colspan > 1 ? cell.colspan : undefined,
                  rowSpan: cell.rowspan > 1 ? cell.rowspan : undefined,
                  verticalAlign: VerticalAlign.CENTER,
                  children: [
                    new Paragraph({
                      alignment: cell.kind === 'label' ? AlignmentType.LEFT : AlignmentType.CENTER,
                      children: [new TextRun({ text: cell.text, bold: cell.kind === 'header', size: 17, font: 'SimSun' })],
                    }),
                  ],
                }),
            ),
        }),
    ),
  });
}

/** A plain table across the text width: a bold header row, then the rows (the first column twice as wide). */
function docxPlainTable(header: string[], rows: Array<Array<string | number>>): Docx.Table {
  const { Paragraph, Table, TableCell, TableLayoutType, TableRow, TextRun, WidthType } = loadDocx();
  const unit = Math.floor(A4_TEXT_WIDTH / (header.length + 2));
  const widths = header.map((_, i) => (i === 0 ? A4_TEXT_WIDTH - unit * (header.length - 1) : unit));
  return new Table({
    width: { size: A4_TEXT_WIDTH, type: WidthType.DXA },
    columnWidths: widths,
    layout: TableLayoutType.FIXED,
    margins: { left: 60, right: 60, top: 20, bottom: 20 },
    rows: [header, ...rows].map(
      (row, r) =>
        new TableRow({
          tableHeader: r === 0,
          children: row.map(
            (v, c) =>
              new TableCell({
                width: { size: widths[c], type: WidthType.DXA },
                children: [new Paragraph({ children: [new TextRun({ text: String(v), bold: r === 0, size: 17, font: 'SimSun' })] })],
              }),
          ),
        }),
    ),
  });
}

/** DOCX: both tables, ready to paste into the report document. */
export async function toDocx(report: AnnualReport, extra?: ExportExtra): Promise<Buffer> {
  const { AlignmentType, Document, Packer, Paragraph, TextRun } = loadDocx();
  const heading = (text: string) => new Paragraph({ children: [new TextRun({ text, bold: true, size: 28, font: 'SimHei' })], spacing: { before: 240, after: 120 } });
  const doc = new Document({
    creator: 'OGI Desk',
    title: extra?.title ?? `${report.year}年政府信息公开工作年度报告（第三、四部分）`,
    sections: [
      {
        properties: { page: { size: { width: 11906, height: 16838 }, margin: { left: 1134, right: 1134, top: 1134, bottom: 1134 } } },
        children: [
          ...(extra ? [new Paragraph({ alignment: AlignmentType.CENTER, children: [new TextRun({ text: extra.title, bold: true, size: 32, font: 'SimHei' })], spacing: { after: 240 } })] : []),
          heading(SECTION3_TITLE),
          docxTable(section3Grid(report.table3), SECTION3_TWIPS),
          heading(SECTION4_TITLE),
          docxTable(section4Grid(report.table4), SECTION4_TWIPS),
          new Paragraph({ children: [new TextRun({ text: '统计口径：', bold: true, size: 18 })], spacing: { before: 240 } }),
          ...basisLines(report).map((b) => new Paragraph({ children: [new TextRun({ text: b, size: 18 })] })),
          ...(extra ? [heading(extra.breakdown.title), docxPlainTable(extra.breakdown.header, extra.breakdown.rows)] : []),
        ],
      },
    ],
  });
  return Packer.toBuffer(doc);
}

export function toJson(report: AnnualReport): string {
  return JSON.stringify({ section3: report.section3, section4: report.section4 }, null, 2);
}

export async function renderExport(report: AnnualReport, type: ExportType, extra?: ExportExtra): Promise<Buffer> {
  switch (type) {
    case 'csv':
      return Buffer.from(toCsv(report, extra), 'utf8');
    case 'xlsx':
      return toXlsx(report, extra);
    case 'docx':
      return toDocx(report, extra);
    case 'json':
      return Buffer.from(toJson(report), 'utf8');
  }
}
