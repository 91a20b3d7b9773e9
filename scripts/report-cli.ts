/**
 * npm run report -- --year 2024 [--format 2019|2021] [--out report.xlsx|.docx|.csv|.json]
 * Without --out, prints both tables as text. Never prints applicant data: the tables are aggregates.
 */
import { writeFileSync } from 'node:fs';
import { extname } from 'node:path';
import { DomainError } from '../src/domain/errors';
import { section3Rows, SECTION4_COLUMN_LABELS, SECTION4_COLUMNS, SECTION4_GROUP_LABELS, SECTION4_GROUPS } from '../src/domain/report';
import { EXPORT_TYPES, ExportType, renderExport } from '../src/reports/report-exports';
import { ReportsService } from '../src/reports/reports.service';
import { argValue, createCliContext, fail } from './cli-context';

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const yearRaw = argValue(args, 'year');
  if (!yearRaw) fail('用法：npm run report -- --year 2024 [--format 2019|2021] [--out 文件.xlsx|.docx|.csv|.json]');
  const out = argValue(args, 'out');
  const type = out ? extname(out).slice(1).toLowerCase() : null;
  if (type && !(EXPORT_TYPES as readonly string[]).includes(type)) fail(`--out 的扩展名必须是 ${EXPORT_TYPES.join('、')} 之一`);
  const app = await createCliContext();
  try {
    const reports = app.get(ReportsService);
    const year = reports.parseYear(yearRaw);
    const report = await reports.annualReport(year, reports.parseFormat(argValue(args, 'format'), year));
    if (out) {
      writeFileSync(out, await renderExport(report, type as ExportType));
      console.log(`已写入 ${out}（${year} 年，${report.format} 年格式）`);
    } else {
      console.log(`${year} 年 第三部分（${report.format} 年格式）  自然人 商业企业 科研机构 社会公益组织 法律服务机构 其他 总计`);
      for (const spec of section3Rows(report.format)) console.log(`${[spec.group, spec.label].filter(Boolean).join(' ')}\t${report.table3.rows[spec.key].join('\t')}`);
      console.log(`\n第四部分  ${SECTION4_COLUMNS.map((c) => SECTION4_COLUMN_LABELS[c]).join(' ')}`);
      for (const g of SECTION4_GROUPS) console.log(`${SECTION4_GROUP_LABELS[g]}\t${SECTION4_COLUMNS.map((c) => report.table4[g][c]).join('\t')}`);
    }
    const failed = report.section3.checks.filter((c) => !c.ok);
    for (const c of failed) console.error(`${c.severity === 'warning' ? '提醒' : '校验未通过'} ${c.rule}：${c.detail}`);
    process.exitCode = failed.some((c) => c.severity === 'error') ? 1 : 0;
  } catch (e) {
    if (e instanceof DomainError) fail(`${e.message} ${Object.values(e.fields).join(' ')}`);
    throw e;
  } finally {
    await app.close();
  }
}

void main();
