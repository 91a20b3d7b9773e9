import type { Response } from 'express';
import { NotFoundError } from '../domain/errors';
import { formatShanghaiDateTime } from '../common/format';
import { EXPORT_MIME, EXPORT_TYPES, ExportExtra, ExportType, renderExport } from '../reports/report-exports';
import { percent } from './rollup-view';
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
  res.send(await renderExport(report, type, rollupExportExtra(report)));
}

/**
 * What a roll-up's files say beyond the tables (D22): that they are a roll-up, of which node, year
 * and how many agencies, and each agency's line as the page shows it. Figures only, no personal data.
 */
export function rollupExportExtra(report: RollupReport): ExportExtra {
  const below = report.agencies.length - 1;
  const format = report.format === '2019' ? '，2019年试行格式' : '';
  return {
    title: `${report.node.name}${report.year}年度政府信息公开工作年度报告汇总（${below > 0 ? `本级及所属${below}个机关` : '本级'}${format}）`,
    breakdown: {
      title: `各机关情况（${report.agencies.length}个机关，均按各机关本机关记录统计）`,
      header: ['机关代码', '机关', '新收', '办结', '结转下年', '逾期答复', '按时答复率', '本机关校验', '本机关报表'],
      rows: report.agencies.map((a) => [
        a.code,
        `${'　'.repeat(a.depth)}${a.name}`,
        a.newReceived,
        a.concluded,
        a.carriedForward,
        a.lateReplies,
        percent(a.onTimeShare),
        a.checksOk ? '通过' : '有问题',
        a.published ? `已发布第${a.published.number}次（${formatShanghaiDateTime(a.published.publishedAt)}）` : '未发布',
      ]),
    },
  };
}
