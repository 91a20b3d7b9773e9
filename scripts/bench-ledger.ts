/**
 * npm run -s build && TZ=Asia/Shanghai node dist/scripts/bench-ledger.js [--size 100000] [--pg]
 *
 * The request ledger export (GET /api/v1/requests/export) on a year of N applications: a fresh
 * database (SQLite file, or PostgreSQL with --pg and DATABASE_URL) with the real migrations and N
 * requests received in 2024, each with its events; then, in a process of its own, the CSV and the
 * XLSX written to a byte counter through RequestLedgerService, with the time and the peak RSS.
 */
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Writable } from 'node:stream';
import { NestFactory } from '@nestjs/core';
import { DataSource } from 'typeorm';
import { AppModule } from '../src/app.module';
import { loadConfig, pinProcessTimeZone } from '../src/config/app-config';
import { buildDataSourceOptions } from '../src/database/data-source';
import { addDays, fromDayNumber, toDayNumber } from '../src/domain/calendar';
import { RequestLedgerService } from '../src/requests/request-ledger.service';
import { argValue } from './cli-context';

function env(dir: string, pg: boolean): Record<string, string | undefined> {
  const e: Record<string, string | undefined> = { ...process.env, OGI_DATA_DIR: dir, OGI_ADMIN_USERNAME: '', OGI_ADMIN_PASSWORD: '', MAIL_POLL_MS: '3600000' };
  if (!pg) e.DATABASE_URL = `sqlite:${join(dir, 'bench.sqlite')}`;
  else if (!/^postgres/.test(e.DATABASE_URL ?? '')) throw new Error('--pg needs DATABASE_URL=postgres://…');
  return e;
}

async function seed(dir: string, n: number, pg: boolean): Promise<void> {
  const ds = new DataSource(buildDataSourceOptions(loadConfig(env(dir, pg))));
  await ds.initialize();
  if (pg) await ds.query('DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public;');
  await ds.runMigrations();
  const ph = (row: number, cols: number) => `(${Array.from({ length: cols }, (_, c) => (pg ? `$${row * cols + c + 1}` : '?')).join(',')})`;
  const insert = (table: string, columns: string[], rows: unknown[][]) =>
    ds.query(`INSERT INTO ${table} (${columns.join(',')}) VALUES ${rows.map((_, i) => ph(i, columns.length)).join(',')}`, rows.flat());
  const now = new Date().toISOString();
  const start = toDayNumber('2024-01-01');
  for (let done = 0; done < n; done += 500) {
    const applicants: unknown[][] = [];
    const requests: unknown[][] = [];
    const events: unknown[][] = [];
    for (let i = done; i < Math.min(n, done + 500); i++) {
      const receivedOn = fromDayNumber(start + (i % 366));
      const concluded = i % 10 !== 0;
      const concludedOn = concluded ? addDays(receivedOn, 5 + (i % 40)) : null;
      const applicantId = randomUUID();
      const id = randomUUID();
      applicants.push([applicantId, 'natural_person', `申请人${i}`, `11010519491231${String(i % 10000).padStart(4, '0')}`, '13800000000', now]);
      requests.push([
        id,
        `B${String(i).padStart(9, '0')}`,
        '0'.repeat(64),
        applicantId,
        'natural_person',
        'in_person',
        now,
        receivedOn,
        concluded ? 'concluded' : 'in_progress',
        `申请公开某项目的批复文件及附件，编号 ${i}，含说明材料若干页`,
        'electronic',
        addDays(receivedOn, 28),
        pg ? false : 0,
        concluded ? 'granted' : null,
        concludedOn,
        1,
        now,
        now,
      ]);
      events.push([randomUUID(), id, 1, 'registered', receivedOn, now, '基准', '—', '{"channel":"in_person"}']);
      if (concluded) events.push([randomUUID(), id, 2, 'decided', concludedOn, now, '基准', '—', '{"outcome":"granted"}']);
    }
    await insert('applicant', ['id', 'type', 'name', 'id_document_number', 'phone', 'created_at'], applicants);
    await insert(
      'information_request',
      [
        'id',
        'tracking_number',
        'access_code_hash',
        'applicant_id',
        'applicant_type',
        'channel',
        'submitted_at',
        'received_on',
        'status',
        'description',
        'delivery_method',
        'due_on',
        'due_is_provisional',
        'outcome',
        'concluded_on',
        'version',
        'created_at',
        'updated_at',
      ],
      requests,
    );
    await insert('request_event', ['id', 'request_id', 'seq', 'type', 'occurred_on', 'recorded_at', 'actor_label', 'basis', 'payload'], events);
    for (let k = 0; k < Math.min(500, n - done); k++) await Promise.resolve();
  }
  await ds.query('ANALYZE');
  await ds.destroy();
}

async function measure(dir: string, pg: boolean, format: 'csv' | 'xlsx'): Promise<void> {
  pinProcessTimeZone();
  const app = await NestFactory.createApplicationContext(AppModule.register({ ...loadConfig(env(dir, pg)), skipMigrations: true }), { logger: ['error'] });
  const ledger = app.get(RequestLedgerService);
  const before = process.memoryUsage().rss / 2 ** 20;
  let bytes = 0;
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      bytes += chunk.length;
      cb();
    },
  });
  // Peak RSS while exporting, sampled: the process-wide maximum would include start-up work.
  let peak = before;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss / 2 ** 20)), 20);
  const t0 = performance.now();
  const rows = await ledger.writeRows(sink, ledger.rows({ year: 2024 }), format);
  const ms = performance.now() - t0;
  clearInterval(sampler);
  await app.close();
  const mb = (x: number) => Math.round(x * 10) / 10;
  console.log(JSON.stringify({ format, rows, fileMB: mb(bytes / 2 ** 20), seconds: mb(ms / 1000), rssBeforeMB: mb(before), peakRssDuringExportMB: mb(peak) }));
}

function child(args: string[]): string {
  const out = spawnSync(process.execPath, [__filename, ...args], { encoding: 'utf8', env: process.env });
  if (out.status !== 0) throw new Error(out.stderr || out.stdout);
  return out.stdout.trim().split('\n').pop()!;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const pg = args.includes('--pg');
  const dir = argValue(args, 'dir');
  const size = Number(argValue(args, 'size') ?? 100_000);
  if (args.includes('--seed')) return seed(dir!, size, pg);
  if (args.includes('--measure')) return measure(dir!, pg, argValue(args, 'format') as 'csv' | 'xlsx');
  const work = mkdtempSync(join(tmpdir(), 'ogi-ledger-bench-'));
  try {
    const pgFlag = pg ? ['--pg'] : [];
    const t0 = performance.now();
    child(['--seed', '--dir', work, '--size', String(size), ...pgFlag]);
    console.log(`seeded ${size} requests received in 2024 (${pg ? 'PostgreSQL' : 'SQLite'}) in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    for (const format of ['csv', 'xlsx']) console.log(child(['--measure', '--dir', work, '--format', format, ...pgFlag]));
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

void main().catch((e: Error) => {
  console.error(e.message);
  process.exit(1);
});
