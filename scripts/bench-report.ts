/**
 * npm run bench:report [-- --pg] [-- --sizes 10000,100000,1000000] [-- --runs 7]
 * npm run bench:report -- --rollup [--pg] [--requests N]: see scripts/bench-rollup.ts
 *
 * For each size, in a child process of its own (so peak RSS is per size): a fresh database
 * (SQLite file, or a fresh PostgreSQL schema with --pg and DATABASE_URL), the real migrations,
 * N requests with applicants and event rows over 2023–2025, then the median time of
 *   compile: ReportsService.compileSection3 + compileSection4 for 2024, through the app, and
 *   floor:   the fastest raw SQL the benchmark can write that yields the same Section 3 numbers.
 */
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { DataSource } from 'typeorm';
import { AppModule } from '../src/app.module';
import { loadConfig, pinProcessTimeZone } from '../src/config/app-config';
import { buildDataSourceOptions } from '../src/database/data-source';
import { addDays, fromDayNumber, toDayNumber } from '../src/domain/calendar';
import { ReportsService } from '../src/reports/reports.service';
import { NestFactory } from '@nestjs/core';
import { argValue } from './cli-context';
import { rollupBenchmark } from './bench-rollup';

const YEAR = 2024;

/** A deterministic PRNG, so every run seeds the same records. */
function mulberry32(seed: number): () => number {
  return () => {
    seed |= 0;
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pick<T>(rand: () => number, weighted: Array<[T, number]>): T {
  let r = rand() * weighted.reduce((n, [, w]) => n + w, 0);
  for (const [v, w] of weighted) if ((r -= w) < 0) return v;
  return weighted[weighted.length - 1][0];
}

const TYPES: Array<[string, number]> = [
  ['natural_person', 70],
  ['commercial_enterprise', 15],
  ['research_institution', 2],
  ['social_welfare_org', 2],
  ['legal_service_org', 6],
  ['other_org', 5],
];
const OUTCOMES: Array<[string, number]> = [
  ['granted', 38],
  ['partially_granted', 12],
  ['withheld_state_secret', 0.5],
  ['withheld_law_prohibits', 1],
  ['withheld_three_security_one_stability', 0.5],
  ['withheld_third_party_rights', 3],
  ['withheld_internal_affairs', 1],
  ['withheld_process_info', 2],
  ['withheld_law_enforcement_file', 1],
  ['withheld_administrative_inquiry', 1],
  ['unable_not_held', 16],
  ['unable_needs_creation', 3],
  ['unable_unclear_after_correction', 1],
  ['not_processed_petition_complaint', 3],
  ['not_processed_repeat', 3],
  ['not_processed_publication', 1],
  ['not_processed_excessive', 1],
  ['not_processed_confirm_or_reissue', 1],
  ['other_overdue_correction', 4],
  ['other_unpaid_fee', 1],
  ['other_other', 3],
];
const EVENT_OF: Record<string, string> = { other_overdue_correction: 'correction_lapsed', other_unpaid_fee: 'fee_lapsed', other_other: 'withdrawn' };

async function seed(ds: DataSource, n: number, pg: boolean): Promise<void> {
  const rand = mulberry32(20241231);
  const start = toDayNumber('2023-01-01');
  const span = toDayNumber('2025-12-31') - start + 1;
  const now = new Date().toISOString();
  const BATCH = 1000;
  const ph = (row: number, cols: number) => `(${Array.from({ length: cols }, (_, c) => (pg ? `$${row * cols + c + 1}` : '?')).join(',')})`;
  const insert = async (table: string, columns: string[], rows: unknown[][]) => {
    if (!rows.length) return;
    await ds.query(`INSERT INTO ${table} (${columns.join(',')}) VALUES ${rows.map((_, i) => ph(i, columns.length)).join(',')}`, rows.flat());
  };
  const qr = ds.createQueryRunner();
  await qr.startTransaction();
  try {
    for (let done = 0; done < n; done += BATCH) {
      const applicants: unknown[][] = [];
      const requests: unknown[][] = [];
      const events: unknown[][] = [];
      for (let i = done; i < Math.min(n, done + BATCH); i++) {
        const type = pick(rand, TYPES);
        const receivedOn = fromDayNumber(start + Math.floor(rand() * span));
        const open = rand() < 0.04 || receivedOn > '2025-12-10';
        const outcome = open ? null : pick(rand, OUTCOMES);
        const concludedOn = open ? null : addDays(receivedOn, 3 + Math.floor(rand() * 55));
        const applicantId = randomUUID();
        const requestId = randomUUID();
        applicants.push([applicantId, type, `申请人${i}`, now]);
        requests.push([
          requestId,
          `B${String(i).padStart(9, '0')}`,
          '0'.repeat(64),
          applicantId,
          type,
          'in_person',
          now,
          receivedOn,
          open ? 'in_progress' : 'concluded',
          '基准测试申请',
          'electronic',
          addDays(receivedOn, 28),
          pg ? false : 0,
          outcome,
          concludedOn,
          1,
          now,
          now,
        ]);
        events.push([randomUUID(), requestId, 1, 'registered', receivedOn, now, '基准', '—', '{}']);
        if (outcome) events.push([randomUUID(), requestId, 2, EVENT_OF[outcome] ?? 'decided', concludedOn, now, '基准', '—', JSON.stringify({ outcome })]);
      }
      await insert('applicant', ['id', 'type', 'name', 'created_at'], applicants);
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
    }
    await qr.commitTransaction();
  } finally {
    await qr.release();
  }
  await ds.query(pg ? 'ANALYZE' : 'ANALYZE');
}

const FLOOR_QUERIES = (pg: boolean) => {
  const p = pg ? ['$1', '$2'] : ['?1', '?2'];
  return [
    // The same GROUP BY the app issues, written by hand.
    `SELECT applicant_type, CASE WHEN received_on < ${p[0]} THEN 0 ELSE 1 END AS rb,
            CASE WHEN concluded_on IS NULL THEN 2 WHEN concluded_on > ${p[1]} THEN 1 ELSE 0 END AS cb,
            CASE WHEN concluded_on <= ${p[1]} THEN outcome END AS oc, COUNT(*) AS n
       FROM information_request
      WHERE received_on IS NOT NULL AND received_on <= ${p[1]} AND (concluded_on IS NULL OR concluded_on >= ${p[0]})
      GROUP BY 1, 2, 3, 4`,
  ];
};

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function childEnv(dir: string, pg: boolean): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = { ...process.env, OGI_DATA_DIR: dir, OGI_ADMIN_USERNAME: '', OGI_ADMIN_PASSWORD: '', MAIL_POLL_MS: '3600000' };
  if (!pg) env.DATABASE_URL = `sqlite:${join(dir, 'bench.sqlite')}`;
  else if (!/^postgres/.test(env.DATABASE_URL ?? '')) throw new Error('--pg needs DATABASE_URL=postgres://…');
  return env;
}

/** Child 1: a fresh database with the real migrations and N seeded requests. */
async function seedChild(dir: string, size: number, pg: boolean): Promise<void> {
  const ds = new DataSource(buildDataSourceOptions(loadConfig(childEnv(dir, pg))));
  await ds.initialize();
  if (pg) await ds.query('DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public;');
  await ds.runMigrations();
  const t0 = performance.now();
  await seed(ds, size, pg);
  await ds.destroy();
  console.log(JSON.stringify({ seedS: (performance.now() - t0) / 1000 }));
}

/** Child 2: the app on that database; its peak RSS is the compile's, not the seeding's. */
async function measureChild(dir: string, pg: boolean, runs: number): Promise<void> {
  pinProcessTimeZone();
  const config = loadConfig(childEnv(dir, pg));
  const app = await NestFactory.createApplicationContext(AppModule.register({ ...config, skipMigrations: true }), { logger: ['error'] });
  const reports = app.get(ReportsService);
  const ds = app.get(DataSource);
  const compileOnce = async () => {
    const a = performance.now();
    const s3 = await reports.compileSection3(YEAR, '2021');
    await reports.compileSection4(YEAR);
    return { ms: performance.now() - a, rows: s3.table.rows };
  };
  const floorOnce = async (sql: string) => {
    const a = performance.now();
    const rows = await ds.query(sql, [`${YEAR}-01-01`, `${YEAR}-12-31`]);
    return { ms: performance.now() - a, rows };
  };
  const first = await compileOnce(); // warm-up, and the numbers to check the floor against
  const compileTimes: number[] = [];
  for (let i = 0; i < runs; i++) compileTimes.push((await compileOnce()).ms);
  let floor = Infinity;
  let floorTotal = 0;
  for (const sql of FLOOR_QUERIES(pg)) {
    const warm = await floorOnce(sql);
    floorTotal = (warm.rows as Array<{ n: string | number }>).reduce((n, r) => n + Number(r.n), 0);
    const times: number[] = [];
    for (let i = 0; i < runs; i++) times.push((await floorOnce(sql)).ms);
    floor = Math.min(floor, median(times));
  }
  // The floor must yield the same numbers: every counted application, once.
  const compiledTotal = first.rows.new_received[6] + first.rows.carried_over_from_last_year[6];
  if (compiledTotal !== floorTotal) throw new Error(`floor query disagrees: ${floorTotal} vs ${compiledTotal}`);
  await app.close();
  const compile = median(compileTimes);
  console.log(JSON.stringify({ compileMs: compile, floorMs: floor, ratio: compile / floor, rssMB: process.resourceUsage().maxRSS / 1024, counted: compiledTotal }));
}

function runChild(args: string[]): Record<string, number> {
  const out = spawnSync(process.execPath, [__filename, ...args], { encoding: 'utf8', env: process.env, maxBuffer: 1 << 24 });
  const line = out.stdout.trim().split('\n').pop() ?? '';
  if (out.status !== 0 || !line.startsWith('{')) {
    console.error(out.stderr || out.stdout);
    process.exit(1);
  }
  return JSON.parse(line);
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  // Issue 16: the roll-up benchmark (scripts/bench-rollup.ts).
  if (args.includes('--rollup')) return rollupBenchmark(args);
  const pg = args.includes('--pg');
  const runs = Number(argValue(args, 'runs') ?? 7);
  const dirArg = argValue(args, 'dir');
  if (args.includes('--seed')) return seedChild(dirArg!, Number(argValue(args, 'size')), pg);
  if (args.includes('--measure')) return measureChild(dirArg!, pg, runs);
  const sizes = (argValue(args, 'sizes') ?? '10000,100000,1000000').split(',').map(Number);
  console.log(`OGI Desk report benchmark — ${pg ? 'PostgreSQL' : 'SQLite'}, year ${YEAR}, median of ${runs} runs, node ${process.version}`);
  console.log('records     seed(s)  compile(ms)  floor(ms)  ratio  peak RSS(MB)  counted in 2024');
  for (const size of sizes) {
    const dir = mkdtempSync(join(tmpdir(), 'ogi-bench-'));
    const flags = pg ? ['--pg'] : [];
    const seeded = runChild(['--seed', '--dir', dir, '--size', String(size), ...flags]);
    const r = runChild(['--measure', '--dir', dir, '--runs', String(runs), ...flags]);
    rmSync(dir, { recursive: true, force: true });
    console.log(
      `${String(size).padStart(9)}  ${seeded.seedS.toFixed(1).padStart(7)}  ${r.compileMs.toFixed(1).padStart(11)}  ${r.floorMs.toFixed(1).padStart(9)}  ${r.ratio.toFixed(2).padStart(5)}  ${r.rssMB.toFixed(0).padStart(12)}  ${String(r.counted).padStart(15)}`,
    );
  }
}

void main();
