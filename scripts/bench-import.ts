/**
 * npm run bench:import [-- --rows 100000] [-- --pg] [-- --baseline 5] [-- --nice -10]
 *
 * Starts the built app (dist/src/main.js, with the node flags of `npm start`) on a fresh database
 * in its own process, with an event-loop probe (eld-probe.js), signs in through the staff pages
 * as an account with the roles a full ledger needs, uploads a generated ledger of N rows at
 * /staff/import and follows its progress page to the end, while another client in this process
 * requests a cheap page (GET /status) and a database read (an unknown tracking number) one after
 * another without pause: first for `--baseline` seconds with no import (the machine's own noise),
 * then during the import. It prints the import's duration, those requests' latencies and the
 * app's event-loop delay during the import, and exits 1 when a latency or delay reached 100 ms.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import { setPriority, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { AuthService } from '../src/auth/auth.service';
import { argValue, createCliContext } from './cli-context';
import { generateLedger } from './ledger-fixture';
import { freePort, startScriptNodeFlags } from './bench-app';

const ROOT = join(__dirname, '../..');
const LIMIT_MS = 100;

function peakRssMb(pid: number): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Math.round(Number(m[1]) / 1024) : NaN;
}

/** A minimal cookie jar for the staff pages. */
class Browser {
  private readonly cookies = new Map<string, string>();

  constructor(private readonly base: string) {}

  /** A multipart upload through node:http, which reports an early answer instead of a broken pipe. */
  upload(path: string, csrf: string, file: Buffer): Promise<{ status: number; location: string | null; text: string }> {
    const boundary = `----ogi${Date.now()}`;
    const body = Buffer.concat([
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="ledger"; filename="ledger.csv"\r\nContent-Type: text/csv\r\n\r\n`),
      file,
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]);
    return new Promise((resolve, reject) => {
      const req = http.request(
        this.base + path,
        {
          method: 'POST',
          headers: {
            'Content-Type': `multipart/form-data; boundary=${boundary}`,
            'Content-Length': body.length,
            'X-CSRF-Token': csrf,
            Cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, location: res.headers.location ?? null, text: Buffer.concat(chunks).toString() }));
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  }

  async fetch(path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.cookies.size) headers.set('Cookie', [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '));
    const res = await fetch(this.base + path, { ...init, headers, redirect: 'manual' });
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const i = pair.indexOf('=');
      this.cookies.set(pair.slice(0, i), pair.slice(i + 1));
    }
    return res;
  }
}

function turnsLine(t: { maxWallMs: number; maxOwnMs: number; maxCpuMs: number; waitSharePct: number }): string {
  return `longest turn ${t.maxWallMs} ms (${t.maxOwnMs} ms not counting waits for a CPU held by other processes; most CPU work in one turn ${t.maxCpuMs} ms); the app's main thread waited for a CPU ${t.waitSharePct}% of the time`;
}

function pct(sorted: number[], p: number): number {
  return sorted.length ? Math.round(sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] * 10) / 10 : NaN;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const rows = Number(argValue(args, 'rows') ?? 100_000);
  const pg = args.includes('--pg');
  const baselineSeconds = Number(argValue(args, 'baseline') ?? 5);
  const nice = argValue(args, 'nice') === undefined ? null : Number(argValue(args, 'nice'));
  const dir = mkdtempSync(join(tmpdir(), 'ogi-bench-import-'));
  const port = await freePort();
  if (pg && !/^postgres/.test(process.env.DATABASE_URL ?? '')) throw new Error('--pg needs DATABASE_URL=postgres://… (its public schema is used as it is)');
  const env: Record<string, string | undefined> = {
    ...process.env,
    TZ: 'Asia/Shanghai',
    PORT: String(port),
    OGI_DATA_DIR: dir,
    DATABASE_URL: pg ? process.env.DATABASE_URL : `sqlite:${join(dir, 'bench.sqlite')}`,
    IMPORT_MAX_BYTES: String(256 * 1024 * 1024),
    RATE_LIMIT_PUBLIC: '1000000',
    RATE_LIMIT_LOGIN: '1000000',
    RATE_LIMIT_LOOKUP_PER_NUMBER: '1000000',
    MAIL_POLL_MS: '3600000',
    OGI_ADMIN_USERNAME: '',
    OGI_ADMIN_PASSWORD: '',
  };
  const ledger = generateLedger(rows);
  console.log(`ledger: ${rows} rows, ${(ledger.length / 1024 / 1024).toFixed(1)} MB; database: ${pg ? 'PostgreSQL' : 'SQLite'}${nice === null ? '' : `; nice ${nice}`}`);

  // The account, created before the app starts (migrations run here too).
  Object.assign(process.env, env);
  const ctx = await createCliContext();
  const password = 'Bench-import-2026!';
  await ctx.get(AuthService).createUser(`bench${port}`, '补录压测', password, ['registrar', 'handler', 'approver']);
  await ctx.close();

  // --nice -10: the app and this client ahead of other processes, as on a server of their own.
  const command = nice === null ? [process.execPath] : ['nice', '-n', String(nice), process.execPath];
  if (nice !== null) setPriority(nice);
  const app: ChildProcess = spawn(
    command[0],
    [...command.slice(1), ...startScriptNodeFlags(), ...(process.env.BENCH_APP_FLAGS ?? '').split(' ').filter(Boolean), '-r', join(ROOT, 'dist/scripts/eld-probe.js'), join(ROOT, 'dist/src/main.js')],
    { env, stdio: ['ignore', process.env.BENCH_APP_LOG ? 'inherit' : 'ignore', 'pipe', 'ipc'] },
  );
  type Eld = { maxMs: number; p99Ms: number; meanMs: number; turns: { maxWallMs: number; maxOwnMs: number; maxCpuMs: number; waitSharePct: number } };
  const eldNow = () =>
    new Promise<Eld>((resolve) => {
      app.once('message', (m: { eld: Eld; turns: Eld['turns'] }) => resolve({ ...m.eld, turns: m.turns }));
      app.send('eld');
    });
  let stderr = '';
  app.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const base = `http://127.0.0.1:${port}`;
  let importing = false;
  try {
    for (let i = 0; ; i++) {
      if (i > 300) throw new Error(`the app did not start: ${stderr.slice(-500)}`);
      const ok = await fetch(`${base}/status`).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const browser = new Browser(base);
    const csrfOf = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? /data-csrf="([^"]+)"/.exec(html)?.[1] ?? '';
    const login = csrfOf(await (await browser.fetch('/staff/login')).text());
    const signedIn = await browser.fetch('/staff/login', {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ _csrf: login, username: `bench${port}`, password }).toString(),
    });
    if (signedIn.status !== 303) throw new Error(`sign-in failed: ${signedIn.status}`);
    const importPage = await browser.fetch('/staff/import');
    const csrf = csrfOf(await importPage.text());
    if (importPage.status !== 200 || !csrf) throw new Error(`the import page answered ${importPage.status}`);

    // The other users: one request after another, for as long as the import runs.
    importing = true;
    const latencies: number[] = [];
    const pageLatencies: number[] = [];
    const lookupLatencies: number[] = [];
    let failures = 0;
    const others = (async () => {
      for (let i = 0; importing; i++) {
        const path = i % 2 ? '/status' : `/api/v1/public/requests/2099-${String(i).padStart(6, '0')}`;
        const start = performance.now();
        try {
          const res = await fetch(base + path, { headers: { 'X-Access-Code': 'ABCDEFGH' } });
          await res.arrayBuffer();
          latencies.push(performance.now() - start);
          (i % 2 ? pageLatencies : lookupLatencies).push(performance.now() - start);
          if (res.status !== (i % 2 ? 200 : 404)) failures++;
        } catch {
          failures++;
          await new Promise((r) => setTimeout(r, 50));
        }
      }
    })();
    // Baseline: the same requests with no import running, to tell the machine's own noise
    // (other processes competing for the CPU) from pauses the import causes.
    await new Promise((r) => setTimeout(r, 300));
    await eldNow();
    latencies.length = pageLatencies.length = lookupLatencies.length = 0;
    await new Promise((r) => setTimeout(r, baselineSeconds * 1000));
    const idle = await eldNow();
    const idleSorted = [...latencies].sort((a, b) => a - b);
    console.log(
      `baseline, no import (${baselineSeconds} s): ${idleSorted.length} requests, latency p50 ${pct(idleSorted, 50)} ms, p99 ${pct(idleSorted, 99)} ms, max ${pct(idleSorted, 100)} ms; event-loop delay max ${idle.maxMs} ms, p99 ${idle.p99Ms} ms; ${turnsLine(idle.turns)}`,
    );
    latencies.length = pageLatencies.length = lookupLatencies.length = 0;

    const started = performance.now();
    const upload = await browser.upload('/staff/import', csrf, ledger);
    let page = upload.text;
    const uploadedMs = performance.now() - started;
    if (upload.status === 303) {
      const location = upload.location!;
      for (;;) {
        await new Promise((r) => setTimeout(r, 500));
        page = await (await browser.fetch(location)).text();
        if (!/第[一二]步/.test(page)) break;
      }
    } else if (upload.status !== 201) throw new Error(`upload answered ${upload.status}`);
    const seconds = (performance.now() - started) / 1000;
    importing = false;
    await others;
    const imported = /已导入 (\d+) 件/.exec(page)?.[1];
    const eld = await eldNow();
    const sorted = [...latencies].sort((a, b) => a - b);
    const maxLatency = Math.round(sorted.at(-1)! * 10) / 10;
    console.log(`import: ${imported ?? '?'} of ${rows} rows in ${seconds.toFixed(1)} s (${Math.round(rows / seconds)} rows/s); first answer after ${Math.round(uploadedMs)} ms (${upload.status})`);
    console.log(`other users: ${latencies.length} requests, ${failures} failed; latency p50 ${pct(sorted, 50)} ms, p99 ${pct(sorted, 99)} ms, max ${maxLatency} ms`);
    console.log(
      `  of which GET /status max ${pct(
        [...pageLatencies].sort((a, b) => a - b),
        100,
      )} ms, look-ups (a database read) max ${pct(
        [...lookupLatencies].sort((a, b) => a - b),
        100,
      )} ms`,
    );
    console.log(`event-loop delay of the app during the import: max ${eld.maxMs} ms, p99 ${eld.p99Ms} ms, mean ${eld.meanMs} ms; ${turnsLine(eld.turns)}`);
    console.log(`app peak RSS: ${peakRssMb(app.pid!)} MB`);
    const ok = imported === String(rows) && failures === 0 && maxLatency < LIMIT_MS && eld.maxMs < LIMIT_MS;
    const ownOk = imported === String(rows) && failures === 0 && eld.turns.maxCpuMs < LIMIT_MS;
    console.log(
      ok
        ? `target met: every pause < ${LIMIT_MS} ms`
        : `target MISSED on the wall clock (limit ${LIMIT_MS} ms)${ownOk ? `; the import's own work per turn stayed under it (${eld.turns.maxCpuMs} ms)` : ''}`,
    );
    process.exitCode = ok ? 0 : 1;
  } catch (e) {
    console.error(`app stderr: ${stderr.slice(-2000)}`);
    throw e;
  } finally {
    importing = false;
    if (app.exitCode === null && app.signalCode === null) {
      const exited = new Promise((r) => app.once('exit', r));
      app.kill('SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

void main().catch((e: unknown) => {
  console.error(e instanceof Error ? `${e.message} ${e.cause instanceof Error ? e.cause.message : typeof e.cause === 'string' ? e.cause : ''}` : e);
  process.exit(1);
});
