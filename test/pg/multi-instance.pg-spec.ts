import { ChildProcess, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { buildDist } from '../support/build';
import { SmtpSink } from '../support/smtp-sink';
import { MIGRATIONS } from '../../src/database/data-source';
import { validResidentId } from '../support/test-app';

/** Two app processes on one PostgreSQL database (run by npm run test:pg). */
const ROOT = join(__dirname, '../..');
const DB = process.env.TEST_DATABASE_URL!;

interface Instance {
  proc: ChildProcess;
  base: string;
  output: string[];
}

async function start(port: number, env: NodeJS.ProcessEnv): Promise<Instance> {
  const output: string[] = [];
  const proc = spawn(process.execPath, [join(ROOT, 'dist/src/main.js')], { env: { ...env, PORT: String(port) }, stdio: ['ignore', 'pipe', 'pipe'] });
  proc.stdout.on('data', (d) => output.push(String(d)));
  proc.stderr.on('data', (d) => output.push(String(d)));
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 200; i++) {
    try {
      if ((await fetch(`${base}/`)).ok) return { proc, base, output };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`instance on ${port} did not start: ${output.join('')}`);
}

async function waitFor(check: () => boolean, ms = 15_000): Promise<void> {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('Two instances on one PostgreSQL', () => {
  let a: Instance;
  let b: Instance;
  let sink: SmtpSink;
  let token: string;
  let adminToken: string;
  let pg: Client;
  const dir = mkdtempSync(join(tmpdir(), 'ogi-multi-'));
  const json = (token: string) => ({ 'Content-Type': 'application/json', Authorization: `Bearer ${token}` });
  const post = (base: string, path: string, body: unknown, as = token) => fetch(`${base}${path}`, { method: 'POST', headers: json(as), body: JSON.stringify(body) });
  const signIn = async (base: string, username: string, password: string) =>
    ((await (await fetch(`${base}/api/v1/auth/token`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username, password }) })).json()) as { token: string })
      .token;
  const requestBody = (email?: string) => ({
    applicant: { type: 'natural_person', name: '多实例', idDocumentNumber: validResidentId(), ...(email ? { email } : {}) },
    channel: 'in_person',
    receivedOn: '2026-06-01',
    description: '并发登记',
  });

  beforeAll(async () => {
    buildDist();
    pg = new Client({ connectionString: DB });
    await pg.connect();
    await pg.query('DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public;');
    sink = new SmtpSink();
    await sink.start();
    const env = {
      ...process.env,
      TZ: 'Asia/Shanghai',
      DATABASE_URL: DB,
      OGI_DATA_DIR: dir,
      OGI_ADMIN_USERNAME: 'admin',
      OGI_ADMIN_PASSWORD: 'admin-password-1',
      OGI_ADMIN_EMAIL: 'admin@agency.test',
      SMTP_URL: sink.url,
      MAIL_POLL_MS: '100',
      RATE_LIMIT_PUBLIC: '100000',
      RATE_LIMIT_LOGIN: '100000',
    };
    const [pa, pb] = [await SmtpSink.freePort(), await SmtpSink.freePort()];
    // Both start at once on an empty database: the migrations run once, under the lock.
    [a, b] = await Promise.all([start(pa, env), start(pb, env)]);
    adminToken = await signIn(a.base, 'admin', 'admin-password-1');
    // The administrator does no clerical work: it provisions a clerk through the accounts API.
    const clerk = await post(a.base, '/api/v1/accounts', { username: 'clerk', displayName: '办事员', password: 'Desk-work-2026', roles: ['registrar', 'handler', 'approver'] }, adminToken);
    if (clerk.status !== 201) throw new Error(`clerk not created: ${clerk.status}`);
    token = await signIn(b.base, 'clerk', 'Desk-work-2026');
  }, 120_000);

  afterAll(async () => {
    for (const i of [a, b]) i?.proc.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 500));
    await sink?.stop();
    await pg?.end();
    rmSync(dir, { recursive: true, force: true });
  });

  it('ran the start-up migrations once, created one administrator, and both instances serve the same session', async () => {
    const migrations = await pg.query('SELECT name FROM migrations');
    expect(migrations.rows).toHaveLength(MIGRATIONS.length);
    expect((await pg.query('SELECT username, roles FROM staff_user ORDER BY username')).rows).toEqual([
      { username: 'admin', roles: 'administrator' },
      { username: 'clerk', roles: 'registrar,handler,approver' },
    ]);
    expect([...a.output, ...b.output].join('')).not.toMatch(/ERROR|already exists/);
    expect((await fetch(`${b.base}/api/v1/requests`, { headers: json(token) })).status).toBe(200);
  });

  it('a form rendered by one instance is accepted by the other (one CSRF key, kept in the database)', async () => {
    const page = await fetch(`${a.base}/staff/login`);
    const cookie = page.headers
      .getSetCookie()
      .find((c) => c.startsWith('ogi_csrf='))!
      .split(';')[0];
    const csrf = /name="_csrf" value="([^"]+)"/.exec(await page.text())![1];
    const login = await fetch(`${b.base}/staff/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Cookie: cookie },
      body: new URLSearchParams({ _csrf: csrf, username: 'clerk', password: 'Desk-work-2026' }).toString(),
    });
    expect(login.status).toBe(303);
    expect((await pg.query('SELECT COUNT(*)::int AS n FROM server_secret')).rows[0].n).toBe(1);
  });

  it('500 concurrent registrations across both get 500 distinct tracking numbers and 500 rows', async () => {
    const results = await Promise.all(Array.from({ length: 500 }, (_, i) => post(i % 2 ? a.base : b.base, '/api/v1/requests', requestBody())));
    expect(results.map((r) => r.status)).toEqual(Array(500).fill(201));
    const bodies = (await Promise.all(results.map((r) => r.json()))) as Array<{ trackingNumber: string }>;
    expect(new Set(bodies.map((x) => x.trackingNumber)).size).toBe(500);
    expect((await pg.query('SELECT COUNT(*)::int AS n FROM information_request')).rows[0].n).toBe(500);
  }, 60_000);

  it('two staff concluding the same request through different instances: exactly one wins', async () => {
    for (let round = 0; round < 5; round++) {
      const id = ((await (await post(a.base, '/api/v1/requests', requestBody())).json()) as { id: string }).id;
      const [x, y] = await Promise.all([
        post(a.base, `/api/v1/requests/${id}/events`, { type: 'decided', on: '2026-06-10', outcome: 'granted' }),
        post(b.base, `/api/v1/requests/${id}/events`, { type: 'withdrawn', on: '2026-06-10' }),
      ]);
      expect([x.status, y.status].sort()).toEqual([201, 409]);
      expect((await pg.query('SELECT COUNT(*)::int AS n FROM request_event WHERE request_id = $1', [id])).rows[0].n).toBe(2);
    }
  });

  it('the outbox workers of both instances send every message exactly once', async () => {
    sink.messages.length = 0;
    const n = 40;
    await Promise.all(Array.from({ length: n }, (_, i) => post(i % 2 ? a.base : b.base, '/api/v1/requests', requestBody(`m${i}@example.com`))));
    await waitFor(() => sink.messages.length >= n);
    await new Promise((r) => setTimeout(r, 1500));
    expect(sink.messages).toHaveLength(n);
    expect(new Set(sink.messages.map((m) => m.messageId)).size).toBe(n);
    expect((await pg.query("SELECT COUNT(*)::int AS n FROM mail_outbox WHERE status = 'sent'")).rows[0].n).toBe(n);
  }, 30_000);

  it('the daily digest runs once per day, not once per instance', async () => {
    sink.messages.length = 0;
    const [x, y] = await Promise.all([post(a.base, '/api/v1/jobs/daily-digest', {}, adminToken), post(b.base, '/api/v1/jobs/daily-digest', {}, adminToken)]);
    const ran = [((await x.json()) as { ran: boolean }).ran, ((await y.json()) as { ran: boolean }).ran].sort();
    expect(ran).toEqual([false, true]);
    await waitFor(() => sink.messages.some((m) => m.subject?.includes('每日提醒')));
    await new Promise((r) => setTimeout(r, 1000));
    expect(sink.messages.filter((m) => m.subject?.includes('每日提醒'))).toHaveLength(1);
  }, 30_000);

  it('a file uploaded on one instance is downloaded whole from the other, and two first downloads at once record one delivery', async () => {
    const filedRes = await post(a.base, '/api/v1/public/requests', {
      applicant: { type: 'natural_person', name: '多实例', idDocumentNumber: validResidentId(), phone: '13900000000' },
      description: '申请公开某道路改造工程的批复文件',
    });
    const filed = (await filedRes.json()) as { trackingNumber: string; accessCode: string };
    expect(filedRes.status).toBe(201);
    const id = ((await pg.query('SELECT id FROM information_request WHERE tracking_number = $1', [filed.trackingNumber])).rows as Array<{ id: string }>)[0].id;
    const today = new Date().toLocaleDateString('sv-SE', { timeZone: 'Asia/Shanghai' });
    for (const step of [{ type: 'receipt_confirmed' }, { type: 'decided', outcome: 'granted' }]) expect((await post(a.base, `/api/v1/requests/${id}/events`, { ...step, on: today })).status).toBe(201);
    const bytes = Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(3 * 1024 * 1024)]);
    const form = new FormData();
    form.append('kind', 'reply');
    form.append('visibleToApplicant', 'true');
    form.append('file', new Blob([bytes]), '答复告知书.pdf');
    const up = await fetch(`${a.base}/api/v1/requests/${id}/attachments`, { method: 'POST', headers: { Authorization: `Bearer ${token}` }, body: form });
    expect(up.status).toBe(201);
    const uploaded = (await up.json()) as { id: string; sha256: string };
    expect(uploaded.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
    const download = (base: string) => fetch(`${base}/api/v1/public/requests/${filed.trackingNumber}/attachments/${uploaded.id}`, { headers: { 'X-Access-Code': filed.accessCode } });
    const [x, y] = await Promise.all([download(b.base), download(a.base)]);
    expect([x.status, y.status]).toEqual([200, 200]);
    for (const res of [x, y])
      expect(
        createHash('sha256')
          .update(Buffer.from(await res.arrayBuffer()))
          .digest('hex'),
      ).toBe(uploaded.sha256);
    expect((await pg.query("SELECT COUNT(*)::int AS n FROM request_event WHERE request_id = $1 AND type = 'delivered'", [id])).rows[0].n).toBe(1);
    expect((await pg.query("SELECT COUNT(*)::int AS n FROM attachment_download WHERE attachment_id = $1 AND via = 'online'", [uploaded.id])).rows[0].n).toBe(2);
  }, 30_000);

  it('two agencies (issue 16): concurrent filings to both across both instances get distinct numbers per agency; each sees only its own; a transfer on one instance is seen on the other', async () => {
    expect((await post(a.base, '/api/v1/agencies', { code: 'zrzy', name: '某县自然资源局', parent: 'main' }, adminToken)).status).toBe(201);
    const created = await post(
      b.base,
      '/api/v1/accounts',
      { username: 'zrzy.clerk', displayName: '自然资源局办事员', password: 'Desk-work-2026', roles: ['registrar', 'handler'], agency: 'zrzy' },
      adminToken,
    );
    expect(created.status).toBe(201);
    const zrzy = await signIn(a.base, 'zrzy.clerk', 'Desk-work-2026');
    const awaiting = async (base: string, as: string) => ((await (await fetch(`${base}/api/v1/requests?status=awaiting_confirmation`, { headers: json(as) })).json()) as { total: number }).total;
    const mainBefore = await awaiting(a.base, token);
    const filings = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        fetch(`${i % 2 ? a.base : b.base}/api/v1/public/requests`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({
            agency: i % 4 < 2 ? 'zrzy' : 'main',
            applicant: { type: 'natural_person', name: '两机关', idDocumentNumber: validResidentId(), phone: '13900000000' },
            description: '两个机关的并发申请',
          }),
        }),
      ),
    );
    expect(filings.map((r) => r.status)).toEqual(Array(200).fill(201));
    const numbers = ((await Promise.all(filings.map((r) => r.json()))) as Array<{ trackingNumber: string }>).map((x) => x.trackingNumber);
    expect(new Set(numbers).size).toBe(200);
    const zrzyNumbers = numbers.filter((n, i) => i % 4 < 2);
    expect(zrzyNumbers.every((n) => /^ZRZY-\d{4}-\d{6}$/.test(n))).toBe(true);
    expect(numbers.filter((n, i) => i % 4 >= 2).every((n) => /^MAIN-\d{4}-\d{6}$/.test(n))).toBe(true);
    // Each agency counts its own from 1, without gaps.
    expect(zrzyNumbers.map((n) => Number(n.slice(-6))).sort((x, y) => x - y)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    for (const base of [a.base, b.base]) {
      expect(await awaiting(base, zrzy)).toBe(100);
      expect(await awaiting(base, token)).toBe(mainBefore + 100);
    }
    const id = ((await pg.query('SELECT id FROM information_request WHERE tracking_number = $1', [numbers[2]])).rows as Array<{ id: string }>)[0].id;
    expect((await fetch(`${b.base}/api/v1/requests/${id}`, { headers: json(zrzy) })).status).toBe(404);
    const moved = await post(a.base, `/api/v1/requests/${id}/transfer`, { agency: 'zrzy', note: '应由自然资源局办理' });
    expect(moved.status).toBe(200);
    expect((await fetch(`${b.base}/api/v1/requests/${id}`, { headers: json(zrzy) })).status).toBe(200);
    expect((await fetch(`${b.base}/api/v1/requests/${id}`, { headers: json(token) })).status).toBe(404);
    expect(await awaiting(b.base, zrzy)).toBe(101);
    expect(await awaiting(b.base, token)).toBe(mainBefore + 99);
  }, 60_000);
});
