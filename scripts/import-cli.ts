/**
 * npm run import -- ledger.csv
 * Validates every row first (errors with line numbers; nothing written if any row is bad),
 * then writes all rows in one transaction, showing progress.
 */
import { readFileSync } from 'node:fs';
import { ImportService, LedgerInvalidError } from '../src/import/import.service';
import { createCliContext, fail } from './cli-context';

async function main(): Promise<void> {
  const file = process.argv.slice(2).find((a) => !a.startsWith('--'));
  if (!file) fail('用法：npm run import -- 台账.csv');
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    fail(`无法读取文件：${file}`);
  }
  const app = await createCliContext();
  try {
    const result = await app.get(ImportService).importLedger(text, { id: null, label: '命令行导入' }, (done, total) => {
      const width = 30;
      const filled = Math.round((done / total) * width);
      process.stdout.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total}`);
    });
    process.stdout.write('\n');
    console.log(`已导入 ${result.imported} 件（编号 ${result.first} 至 ${result.last}）。`);
  } catch (e) {
    if (e instanceof LedgerInvalidError) {
      console.error(e.message);
      for (const err of e.errors) console.error(`第 ${err.line} 行：${err.message}`);
      process.exitCode = 1;
    } else throw e;
  } finally {
    await app.close();
  }
}

void main();
