import type { Response } from 'express';
import { NotFoundError } from '../domain/errors';
import { EXPORT_MIME, EXPORT_TYPES, ExportType, renderExport } from '../reports/report-exports';
import { RollupReport } from './rollup.service';

/** 某县人民政府办公室2026年政府信息公开工作年度报告汇总（第三、四部分）.xlsx, with the ASCII name beside it (RFC 5987). */
export function rollupDisposition(report: RollupReport, type: ExportType, publicationNumber?: number): string {
  const suffix = publicationNumber ? `-publication-${publicationNumber}` : '';
  const ascii = `ogi-rollup-${report.node.code}-${report.year}-${report.format}${suffix}.${type}`;
  const format = report.format === '2019' ? '（2019年试行格式）' : '';
  const chinese = `${report.node.name}${report.year}年政府信息公开工作年度报告汇总（第三、四部分）${format}${publicationNumber ? `第${publicationNumber}次发布` : ''}.${type}`;
  const encoded = encodeURIComponent(chinese).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}

/** The export type of a URL, or 404 for one that is not offered. */
export function rollupExportType(type: string): ExportType {
  if (!(EXPORT_TYPES as readonly string[]).includes(type)) throw new NotFoundError('不支持的导出格式。');
  return type as ExportType;
}

/** Sends a roll-up as a file, as the page and the API both offer it. */
export async function sendRollupExport(res: Response, report: RollupReport, type: ExportType): Promise<void> {
  res.setHeader('Content-Type', EXPORT_MIME[type]);
  res.setHeader('Content-Disposition', rollupDisposition(report, type));
  res.send(await renderExport(report, type));
}
