/**
 * npm run bench:intake [-- --pg] [-- --seconds 10] [-- --rate 200] [-- --concurrency 32]
 *
 * Starts the built app (dist/src/main.js, with the node flags of `npm start`) on a fresh database in its own process and drives it
 * from this process over loopback with keep-alive connections:
 *   fixed rate: 200 requests/s for N seconds (latency percentiles),
 *   flat out:   C concurrent connections for N seconds (throughput),
 * for staff registrations (POST /api/v1/requests) and citizen filings (POST /api/v1/public/requests).
 * The floor: the same rows written directly through the driver, one transaction per request, in one process.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { DataSource } from 'typeorm';
import { loadConfig } from '../src/config/app-config';
import { buildDataSourceOptions } from '../src/database/data-source';
import { tuneConnection } from '../src/database/migrate';
import { argValue } from './cli-context';
import { freePort, startScriptNodeFlags } from './bench-app';

const ROOT = join(__dirname, '../..');
const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });

function send(port: number, path: string, body: string, token?: string): Promise<{ status: number; ms: number }> {
  const start = performance.now();
  return new Promise((resolve) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: 'POST',
        agent,
        headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body), ...(token ? { Authorization: `Bearer ${token}` } : {}) },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0, ms: performance.now() - start }));
      },
    );
    req.on('error', () => resolve({ status: 0, ms: performance.now() - start }));
    req.end(body);
  });
}

function pct(sorted: number[], p: number): number {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] : NaN;
}

interface Result {
  label: string;
  ok: number;
  errors: number;
  seconds: number;
  latencies: number[];
}

async function fixedRate(fire: () => Promise<{ status: number; ms: number }>, rate: number, seconds: number, label: string): Promise<Result> {
  const latencies: number[] = [];
  let errors = 0;
  const pending: Promise<void>[] = [];
  const start = performance.now();
  const total = rate * seconds;
  for (let i = 0; i < total; i++) {
    const due = start + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    pending.push(fire().then((r) => (r.status === 201 ? void latencies.push(r.ms) : void errors++)));
  }
  await Promise.all(pending);
  return { label, ok: latencies.length, errors, seconds: (performance.now() - start) / 1000, latencies };
}

async function flatOut(fire: () => Promise<{ status: number; ms: number }>, concurrency: number, seconds: number, label: string): Promise<Result> {
  const latencies: number[] = [];
  let errors = 0;
  const start = performance.now();
  const until = start + seconds * 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < until) {
        const r = await fire();
        if (r.status === 201) latencies.push(r.ms);
        else errors++;
      }
    }),
  );
  return { label, ok: latencies.length, errors, seconds: (performance.now() - start) / 1000, latencies };
}

/** The app runs as `npm start` runs it: the node flags come from that script. */

function peakRssMb(pid: number): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

function staffBody(i: number): string {
  return JSON.stringify({
    applicant: { type: 'natural_person', name: `压测${i}`, idDocumentNumber: '11010519491231002X', phone: '13800138000' },
    channel: 'in_person',
    receivedOn: '2026-06-01',
    description: `压测申请 ${i}`,
    items: [{ description: '一项' }],
  });
}

function publicBody(i: number): string {
  return JSON.stringify({ applicant: { type: 'natural_person', name: `网上${i}`, idDocumentNumber: '11010519491231002X', phone: '13800138000' }, description: `网上申请 ${i}` });
}

let floorSerial = 0;

/**
 * The floor: the same rows a registration writes, inserted through the driver with hand-written
 * SQL in one process. `group` requests per transaction: 1 is one transaction per request; more
 * is what the app's group commit does, with one multi-row INSERT per table.
 */
async function floor(env: Record<string, string | undefined>, seconds: number, pg: boolean, group: number): Promise<number> {
  const ds = await new DataSource(buildDataSourceOptions(loadConfig(env))).initialize();
  await tuneConnection(ds); // the same connection settings as the app
  const now = new Date().toISOString();
  const values = (rows: unknown[][]) => {
    let n = 0;
    const sql = rows.map((r) => `(${r.map(() => (pg ? `$${++n}` : '?')).join(',')})`).join(',');
    return { sql, params: rows.flat() };
  };
  let done = 0;
  const until = performance.now() + seconds * 1000;
  while (performance.now() < until) {
    await ds.transaction(async (m) => {
      const ids = Array.from({ length: group }, () => ({ applicant: randomUUID(), request: randomUUID(), serial: floorSerial++ }));
      const applicants = values(ids.map((i) => [i.applicant, 'natural_person', '底线', '11010519491231002X', '13800138000', now]));
      await m.query(`INSERT INTO applicant (id, type, name, id_document_number, phone, created_at) VALUES ${applicants.sql}`, applicants.params);
      await m.query(`UPDATE tracking_sequence SET last_value = last_value + ${group} WHERE year = ${pg ? '$1' : '?'}`, [2099]);
      const requests = values(
        ids.map((i) => [
          i.request,
          `F${i.serial}`,
          'x'.repeat(64),
          i.applicant,
          'natural_person',
          'in_person',
          now,
          '2026-06-01',
          'in_progress',
          '底线',
          'electronic',
          '2026-06-29',
          pg ? false : 0,
          1,
          now,
          now,
        ]),
      );
      await m.query(
        `INSERT INTO information_request (id, tracking_number, access_code_hash, applicant_id, applicant_type, channel, submitted_at, received_on, status, description, delivery_method, due_on, due_is_provisional, version, created_at, updated_at) VALUES ${requests.sql}`,
        requests.params,
      );
      const items = values(ids.map((i) => [randomUUID(), i.request, 0, '一项']));
      await m.query(`INSERT INTO request_item (id, request_id, position, description) VALUES ${items.sql}`, items.params);
      const events = values(ids.map((i) => [randomUUID(), i.request, 1, 'registered', '2026-06-01', now, '底线', '—', '{}']));
      await m.query(`INSERT INTO request_event (id, request_id, seq, type, occurred_on, recorded_at, actor_label, basis, payload) VALUES ${events.sql}`, events.params);
    });
    done += group;
  }
  await ds.destroy();
  return done / seconds;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const pg = args.includes('--pg');
  const seconds = Number(argValue(args, 'seconds') ?? 10);
  const rate = Number(argValue(args, 'rate') ?? 200);
  const concurrency = Number(argValue(args, 'concurrency') ?? 32);
  const dir = mkdtempSync(join(tmpdir(), 'ogi-bench-intake-'));
  const port = await freePort();
  const env: Record<string, string | undefined> = {
    ...process.env,
    TZ: 'Asia/Shanghai',
    PORT: String(port),
    OGI_DATA_DIR: dir,
    OGI_ADMIN_USERNAME: 'bench',
    OGI_ADMIN_PASSWORD: 'bench-password-1',
    RATE_LIMIT_PUBLIC: '1000000',
    RATE_LIMIT_LOGIN: '100000',
    MAIL_POLL_MS: '3600000',
  };
  if (pg) {
    if (!/^postgres/.test(env.DATABASE_URL ?? '')) throw new Error('--pg needs DATABASE_URL=postgres://…');
    const ds = await new DataSource(buildDataSourceOptions(loadConfig(env))).initialize();
    await ds.query('DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public;');
    await ds.destroy();
  } else env.DATABASE_URL = `sqlite:${join(dir, 'bench.sqlite')}`;

  const flags = startScriptNodeFlags();
  const app: ChildProcess = spawn(process.execPath, [...flags, join(ROOT, 'dist/src/main.js')], { env, stdio: ['ignore', 'ignore', 'inherit'] });
  for (let i = 0; ; i++) {
    const ok = await new Promise<boolean>((r) => http.get({ host: '127.0.0.1', port, path: '/', agent }, (res) => (res.resume(), r(res.statusCode === 200))).on('error', () => r(false)));
    if (ok) break;
    if (i > 300) throw new Error('app did not start');
    await new Promise((r) => setTimeout(r, 100));
  }
  const signIn = (username: string, password: string) =>
    new Promise<string>((resolve) => {
      const body = JSON.stringify({ username, password });
      const req = http.request(
        { host: '127.0.0.1', port, path: '/api/v1/auth/token', method: 'POST', agent, headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) } },
        (res) => {
          let data = '';
          res.on('data', (c) => (data += c));
          res.on('end', () => resolve(JSON.parse(data).token));
        },
      );
      req.end(body);
    });
  // The start-up administrator registers nothing (separation of duties): it creates a registrar.
  const created = await send(
    port,
    '/api/v1/accounts',
    JSON.stringify({ username: 'bench.clerk', displayName: '登记员', password: 'Bench-clerk-2026', roles: ['registrar'] }),
    await signIn('bench', 'bench-password-1'),
  );
  if (created.status !== 201) throw new Error(`registrar account not created: ${created.status}`);
  const token = await signIn('bench.clerk', 'Bench-clerk-2026');

  let n = 0;
  const register = () => send(port, '/api/v1/requests', staffBody(n++), token);
  const file = () => send(port, '/api/v1/public/requests', publicBody(n++));
  await flatOut(register, 8, 1, 'warm-up');
  const results = [
    await fixedRate(register, rate, seconds, `registrations @ ${rate}/s`),
    await fixedRate(file, rate, seconds, `citizen filings @ ${rate}/s`),
    await flatOut(register, concurrency, seconds, `registrations flat out (${concurrency} conn.)`),
    await flatOut(file, concurrency, seconds, `citizen filings flat out (${concurrency} conn.)`),
  ];
  const rss = peakRssMb(app.pid!);
  app.kill('SIGTERM');
  await new Promise((r) => app.once('exit', r));
  const floorRate = await floor(env, Math.min(seconds, 5), pg, 1);
  const groupedFloorRate = await floor(env, Math.min(seconds, 5), pg, concurrency);
  if (!pg) rmSync(dir, { recursive: true, force: true });

  console.log(`OGI Desk intake benchmark — ${pg ? 'PostgreSQL' : 'SQLite'}, node ${process.version} ${flags.join(' ')}, app in its own process, load over loopback, ${cpus().length} CPUs`);
  console.log('scenario                                   req/s   p50 ms  p95 ms  p99 ms  errors  vs floor  vs grouped floor');
  for (const r of results) {
    const sorted = [...r.latencies].sort((a, b) => a - b);
    const tput = r.ok / r.seconds;
    console.log(
      `${r.label.padEnd(40)} ${tput.toFixed(0).padStart(7)} ${pct(sorted, 50).toFixed(1).padStart(8)} ${pct(sorted, 95).toFixed(1).padStart(7)} ${pct(sorted, 99).toFixed(1).padStart(7)} ${String(r.errors).padStart(7)} ${(tput / floorRate).toFixed(2).padStart(9)} ${(tput / groupedFloorRate).toFixed(2).padStart(17)}`,
    );
  }
  console.log(`floor: the same rows through the driver with hand-written SQL, one transaction per request: ${floorRate.toFixed(0)}/s`);
  console.log(`grouped floor: the same, ${concurrency} requests per transaction with multi-row INSERTs (what the app's group commit does): ${groupedFloorRate.toFixed(0)}/s`);
  console.log(`app peak RSS: ${rss.toFixed(0)} MB`);

  // The issue's targets, checked on the figures above.
  const [regAtRate, fileAtRate, regFlat] = results;
  const p99 = (r: Result) =>
    pct(
      [...r.latencies].sort((a, b) => a - b),
      99,
    );
  const checks: Array<[string, boolean]> = [
    [`registrations flat out >= 1000/s (${(regFlat.ok / regFlat.seconds).toFixed(0)})`, regFlat.ok / regFlat.seconds >= 1000],
    [`p99 < 50 ms at ${rate}/s (${p99(regAtRate).toFixed(1)} / ${p99(fileAtRate).toFixed(1)})`, p99(regAtRate) < 50 && p99(fileAtRate) < 50],
    [`peak RSS < 250 MB (${rss.toFixed(0)})`, rss < 250],
    [`0 errors (${results.reduce((n, r) => n + r.errors, 0)})`, results.every((r) => r.errors === 0)],
  ];
  for (const [label, ok] of checks) console.log(`target ${ok ? 'met   ' : 'MISSED'} ${label}`);
  if (checks.some(([, ok]) => !ok)) process.exitCode = 1;
  agent.destroy();
}

void main();
