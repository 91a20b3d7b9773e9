/**
 * npm run bench:report -- --rollup [--pg] [--requests 1000000] [--runs 5]
 *
 * Issue 16 (D22) at platform scale: 300 agencies in a three-level tree (the root, 19 offices under
 * it, 280 agencies under those), N requests over 2023–2025 spread over them. In one database:
 *   1. only one leaf agency's requests are seeded; its request list (first page with the total)
 *      and its report (Sections 3 and 4) are timed: "alone";
 *   2. the other 299 agencies' requests are added; the same agency's list and report are timed
 *      again (the ratio is printed), then the roll-up (Sections 3 and 4) of the root and of a
 *      middle office, each against its raw grouped-SQL floor (the same GROUP BY written by hand).
 * Each measurement runs in a child process of its own, so its peak RSS is the app's.
 * Targets: roll-up ≤ 1 s and ≤ 1.5 × floor; RSS < 250 MB; list and report with others ≤ 1.5 × alone.
 */
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { NestFactory } from '@nestjs/core';
import { DataSource } from 'typeorm';
import { runForAgency } from '../src/agencies/agency-scope';
import { subtreeOf } from '../src/agencies/agency-tree';
import { AgenciesService } from '../src/agencies/agencies.service';
import { AppModule } from '../src/app.module';
import { loadConfig, pinProcessTimeZone } from '../src/config/app-config';
import { buildDataSourceOptions } from '../src/database/data-source';
import { addDays, fromDayNumber, toDayNumber } from '../src/domain/calendar';
import { ReportsService } from '../src/reports/reports.service';
import { ListRequestsQueryDto } from '../src/requests/dto/request.dto';
import { RequestQueriesService } from '../src/requests/request-queries.service';
import { foldTallies } from '../src/requests/request-tally';
import { RollupService } from '../src/rollups/rollup.service';
import { argValue } from './cli-context';

const YEAR = 2024;
const MIDDLES = 19;
const LEAVES = 280;
/** The leaf agency whose list and report are timed alone and among the others. */
const WATCHED = 'a140';
/** The middle office whose roll-up is timed beside the root's. */
const MIDDLE = 'm07';

function mulberry32(seed: number): () => number {
  return () => {
    seed |= 0;
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const TYPES = ['natural_person', 'natural_person', 'natural_person', 'natural_person', 'natural_person', 'natural_person', 'natural_person', 'commercial_enterprise', 'legal_service_org', 'other_org'];
const OUTCOMES = [
  'granted',
  'granted',
  'granted',
  'partially_granted',
  'unable_not_held',
  'unable_not_held',
  'withheld_third_party_rights',
  'not_processed_repeat',
  'other_overdue_correction',
  'other_other',
];

const EVENT_OF: Record<string, string> = { other_overdue_correction: 'correction_lapsed', other_other: 'withdrawn' };

function childEnv(dir: string, pg: boolean): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = { ...process.env, OGI_DATA_DIR: dir, OGI_ADMIN_USERNAME: '', OGI_ADMIN_PASSWORD: '', MAIL_POLL_MS: '3600000' };
  if (!pg) env.DATABASE_URL = `sqlite:${join(dir, 'bench.sqlite')}`;
  else if (!/^postgres/.test(env.DATABASE_URL ?? '')) throw new Error('--pg needs DATABASE_URL=postgres://…');
  return env;
}

/** The tree: ids 1 (root, from the migration), 2–20 the offices, 21–300 the leaves. */
async function seedTree(ds: DataSource): Promise<void> {
  const now = new Date().toISOString();
  for (let i = 1; i <= MIDDLES; i++) await ds.query(`INSERT INTO agency (code, name, parent_id, created_at) VALUES ('m${String(i).padStart(2, '0')}', '某市第${i}区政府办公室', 1, '${now}')`);
  for (let i = 1; i <= LEAVES; i++)
    await ds.query(`INSERT INTO agency (code, name, parent_id, created_at) VALUES ('a${String(i).padStart(3, '0')}', '某市第${i}号机关', ${2 + ((i - 1) % MIDDLES)}, '${now}')`);
}

/** The same N requests every run; `keep` says which agency's are written in this part. */
async function seedRequests(ds: DataSource, n: number, pg: boolean, keep: (agencyId: number) => boolean): Promise<number> {
  const rand = mulberry32(20261601);
  const start = toDayNumber('2023-01-01');
  const span = toDayNumber('2025-12-31') - start + 1;
  const now = new Date().toISOString();
  const ph = (row: number, cols: number) => `(${Array.from({ length: cols }, (_, c) => (pg ? `$${row * cols + c + 1}` : '?')).join(',')})`;
  const insert = async (table: string, columns: string[], rows: unknown[][]) => {
    if (rows.length) await ds.query(`INSERT INTO ${table} (${columns.join(',')}) VALUES ${rows.map((_, i) => ph(i, columns.length)).join(',')}`, rows.flat());
  };
  let written = 0;
  const qr = ds.createQueryRunner();
  await qr.startTransaction();
  try {
    for (let done = 0; done < n; done += 1000) {
      const applicants: unknown[][] = [];
      const requests: unknown[][] = [];
      const cases: unknown[][] = [];
      const events: unknown[][] = [];
      for (let i = done; i < Math.min(n, done + 1000); i++) {
        const agencyId = 1 + Math.floor(rand() * 300);
        const type = TYPES[Math.floor(rand() * TYPES.length)];
        const receivedOn = fromDayNumber(start + Math.floor(rand() * span));
        const open = rand() < 0.04 || receivedOn > '2025-12-10';
        const outcome = open ? null : OUTCOMES[Math.floor(rand() * OUTCOMES.length)];
        const concludedOn = open ? null : addDays(receivedOn, 3 + Math.floor(rand() * 40));
        const hasCase = rand() < 0.002;
        if (!keep(agencyId)) continue;
        const applicantId = randomUUID();
        const requestId = randomUUID();
        applicants.push([applicantId, type, `申请人${i}`, now]);
        requests.push([
          requestId,
          agencyId,
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
        if (outcome) events.push([randomUUID(), requestId, 2, EVENT_OF[outcome] ?? 'decided', concludedOn, now, '基准', '—', JSON.stringify({ outcome, reason: '基准' })]);
        if (hasCase)
          cases.push([
            randomUUID(),
            agencyId,
            'administrative_review',
            addDays(receivedOn, 60),
            'original_agency',
            concludedOn ? 'upheld' : null,
            concludedOn ? addDays(concludedOn, 90) : null,
            now,
            '基准',
            1,
          ]);
        written++;
      }
      await insert('applicant', ['id', 'type', 'name', 'created_at'], applicants);
      await insert(
        'information_request',
        [
          'id',
          'agency_id',
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
      await insert('review_case', ['id', 'agency_id', 'kind', 'filed_on', 'agency_role', 'result', 'concluded_on', 'created_at', 'created_by', 'version'], cases);
    }
    // Every fifth agency counts Section 4 the other way (D8): the roll-up applies each agency's own.
    if (keep(2))
      for (let id = 5; id <= 300; id += 5)
        await ds.query(`INSERT INTO agency_setting (agency_id, key, value, updated_at, updated_by) VALUES (${id}, 'section4_basis', 'concluded_or_pending', '${now}', '基准')`);
    await qr.commitTransaction();
  } finally {
    await qr.release();
  }
  // The app folds the tallies' deltas every 30 s; what is measured is the state after that.
  while ((await ds.transaction((m) => foldTallies(m, 200_000))) > 0);
  // PostgreSQL: VACUUM sets the visibility map that index-only scans need, and clears the delta
  // tables of the millions of rows the fold deleted (a count reads them: 79 ms instead of 3 ms for
  // the agency's list right after a 1M seed), as autovacuum does soon after a bulk load.
  if (pg) await ds.query('VACUUM ANALYZE information_request, request_tally_delta, reply_tally_delta, report_tally_delta');
  await ds.query('ANALYZE');
  return written;
}

async function seedChild(dir: string, n: number, pg: boolean, part: 'alone' | 'rest'): Promise<void> {
  const ds = new DataSource(buildDataSourceOptions(loadConfig(childEnv(dir, pg))));
  await ds.initialize();
  const t0 = performance.now();
  let written: number;
  if (part === 'alone') {
    if (pg) await ds.query('DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public;');
    await ds.runMigrations();
    await seedTree(ds);
    // The seeded rows are what the app would store; the one-time re-derivation of old rows is not what is measured.
    await ds.query(`INSERT INTO job_run (job, run_on, started_at, result) VALUES ('rederive-state', 'd15-d19', '${new Date().toISOString()}', 'bench')`);
    const watched = Number((await ds.query(`SELECT id FROM agency WHERE code = '${WATCHED}'`))[0].id);
    written = await seedRequests(ds, n, pg, (a) => a === watched);
  } else {
    const watched = Number((await ds.query(`SELECT id FROM agency WHERE code = '${WATCHED}'`))[0].id);
    written = await seedRequests(ds, n, pg, (a) => a !== watched);
  }
  await ds.destroy();
  console.log(JSON.stringify({ seedS: (performance.now() - t0) / 1000, written }));
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function timed<T>(runs: number, fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const value = await fn(); // warm-up
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const a = performance.now();
    await fn();
    times.push(performance.now() - a);
  }
  return { ms: median(times), value };
}

/** The same GROUP BY the roll-up issues, written by hand: the floor. */
function floorSql(pg: boolean, ids: number[] | null): string {
  const [s, e] = pg ? ['$1', '$2'] : ['?1', '?2'];
  return `SELECT agency_id, applicant_type, CASE WHEN received_on < ${s} THEN 0 ELSE 1 END AS rb,
            CASE WHEN concluded_on IS NULL THEN 2 WHEN concluded_on > ${e} THEN 1 ELSE 0 END AS cb,
            CASE WHEN concluded_on <= ${e} THEN outcome END AS oc, COUNT(*) AS n
       FROM information_request
      WHERE received_on IS NOT NULL AND received_on <= ${e} AND (concluded_on IS NULL OR concluded_on >= ${s})${ids ? ` AND agency_id IN (${ids.join(', ')})` : ''}
      GROUP BY 1, 2, 3, 4, 5`;
}

async function measureChild(dir: string, pg: boolean, runs: number, phase: 'alone' | 'full'): Promise<void> {
  pinProcessTimeZone();
  const config = loadConfig(childEnv(dir, pg));
  const app = await NestFactory.createApplicationContext(AppModule.register({ ...config, skipMigrations: true }), { logger: ['error'] });
  const ds = app.get(DataSource);
  // Start-up work (trigger and index checks, a first tally fold) runs just after bootstrap: let it finish first.
  await new Promise((resolve) => setTimeout(resolve, 5000));
  const agencies = await app.get(AgenciesService).all();
  const watched = agencies.find((a) => a.code === WATCHED)!;
  const reports = app.get(ReportsService);
  const queries = app.get(RequestQueriesService);
  // The agency's own pages: the list's first page with its total, and the report page's tables.
  // Single-digit milliseconds on a shared machine: more runs than the roll-ups get, for a steadier median.
  const list = await timed(Math.max(runs, 25), () => runForAgency(watched.id, () => queries.listRequests(Object.assign(new ListRequestsQueryDto(), { page: '1' }))));
  const report = await timed(Math.max(runs, 25), () => runForAgency(watched.id, () => reports.annualReport(YEAR, '2021')));
  const out: Record<string, number> = { listMs: list.ms, reportMs: report.ms, listTotal: list.value.total, reportNew: report.value.section3.rows.new_received[6] };
  if (phase === 'full') {
    const rollups = app.get(RollupService);
    const nodes = (['main', MIDDLE] as const).map((code) => {
      const node = agencies.find((a) => a.code === code)!;
      return { key: code === 'main' ? 'root' : 'middle', code, target: { node, subtree: subtreeOf(agencies, node.id), platformSize: agencies.length } };
    });
    // The app's work first, then the hand-written floors: these run on the writer's connection,
    // whose page cache they fill, which no roll-up does; the peak RSS is read in between.
    const measured = [];
    // A middle node's roll-up takes tens of milliseconds: like the agency's own pages, more runs for a steadier median.
    const runsOf = (key: string) => (key === 'root' ? runs : Math.max(runs, 15));
    for (const { key, target } of nodes) measured.push(await timed(runsOf(key), async () => ({ s3: await rollups.section3(target, YEAR, '2021'), s4: await rollups.section4(target, YEAR) })));
    out.appRssMB = process.resourceUsage().maxRSS / 1024;
    for (const [i, { key, code, target }] of nodes.entries()) {
      const rollup = measured[i];
      const sql = floorSql(pg, key === 'root' ? null : target.subtree.map((a) => a.id));
      const floor = await timed(runsOf(key), () => ds.query<Array<{ n: string | number }>>(sql, [`${YEAR}-01-01`, `${YEAR}-12-31`]));
      const floorTotal = floor.value.reduce((n, r) => n + Number(r.n), 0);
      const rows = rollup.value.s3.report.rows;
      const counted = rows.new_received[6] + rows.carried_over_from_last_year[6];
      if (counted !== floorTotal) throw new Error(`floor query disagrees for ${code}: ${floorTotal} vs ${counted}`);
      Object.assign(out, { [`${key}Ms`]: rollup.ms, [`${key}FloorMs`]: floor.ms, [`${key}Counted`]: counted, [`${key}Agencies`]: target.subtree.length });
    }
  }
  await app.close();
  out.rssMB = process.resourceUsage().maxRSS / 1024;
  out.appRssMB ??= out.rssMB;
  console.log(JSON.stringify(out));
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

export function rollupBenchmark(args: string[]): void {
  const pg = args.includes('--pg');
  const runs = Number(argValue(args, 'runs') ?? 5);
  const n = Number(argValue(args, 'requests') ?? 1_000_000);
  const flags = pg ? ['--pg'] : [];
  // --dir PATH keeps the database there; with --reuse, a database seeded by an earlier run is measured again.
  const dir = argValue(args, 'dir') ?? mkdtempSync(join(tmpdir(), 'ogi-rollup-'));
  const keep = argValue(args, 'dir') !== undefined;
  const reuse = keep && args.includes('--reuse');
  mkdirSync(dir, { recursive: true });
  console.log(`OGI Desk roll-up benchmark — ${pg ? 'PostgreSQL' : 'SQLite'}, ${n} requests, 300 agencies (1 + ${MIDDLES} + ${LEAVES}), year ${YEAR}, median of ${runs} runs, node ${process.version}`);
  try {
    const a = reuse ? { written: 0, seedS: 0 } : runChild(['--rollup-child', '--seed', '--part', 'alone', '--dir', dir, '--requests', String(n), ...flags]);
    // Reused: the "alone" figures are of an earlier run, read from the database's side file.
    const alone = reuse
      ? (JSON.parse(readFileSync(join(dir, 'alone.json'), 'utf8')) as Record<string, number>)
      : runChild(['--rollup-child', '--measure', '--phase', 'alone', '--dir', dir, '--runs', String(runs), ...flags]);
    if (!reuse) writeFileSync(join(dir, 'alone.json'), JSON.stringify(alone));
    const b = reuse ? { written: 0, seedS: 0 } : runChild(['--rollup-child', '--seed', '--part', 'rest', '--dir', dir, '--requests', String(n), ...flags]);
    const full = runChild(['--rollup-child', '--measure', '--phase', 'full', '--dir', dir, '--runs', String(runs), ...flags]);
    console.log(`seeded ${a.written + b.written} requests in ${(a.seedS + b.seedS).toFixed(1)} s (${a.written} of them agency ${WATCHED}'s)`);
    const targets: Array<[string, boolean]> = [];
    for (const key of ['root', 'middle'] as const) {
      const ms = full[`${key}Ms`];
      const floor = full[`${key}FloorMs`];
      console.log(
        `roll-up ${key === 'root' ? 'root  ' : `middle (${MIDDLE})`}: ${full[`${key}Agencies`]} agencies, ${full[`${key}Counted`]} counted, ${ms.toFixed(1)} ms, floor ${floor.toFixed(1)} ms, ratio ${(ms / floor).toFixed(2)}`,
      );
      targets.push([`roll-up of the ${key} ≤ 1000 ms`, ms <= 1000], [`roll-up of the ${key} ≤ 1.5 × floor`, ms <= 1.5 * floor]);
    }
    const rss = Math.max(alone.appRssMB ?? alone.rssMB, full.appRssMB);
    console.log(`app peak RSS: ${rss.toFixed(0)} MB (the process with the floor queries run on its writer connection after: ${Math.max(alone.rssMB, full.rssMB).toFixed(0)} MB)`);
    targets.push(['RSS < 250 MB', rss < 250]);
    if (alone.listTotal !== full.listTotal || alone.reportNew !== full.reportNew) throw new Error('the watched agency reads other agencies’ records');
    for (const [label, key] of [
      ['request list (page 1 with total)', 'listMs'],
      ['report (Sections 3 and 4)', 'reportMs'],
    ] as const) {
      const ratio = full[key] / alone[key];
      console.log(`agency ${WATCHED} ${label}: alone ${alone[key].toFixed(1)} ms, with 299 others ${full[key].toFixed(1)} ms, ratio ${ratio.toFixed(2)}`);
      targets.push([`${label} with others ≤ 1.5 × alone`, ratio <= 1.5]);
    }
    for (const [label, ok] of targets) console.log(`${ok ? 'met   ' : 'MISSED'}  ${label}`);
    if (targets.some(([, ok]) => !ok)) process.exitCode = 1;
  } finally {
    if (!keep) rmSync(dir, { recursive: true, force: true });
  }
}

/** Entry of the child processes (seed, measure). */
export async function rollupChild(args: string[]): Promise<void> {
  const pg = args.includes('--pg');
  const dir = argValue(args, 'dir')!;
  if (args.includes('--seed')) return seedChild(dir, Number(argValue(args, 'requests')), pg, argValue(args, 'part') as 'alone' | 'rest');
  return measureChild(dir, pg, Number(argValue(args, 'runs') ?? 5), argValue(args, 'phase') as 'alone' | 'full');
}

if (require.main === module) void rollupChild(process.argv.slice(2));
