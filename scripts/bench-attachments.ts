/**
 * npm run bench:attachments [-- --pg] [-- --mb 50]
 *
 * Starts the built app (dist/src/main.js, with the node flags of `npm start`) on a fresh database in its own process, uploads
 * one file of N MB (default 50: ATTACHMENT_MAX_FILE_MB) through POST /api/v1/requests/:id/attachments, then downloads it as
 * the applicant (GET /api/v1/public/requests/:n/attachments/:id with the access code). Prints, per phase, the throughput and
 * the app process's resident memory: before, and the highest seen while the transfer ran (VmRSS sampled every 5 ms), and
 * the process's peak (VmHWM). The file is made and hashed here as it is sent, never held whole in either process.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { DataSource } from 'typeorm';
import { loadConfig } from '../src/config/app-config';
import { buildDataSourceOptions } from '../src/database/data-source';
import { argValue } from './cli-context';
import { freePort, startScriptNodeFlags } from './bench-app';

const ROOT = join(__dirname, '../..');
const MB = 1024 * 1024;

function procStatusMb(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

/** The highest resident size of `pid` while `work` runs. */
async function sampled<T>(pid: number, work: () => Promise<T>): Promise<{ result: T; beforeMb: number; maxMb: number }> {
  const beforeMb = procStatusMb(pid, 'VmRSS');
  let maxMb = beforeMb;
  const timer = setInterval(() => (maxMb = Math.max(maxMb, procStatusMb(pid, 'VmRSS'))), 5);
  try {
    const result = await work();
    maxMb = Math.max(maxMb, procStatusMb(pid, 'VmRSS'));
    return { result, beforeMb, maxMb };
  } finally {
    clearInterval(timer);
  }
}

function call(port: number, method: string, path: string, body: unknown, token?: string): Promise<{ status: number; json: Record<string, unknown> }> {
  const data = body === undefined ? '' : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port, path, method, headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(data), ...(token ? { Authorization: `Bearer ${token}` } : {}) } },
      (res) => {
        let text = '';
        res.on('data', (c) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, json: text ? (JSON.parse(text) as Record<string, unknown>) : {} }));
      },
    );
    req.on('error', reject);
    req.end(data);
  });
}

/** A multipart upload written 1 MB at a time: a PDF header, then random bytes. */
function upload(port: number, token: string, requestId: string, bytes: number): Promise<{ status: number; body: Record<string, unknown>; sha256: string }> {
  const boundary = `bench${randomBytes(8).toString('hex')}`;
  const field = (name: string, value: string) => `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`;
  const head = Buffer.from(
    `${field('kind', 'reply')}${field('visibleToApplicant', 'true')}${field('title', '压测答复')}--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="bench.pdf"\r\nContent-Type: application/pdf\r\n\r\n`,
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  const hash = createHash('sha256');
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        path: `/api/v1/requests/${requestId}/attachments`,
        method: 'POST',
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': `multipart/form-data; boundary=${boundary}`, 'Content-Length': head.length + bytes + tail.length },
      },
      (res) => {
        let text = '';
        res.on('data', (c) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as Record<string, unknown>, sha256: hash.digest('hex') }));
      },
    );
    req.on('error', reject);
    req.write(head);
    let sent = 0;
    const writeMore = () => {
      while (sent < bytes) {
        const piece = sent === 0 ? Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(Math.min(MB, bytes) - 9)]) : randomBytes(Math.min(MB, bytes - sent));
        hash.update(piece);
        sent += piece.length;
        if (!req.write(piece)) return void req.once('drain', writeMore);
      }
      req.end(tail);
    };
    writeMore();
  });
}

function download(port: number, path: string, headers: Record<string, string>): Promise<{ status: number; bytes: number; sha256: string }> {
  const hash = createHash('sha256');
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path, headers }, (res) => {
        let bytes = 0;
        res.on('data', (c: Buffer) => {
          bytes += c.length;
          hash.update(c);
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, bytes, sha256: hash.digest('hex') }));
      })
      .on('error', reject);
  });
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const pg = args.includes('--pg');
  const mb = Number(argValue(args, 'mb') ?? 50);
  const dir = mkdtempSync(join(tmpdir(), 'ogi-bench-attach-'));
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
    ATTACHMENT_MAX_FILE_MB: String(Math.max(50, mb)),
  };
  if (pg) {
    if (!/^postgres/.test(env.DATABASE_URL ?? '')) throw new Error('--pg needs DATABASE_URL=postgres://…');
    const ds = await new DataSource(buildDataSourceOptions(loadConfig(env))).initialize();
    await ds.query('DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public;');
    await ds.destroy();
  } else env.DATABASE_URL = `sqlite:${join(dir, 'bench.sqlite')}`;

  const app: ChildProcess = spawn(process.execPath, [...startScriptNodeFlags(), join(ROOT, 'dist/src/main.js')], { env, stdio: ['ignore', 'ignore', 'inherit'] });
  try {
    for (let i = 0; ; i++) {
      const ok = await new Promise<boolean>((r) => http.get({ host: '127.0.0.1', port, path: '/' }, (res) => (res.resume(), r(res.statusCode === 200))).on('error', () => r(false)));
      if (ok) break;
      if (i > 300) throw new Error('app did not start');
      await new Promise((r) => setTimeout(r, 100));
    }
    const admin = (await call(port, 'POST', '/api/v1/auth/token', { username: 'bench', password: 'bench-password-1' })).json.token as string;
    await call(port, 'POST', '/api/v1/accounts', { username: 'bench.clerk', displayName: '办事员', password: 'Bench-clerk-2026', roles: ['registrar', 'handler'] }, admin);
    const token = (await call(port, 'POST', '/api/v1/auth/token', { username: 'bench.clerk', password: 'Bench-clerk-2026' })).json.token as string;
    const filed = (
      await call(port, 'POST', '/api/v1/public/requests', {
        applicant: { type: 'natural_person', name: '压测', idDocumentNumber: '11010519491231002X', phone: '13800138000' },
        description: '压测附件',
      })
    ).json as { trackingNumber: string; accessCode: string };
    const id = ((await call(port, 'GET', `/api/v1/requests?q=${filed.trackingNumber}`, undefined, token)).json.items as Array<{ id: string }>)[0].id;
    const today = new Date().toLocaleDateString('sv-SE', { timeZone: 'Asia/Shanghai' });
    for (const step of [{ type: 'receipt_confirmed' }, { type: 'decided', outcome: 'granted' }]) await call(port, 'POST', `/api/v1/requests/${id}/events`, { ...step, on: today }, token);
    // Warm-up: a small file up and down, so that the figures below are the transfer's and not the first request's.
    const warm = await upload(port, token, id, MB);
    await download(port, `/api/v1/public/requests/${filed.trackingNumber}/attachments/${String(warm.body.id)}`, { 'X-Access-Code': filed.accessCode });
    await call(port, 'DELETE', `/api/v1/requests/${id}/attachments/${String(warm.body.id)}`, undefined, token);

    const pid = app.pid!;
    const bytes = mb * MB;
    let t0 = performance.now();
    const up = await sampled(pid, () => upload(port, token, id, bytes));
    const upSeconds = (performance.now() - t0) / 1000;
    if (up.result.status !== 201 || up.result.body.sha256 !== up.result.sha256) throw new Error(`upload failed: ${up.result.status} ${JSON.stringify(up.result.body)}`);
    t0 = performance.now();
    const down = await sampled(pid, () => download(port, `/api/v1/public/requests/${filed.trackingNumber}/attachments/${String(up.result.body.id)}`, { 'X-Access-Code': filed.accessCode }));
    const downSeconds = (performance.now() - t0) / 1000;
    if (down.result.status !== 200 || down.result.sha256 !== up.result.sha256) throw new Error(`download failed: ${down.result.status}, ${down.result.bytes} bytes`);
    const line = (what: string, seconds: number, s: { beforeMb: number; maxMb: number }) =>
      `${what.padEnd(10)} ${seconds.toFixed(2).padStart(6)} s  ${(mb / seconds).toFixed(1).padStart(6)} MB/s   RSS before ${s.beforeMb.toFixed(0)} MB, max during ${s.maxMb.toFixed(0)} MB (+${(s.maxMb - s.beforeMb).toFixed(0)} MB)`;
    console.log(`attachments, ${mb} MB file, ${pg ? 'PostgreSQL' : 'SQLite'} (app process ${pid}):`);
    console.log(line('upload', upSeconds, up));
    console.log(line('download', downSeconds, down));
    console.log(`peak RSS of the app process over the whole run (VmHWM): ${procStatusMb(pid, 'VmHWM').toFixed(0)} MB; SHA-256 identical both ways`);
  } finally {
    app.kill('SIGTERM');
    await new Promise((r) => app.once('exit', r));
    rmSync(dir, { recursive: true, force: true });
  }
}

void main().catch((e: Error) => {
  console.error(e.message);
  process.exit(1);
});
