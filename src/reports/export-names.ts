import { AnnualReport } from './reports.service';
import { exportFileName, ExportType } from './report-exports';

/** How an export is named on the page: what an office worker calls the file, not its extension. */
export const EXPORT_LINK_LABELS: Record<ExportType, string> = { xlsx: 'Excel 表格', docx: 'Word 文档', csv: 'CSV', json: 'JSON' };

/** The export links in the order offered (Excel and Word first: what the report officer opens). */
export function exportLinks(href: (type: ExportType) => string): Array<{ type: ExportType; label: string; href: string }> {
  return (['xlsx', 'docx', 'csv', 'json'] as const).map((type) => ({ type, label: EXPORT_LINK_LABELS[type], href: href(type) }));
}

/** 2026年政府信息公开工作年度报告（第三、四部分）.xlsx; the 2019 trial format and a publication's number are said in the name. */
export function chineseExportFileName(report: AnnualReport, type: ExportType, publicationNumber?: number): string {
  const format = report.format === '2019' ? '（2019年试行格式）' : '';
  const publication = publicationNumber ? `第${publicationNumber}次发布` : '';
  return `${report.year}年政府信息公开工作年度报告（第三、四部分）${format}${publication}.${type}`;
}

/**
 * Content-Disposition with the Chinese name as RFC 5987 filename* (UTF-8, percent-encoded) and the former
 * ASCII name as filename for clients that do not read filename*.
 */
export function exportDisposition(report: AnnualReport, type: ExportType, publicationNumber?: number): string {
  const ascii = publicationNumber ? exportFileName(report, type).replace(`.${type}`, `-publication-${publicationNumber}.${type}`) : exportFileName(report, type);
  const encoded = encodeURIComponent(chineseExportFileName(report, type, publicationNumber)).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}
