/**
 * npm run import -- ledger.csv
 * Streams the file twice: first every row is checked (errors with line numbers; nothing written
 * if any row is bad), then the rows are written in chunks, showing progress. UTF-8 and
 * GBK/GB18030 files (Chinese Excel's "CSV") are both read correctly.
 */
import { accessSync, constants } from 'node:fs';
import { ImportService, LedgerForbiddenError, LedgerInvalidError } from '../src/import/import.service';
import { fileSource, LedgerFormatError } from '../src/import/ledger-reader';
import { createCliContext, fail } from './cli-context';

async function main(): Promise<void> {
  const file = process.argv.slice(2).find((a) => !a.startsWith('--'));
  if (!file) fail('用法：npm run import -- 台账.csv');
  try {
    accessSync(file, constants.R_OK);
  } catch {
    fail(`无法读取文件：${file}`);
  }
  const app = await createCliContext();
  try {
    // The command line is run by whoever holds the database: no account, so no role check.
    const result = await app.get(ImportService).importLedger(fileSource(file), { id: null, label: '命令行导入' }, ({ phase, done, total }) => {
      if (phase === 'checking') {
        process.stdout.write(`\r已检查 ${done} 行`);
        return;
      }
      const width = 30;
      const filled = Math.round((done / total) * width);
      process.stdout.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total}`);
    });
    process.stdout.write('\n');
    console.log(`已导入 ${result.imported} 件（编号 ${result.first} 至 ${result.last}）。`);
  } catch (e) {
    if (e instanceof LedgerInvalidError || e instanceof LedgerForbiddenError) {
      process.stdout.write('\n');
      console.error(e.message);
      for (const err of e.errors) console.error(e instanceof LedgerInvalidError ? `第 ${err.line} 行：${err.message}` : err.message);
      process.exitCode = 1;
    } else if (e instanceof LedgerFormatError) {
      process.stdout.write('\n');
      console.error(e.message);
      process.exitCode = 1;
    } else throw e;
  } finally {
    await app.close();
  }
}

void main();
