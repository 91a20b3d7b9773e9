import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sqlite3 from 'sqlite3';
import request from 'supertest';
import { buildDist } from './support/build';
import { MailWorker } from '../src/notifications/mail-worker';
import { signIn } from './support/builders';
import { SmtpSink } from './support/smtp-sink';
import { createTestApp, TestApp, testDatabaseUrl, validResidentId } from './support/test-app';

const ROOT = join(__dirname, '..');
const body = (i: number, email?: string) => ({
  applicant: { type: 'natural_person', name: `故障${i}`, idDocumentNumber: validResidentId(), phone: '13800138000', ...(email ? { email } : {}) },
  description: `故障测试 ${i}`,
});

function sqliteAll(file: string, sql: string): Promise<Array<Record<string, unknown>>> {
  return new Promise((resolve, reject) => {
    const db = new sqlite3.Database(file, sqlite3.OPEN_READONLY, (err) => {
      if (err) return reject(err);
      db.all(sql, (e, rows) => db.close(() => (e ? reject(e) : resolve(rows as Array<Record<string, unknown>>))));
    });
  });
}

const sqliteOnly = testDatabaseUrl() ? describe.skip : describe;

describe('Mail outage and permanent refusals', () => {
  let t: TestApp;
  let sink: SmtpSink;
  beforeAll(async () => {
    sink = new SmtpSink(await SmtpSink.freePort(), { refuse: (to) => to.startsWith('bounce@') });
    t = await createTestApp({ SMTP_URL: sink.url });
  });
  afterAll(async () => {
    await t.close();
    await sink.stop();
  });

  it('delivers every notice queued during an outage exactly once, and marks a refused address failed for staff', async () => {
    const worker = t.app.get(MailWorker);
    for (let i = 0; i < 12; i++)
      await request(t.http)
        .post('/api/v1/public/requests')
        .send(body(i, `ok${i}@example.com`))
        .expect(201);
    await request(t.http).post('/api/v1/public/requests').send(body(99, 'bounce@example.com')).expect(201);
    expect(await worker.runOnce()).toBe(0); // server down
    expect(await worker.runOnce()).toBe(0);
    await sink.start();
    for (let round = 0; round < 6; round++) {
      t.clock.advance(3_600_000);
      await worker.runOnce();
    }
    expect(sink.messages).toHaveLength(12);
    expect(new Set(sink.messages.map((m) => m.messageId)).size).toBe(12);
    const [bounced] = await t.dataSource.query(`SELECT status, attempts, last_error FROM mail_outbox WHERE recipient = 'bounce@example.com'`);
    expect(bounced.status).toBe('failed');
    expect(Number(bounced.attempts)).toBe(2); // one failed connection, then one refusal: not retried again
    expect(bounced.last_error).toMatch(/550/);
    t.clock.advance(3_600_000);
    await worker.runOnce();
    expect(Number((await t.dataSource.query(`SELECT attempts FROM mail_outbox WHERE recipient = 'bounce@example.com'`))[0].attempts)).toBe(2);
    // Staff see it.
    const agent = await signIn(t, { username: 'admin', password: 'admin-password-1' });
    expect((await agent.get('/staff').expect(200)).text).toContain('1 封邮件被收件服务器拒绝');
    const page = await agent.get('/staff/mail').expect(200);
    expect(page.text).toContain('b***@example.com');
    expect(page.text).toContain('550');
  });
});

sqliteOnly('Database busy', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ DB_BUSY_TIMEOUT_MS: '200' });
  });
  afterAll(() => t.close());

  it('answers 503 with the contract error body when the database stays locked, and leaves no partial row', async () => {
    const file = join(t.dir, 'test.sqlite');
    const before = await t.count('information_request');
    const locker = new sqlite3.Database(file);
    await new Promise<void>((resolve, reject) =>
      locker.exec("BEGIN EXCLUSIVE; INSERT INTO agency_setting (key, value, updated_at, updated_by) VALUES ('lock', 'x', 'x', 'x');", (e) => (e ? reject(e) : resolve())),
    );
    try {
      const res = await request(t.http).post('/api/v1/public/requests').send(body(1)).expect(503);
      expect(res.body).toEqual({ error: { code: 'SERVICE_UNAVAILABLE', message: expect.stringMatching(/稍后重试/), fields: {} } });
      expect(res.headers['retry-after']).toBe('5');
      expect(JSON.stringify(res.body)).not.toMatch(/at |SQLITE|\.ts/);
      // A burst while locked: grouped, the group fails at once rather than waiting out the
      // 200 ms busy timeout once per request (30 × 200 ms = 6 s).
      const started = Date.now();
      const burst = await Promise.all(
        Array.from({ length: 30 }, (_, i) =>
          request(t.http)
            .post('/api/v1/public/requests')
            .send(body(100 + i)),
        ),
      );
      expect(burst.map((r) => r.status)).toEqual(Array(30).fill(503));
      expect(Date.now() - started).toBeLessThan(2500);
    } finally {
      await new Promise<void>((resolve) => locker.exec('ROLLBACK', () => locker.close(() => resolve())));
    }
    expect(await t.count('information_request')).toBe(before);
    expect(await t.count('applicant')).toBe(before);
    await request(t.http).post('/api/v1/public/requests').send(body(2)).expect(201);
  });
});

sqliteOnly('Crash and restart under a stream of filings', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ogi-crash-'));
  const file = join(dir, 'crash.sqlite');
  const env = { ...process.env, TZ: 'Asia/Shanghai', OGI_DATA_DIR: dir, DATABASE_URL: `sqlite:${file}`, RATE_LIMIT_PUBLIC: '1000000', MAIL_POLL_MS: '3600000' };

  beforeAll(() => {
    buildDist();
  }, 120_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  async function startApp(port: number) {
    const proc = spawn(process.execPath, [join(ROOT, 'dist/src/main.js')], { env: { ...env, PORT: String(port) }, stdio: 'ignore' });
    for (let i = 0; i < 200; i++) {
      try {
        if ((await fetch(`http://127.0.0.1:${port}/`)).ok) return proc;
      } catch {
        // starting
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('app did not start');
  }

  it('keeps every acknowledged request exactly once and complete, with no half-written rows, after SIGKILL', async () => {
    const port = await SmtpSink.freePort();
    const acked: string[] = [];
    let stop = false;
    let sent = 0;
    const stream = async () => {
      while (!stop) {
        const i = sent++;
        try {
          const res = await fetch(`http://127.0.0.1:${port}/api/v1/public/requests`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body(i)) });
          if (res.status === 201) acked.push(((await res.json()) as { trackingNumber: string }).trackingNumber);
        } catch {
          await new Promise((r) => setTimeout(r, 20)); // the app is down: keep trying
        }
      }
    };
    let app = await startApp(port);
    // 24 clients: new requests are written in groups, so the kill lands in the middle of one.
    const clients = Array.from({ length: 24 }, stream);
    await new Promise((r) => setTimeout(r, 1500));
    app.kill('SIGKILL');
    await new Promise((r) => app.once('exit', r));
    const ackedAtKill = acked.length;
    app = await startApp(port);
    await new Promise((r) => setTimeout(r, 1500));
    stop = true;
    await Promise.all(clients);
    app.kill('SIGTERM');
    await new Promise((r) => app.once('exit', r));

    expect(ackedAtKill).toBeGreaterThan(20);
    expect(acked.length).toBeGreaterThan(ackedAtKill);
    const rows = await sqliteAll(file, 'SELECT tracking_number FROM information_request');
    const stored = rows.map((r) => r.tracking_number as string);
    expect(new Set(stored).size).toBe(stored.length);
    const missing = acked.filter((tn) => !stored.includes(tn));
    expect(missing).toEqual([]);
    const incomplete = await sqliteAll(
      file,
      `SELECT r.tracking_number FROM information_request r
        LEFT JOIN applicant a ON a.id = r.applicant_id
        WHERE a.id IS NULL
           OR NOT EXISTS (SELECT 1 FROM request_item i WHERE i.request_id = r.id)
           OR NOT EXISTS (SELECT 1 FROM request_event e WHERE e.request_id = r.id AND e.seq = 1)`,
    );
    expect(incomplete).toEqual([]);
    const orphans = await sqliteAll(file, 'SELECT COUNT(*) AS n FROM applicant a WHERE NOT EXISTS (SELECT 1 FROM information_request r WHERE r.applicant_id = a.id)');
    expect(orphans[0].n).toBe(0);
    expect(await sqliteAll(file, 'PRAGMA integrity_check')).toEqual([{ integrity_check: 'ok' }]);
  }, 60_000);
});

sqliteOnly('Backups', () => {
  let t: TestApp;
  beforeAll(async () => {
    buildDist();
    t = await createTestApp();
  }, 120_000);
  afterAll(() => t.close());

  it('npm run backup copies the live database consistently, and the copy holds every request', async () => {
    for (let i = 0; i < 30; i++) await request(t.http).post('/api/v1/public/requests').send(body(i)).expect(201);
    const out = join(t.dir, 'backup.sqlite');
    let writing = true;
    const writer = (async () => {
      while (writing) await request(t.http).post('/api/v1/public/requests').send(body(1000));
    })();
    const r = spawnSync(process.execPath, [join(ROOT, 'dist/scripts/backup-cli.js'), '--out', out], {
      env: { ...process.env, OGI_DATA_DIR: t.dir, DATABASE_URL: `sqlite:${join(t.dir, 'test.sqlite')}` },
      encoding: 'utf8',
    });
    writing = false;
    await writer;
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('完整性检查通过');
    expect(await sqliteAll(out, 'PRAGMA integrity_check')).toEqual([{ integrity_check: 'ok' }]);
    const copied = (await sqliteAll(out, 'SELECT COUNT(*) AS n FROM information_request'))[0].n as number;
    expect(copied).toBeGreaterThanOrEqual(30);
    const complete = (await sqliteAll(out, 'SELECT COUNT(*) AS n FROM information_request r JOIN applicant a ON a.id = r.applicant_id'))[0].n;
    expect(complete).toBe(copied);
  });
});

describe('Start-up storage checks', () => {
  const canMount = process.getuid?.() === 0 && spawnSync('mount', ['--version']).status === 0;
  if (!canMount) console.warn('Start-up storage checks SKIPPED: they mount small tmpfs file systems and need root.');
  const maybe = canMount ? it : it.skip;
  const mountpoint = mkdtempSync(join(tmpdir(), 'ogi-mnt-'));

  afterEach(() => {
    spawnSync('umount', [mountpoint]);
  });

  const start = () =>
    spawnSync(process.execPath, [join(ROOT, 'dist/src/main.js')], {
      env: { ...process.env, OGI_DATA_DIR: join(mountpoint, 'data'), DATABASE_URL: '', PORT: '0', SMTP_URL: '' },
      encoding: 'utf8',
      timeout: 20_000,
    });

  maybe(
    'refuses to start on a read-only data folder, naming the problem',
    () => {
      buildDist();
      expect(spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=1m,ro', 'tmpfs', mountpoint]).status).toBe(0);
      const r = start();
      expect(r.status).toBe(1);
      expect(r.stderr).toContain('只读');
      expect(r.stderr).toContain(join(mountpoint, 'data'));
    },
    60_000,
  );

  maybe(
    'refuses to start when the disk is full, naming the problem',
    () => {
      expect(spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', mountpoint]).status).toBe(0);
      spawnSync('mkdir', ['-p', join(mountpoint, 'data')]);
      try {
        writeFileSync(join(mountpoint, 'data', 'fill'), Buffer.alloc(1024 * 1024));
      } catch {
        // the disk is now full
      }
      const r = start();
      expect(r.status).toBe(1);
      expect(r.stderr).toContain('磁盘空间已满');
    },
    60_000,
  );
});
