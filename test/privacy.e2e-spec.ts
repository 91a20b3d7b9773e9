import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { chmodSync, closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { buildDist } from './support/build';
import { loadConfig } from '../src/config/app-config';
import { buildDataSourceOptions, MIGRATIONS } from '../src/database/data-source';
import { MailWorker } from '../src/notifications/mail-worker';
import { createRoleUsers } from './support/roles';
import { SmtpSink } from './support/smtp-sink';
import { createTestApp, openForm, TestApp, testDatabaseUrl, validResidentId } from './support/test-app';

const ROOT = join(__dirname, '..');
const modeOf = (path: string) => (statSync(path).mode & 0o777).toString(8);

describe("Data files are readable by the app's account only", () => {
  const base = mkdtempSync(join(tmpdir(), 'ogi-modes-'));
  const filing = { applicant: { type: 'natural_person', name: '权限测试', idDocumentNumber: validResidentId(), phone: '13800138000', email: 'modes@example.com' }, description: '某信息' };
  let umask: number;

  beforeAll(() => {
    buildDist();
    // The usual umask of a login shell: files would be 0644 and folders 0755 unless the app says otherwise.
    umask = process.umask(0o022);
  }, 120_000);
  afterAll(() => {
    process.umask(umask);
    rmSync(base, { recursive: true, force: true });
  });

  it('creates the database with its -wal and -shm, each mail file and each backup 0600, in 0700 folders', async () => {
    const dataDir = join(base, 'fresh', 'data');
    const db = join(dataDir, 'ogi-desk.sqlite');
    const t = await createTestApp({ OGI_DATA_DIR: dataDir, DATABASE_URL: `sqlite:${db}` });
    try {
      await request(t.http).post('/api/v1/public/requests').send(filing).expect(201);
      expect(await t.app.get(MailWorker).runOnce()).toBe(1);
      const backup = spawnSync(process.execPath, [join(ROOT, 'dist/scripts/backup-cli.js')], { env: { ...process.env, OGI_DATA_DIR: dataDir, DATABASE_URL: `sqlite:${db}` }, encoding: 'utf8' });
      expect(backup.status).toBe(0);
      const mails = readdirSync(join(dataDir, 'mail'));
      const backups = readdirSync(join(dataDir, 'backups')).filter((f) => f.endsWith('.sqlite'));
      expect([mails.length, backups.length]).toEqual([1, 1]);
      const modes = Object.fromEntries(
        [join(base, 'fresh'), dataDir, db, `${db}-wal`, `${db}-shm`, join(dataDir, 'mail'), join(dataDir, 'mail', mails[0]), join(dataDir, 'backups'), join(dataDir, 'backups', backups[0])].map(
          (p) => [p.slice(base.length), modeOf(p)],
        ),
      );
      expect(modes).toEqual({
        '/fresh': '700',
        '/fresh/data': '700',
        '/fresh/data/ogi-desk.sqlite': '600',
        '/fresh/data/ogi-desk.sqlite-wal': '600',
        '/fresh/data/ogi-desk.sqlite-shm': '600',
        '/fresh/data/mail': '700',
        [`/fresh/data/mail/${mails[0]}`]: '600',
        '/fresh/data/backups': '700',
        [`/fresh/data/backups/${backups[0]}`]: '600',
      });
    } finally {
      await t.close();
    }
  });

  it('at start-up, tightens what earlier versions left readable by everyone', async () => {
    const dataDir = join(base, 'old', 'data');
    mkdirSync(join(dataDir, 'mail'), { recursive: true, mode: 0o755 });
    mkdirSync(join(dataDir, 'backups'), { mode: 0o755 });
    const files = ['ogi-desk.sqlite', 'mail/2026-01-01T00-00-00-000Z-00000000-0000-0000-0000-000000000000.eml', 'backups/ogi-desk-20260101-000000.sqlite'];
    for (const f of files) closeSync(openSync(join(dataDir, f), 'w', 0o644));
    for (const d of [dataDir, join(dataDir, 'mail'), join(dataDir, 'backups')]) chmodSync(d, 0o755);
    const port = await SmtpSink.freePort();
    const app: ChildProcess = spawn(process.execPath, [join(ROOT, 'dist/src/main.js')], {
      env: { ...process.env, OGI_DATA_DIR: dataDir, DATABASE_URL: '', SMTP_URL: '', PORT: String(port), MAIL_POLL_MS: '3600000', OGI_ADMIN_USERNAME: '', OGI_ADMIN_PASSWORD: '' },
      stdio: 'ignore',
    });
    try {
      let up = false;
      for (let i = 0; i < 200 && !up; i++) {
        up = await fetch(`http://127.0.0.1:${port}/`).then(
          (r) => r.ok,
          () => false,
        );
        if (!up) await new Promise((r) => setTimeout(r, 100));
      }
      expect(up).toBe(true);
      await fetch(`http://127.0.0.1:${port}/api/v1/public/requests`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(filing) }).then((r) =>
        expect(r.status).toBe(201),
      );
      const paths = [dataDir, join(dataDir, 'mail'), join(dataDir, 'backups'), ...files.map((f) => join(dataDir, f)), join(dataDir, 'ogi-desk.sqlite-wal')];
      expect(Object.fromEntries(paths.map((p) => [p.slice(dataDir.length), modeOf(p)]))).toEqual({
        '': '700',
        '/mail': '700',
        '/backups': '700',
        [`/${files[0]}`]: '600',
        [`/${files[1]}`]: '600',
        [`/${files[2]}`]: '600',
        '/ogi-desk.sqlite-wal': '600',
      });
    } finally {
      app.kill('SIGTERM');
      await new Promise((r) => app.once('exit', r));
    }
  }, 60_000);
});

describe('Retention erasure leaves no copies', () => {
  let t: TestApp;
  let users: Awaited<ReturnType<typeof createRoleUsers>>;
  const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });
  const secrets = { name: '欧阳隐名', phone: '13912345678', email: 'ouyang.erase@example.com', id: '11010519491231002X', address: '隐秘路77号' };

  beforeAll(async () => {
    t = await createTestApp();
    users = await createRoleUsers(t);
  });
  afterAll(() => t.close());

  /** Every place on disk a value could linger: the database with its -wal and -shm, and the mail folder. */
  const rawCopies = () => {
    const files = [];
    if (!testDatabaseUrl()) files.push(...['', '-wal', '-shm'].map((s) => join(t.dir, `test.sqlite${s}`)).filter(existsSync));
    const mailDir = join(t.dir, 'mail');
    if (existsSync(mailDir)) files.push(...readdirSync(mailDir).map((f) => join(mailDir, f)));
    const found: string[] = [];
    for (const file of files) {
      const bytes = readFileSync(file);
      for (const [what, value] of Object.entries(secrets)) if (bytes.includes(Buffer.from(value, 'utf8'))) found.push(`${what} in ${file.slice(t.dir.length)}`);
    }
    return found;
  };

  it('deletes the .eml files of the erased mail and leaves the values in neither the database file nor its WAL', async () => {
    t.clock.setNow('2014-03-10T02:00:00Z');
    const id = (
      await request(t.http)
        .post('/api/v1/requests')
        .set(bearer(users.registrar.token))
        .send({
          applicant: { type: 'natural_person', name: secrets.name, idDocumentNumber: secrets.id, phone: secrets.phone, email: secrets.email, address: secrets.address },
          channel: 'in_person',
          receivedOn: '2014-03-03',
          description: '某信息',
        })
        .expect(201)
    ).body.id;
    await request(t.http).post(`/api/v1/requests/${id}/events`).set(bearer(users.handler.token)).send({ type: 'decided', on: '2014-03-10', outcome: 'granted' }).expect(201);
    while ((await t.app.get(MailWorker).runOnce()) > 0);
    const mails = readdirSync(join(t.dir, 'mail'));
    expect(mails).toHaveLength(2); // the receipt and the reply
    // The check can see them: before erasure the e-mail address is in the mail files, the rest in the database.
    expect(rawCopies()).toEqual(expect.arrayContaining([expect.stringMatching(/^email in \/mail\//)]));
    if (!testDatabaseUrl()) expect(rawCopies()).toEqual(expect.arrayContaining([expect.stringMatching(/^name in \/test\.sqlite/), expect.stringMatching(/^phone in \/test\.sqlite/)]));

    t.clock.setNow('2026-06-15T02:00:00Z');
    const { csrf } = await openForm(users.administrator.agent, '/staff/retention');
    await users.administrator.agent.post('/staff/retention').type('form').send({ _csrf: csrf }).expect(303);
    expect(Number((await t.dataSource.query(`SELECT COUNT(*) AS n FROM mail_outbox WHERE request_id = '${id}'`))[0].n)).toBe(0);
    expect(readdirSync(join(t.dir, 'mail'))).toEqual([]);
    expect(rawCopies()).toEqual([]);
  });
});

/** Every table, every column: where any of the needles occurs. */
async function rowsContaining(t: TestApp, needles: string[]): Promise<string[]> {
  const tables = (
    await t.dataSource.query<Array<{ name: string }>>(
      testDatabaseUrl()
        ? "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'"
        : "SELECT name FROM sqlite_master WHERE type = 'table'",
    )
  ).map((r) => r.name);
  expect(tables).toEqual(expect.arrayContaining(['idempotency_record', 'mail_outbox', 'information_request', 'request_event']));
  const hits: string[] = [];
  for (const table of tables) {
    for (const row of await t.dataSource.query<unknown[]>(`SELECT * FROM "${table}"`)) {
      const text = JSON.stringify(row);
      for (const needle of needles) if (text.includes(needle)) hits.push(`${needle} in ${table}`);
    }
  }
  return hits;
}

describe('Access codes are never stored in clear', () => {
  let t: TestApp;
  let sink: SmtpSink;
  let users: Awaited<ReturnType<typeof createRoleUsers>>;
  const applicant = (email: string) => ({ type: 'natural_person', name: '查询码测试', idDocumentNumber: validResidentId(), phone: '13700137000', email });
  const filing = { applicant: applicant('code@example.com'), description: '某信息' };
  const codeInMail = (to: string) => {
    const mail = sink.messages.find((m) => JSON.stringify(m.to).includes(to));
    return { text: /查询码：([A-Z0-9]{8})/.exec(mail?.text ?? '')?.[1], html: /<strong>([A-Z0-9]{8})<\/strong>/.exec(String(mail?.html ?? ''))?.[1] };
  };

  beforeAll(async () => {
    sink = new SmtpSink();
    await sink.start();
    t = await createTestApp({ SMTP_URL: sink.url });
    t.clock.setNow('2026-06-15T02:00:00Z');
    users = await createRoleUsers(t);
  });
  afterAll(async () => {
    await t.close();
    await sink.stop();
  });

  it('after online and staff filings, no row of any table holds an access code; the e-mails carry it; a replay returns it', async () => {
    const api = await request(t.http).post('/api/v1/public/requests').set('Idempotency-Key', 'filing-1').send(filing).expect(201);
    const agent = request.agent(t.http);
    const form = await openForm(agent, '/');
    const formFiling = {
      _csrf: form.csrf,
      submissionToken: form.submissionToken!,
      'applicant[type]': 'natural_person',
      'applicant[name]': '表单',
      'applicant[idDocumentNumber]': validResidentId(),
      'applicant[email]': 'form@example.com',
      description: '某信息',
    };
    const page = await agent.post('/apply').type('form').send(formFiling).expect(201);
    const formCode = /id="access-code">([^<]+)</.exec(page.text)![1];
    await request(t.http)
      .post('/api/v1/requests')
      .set({ Authorization: `Bearer ${users.registrar.token}` })
      .set('Idempotency-Key', 'desk-1')
      .send({ applicant: applicant('desk@example.com'), channel: 'in_person', receivedOn: '2026-06-15', description: '某信息' })
      .expect(201);
    const codes = [api.body.accessCode as string, formCode];
    expect(codes.every((c) => /^[A-Z2-9]{8}$/.test(c))).toBe(true);

    // Before the mail goes out: sealed in the outbox and in the idempotency records.
    expect(await rowsContaining(t, codes)).toEqual([]);
    // A replay with the same key and body answers the first response, code included, and files nothing.
    const requests = await t.count('information_request');
    const replay = await request(t.http).post('/api/v1/public/requests').set('Idempotency-Key', 'filing-1').send(filing).expect(201);
    expect(replay.body).toEqual(api.body);
    const formReplay = await agent.post('/apply').type('form').send(formFiling).expect(201);
    expect(/id="access-code">([^<]+)</.exec(formReplay.text)![1]).toBe(formCode);
    expect(await t.count('information_request')).toBe(requests);

    while ((await t.app.get(MailWorker).runOnce()) > 0);
    const deskCode = codeInMail('desk@example.com').text!;
    expect(codeInMail('code@example.com')).toEqual({ text: codes[0], html: codes[0] });
    expect(codeInMail('form@example.com')).toEqual({ text: codes[1], html: codes[1] });
    expect(deskCode).toMatch(/^[A-Z2-9]{8}$/);
    // After delivery: not in clear, and not even sealed in the outbox any more.
    expect(await rowsContaining(t, [...codes, deskCode])).toEqual([]);
    expect(Number((await t.dataSource.query('SELECT COUNT(*) AS n FROM mail_outbox WHERE secrets IS NOT NULL'))[0].n)).toBe(0);
    // The code works.
    await request(t.http).get(`/api/v1/public/requests/${api.body.trackingNumber}`).set('X-Access-Code', codes[0]).expect(200);
  });

  it('a key is kept 24 hours: a replay after that is a new request, and expired records are purged', async () => {
    const body = { ...filing, description: '二十四小时' };
    const first = await request(t.http).post('/api/v1/public/requests').set('Idempotency-Key', 'day-old').send(body).expect(201);
    t.clock.advance(23 * 3_600_000);
    expect((await request(t.http).post('/api/v1/public/requests').set('Idempotency-Key', 'day-old').send(body).expect(201)).body).toEqual(first.body);
    const requests = await t.count('information_request');
    t.clock.advance(2 * 3_600_000);
    const later = await request(t.http).post('/api/v1/public/requests').set('Idempotency-Key', 'day-old').send(body).expect(201);
    expect(later.body.trackingNumber).not.toBe(first.body.trackingNumber);
    expect(later.body.accessCode).not.toBe(first.body.accessCode);
    expect(await t.count('information_request')).toBe(requests + 1);
    // Records of the first test (a day older now) were purged by this write.
    const keys = (await t.dataSource.query<Array<{ k: string }>>('SELECT idempotency_key AS k FROM idempotency_record')).map((r) => r.k);
    expect(keys).toEqual(['day-old']);
  });

  it('a message written before codes were sealed is sent with its code, then masked in the outbox', async () => {
    const p = (n: number) => (testDatabaseUrl() ? `$${n}` : '?');
    await t.dataSource.query(
      `INSERT INTO mail_outbox (id, kind, request_id, recipient, subject, text_body, html_body, status, attempts, next_attempt_at, created_at) VALUES (${[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11].map(p).join(', ')})`,
      [
        '00000000-0000-0000-0000-0000000000aa',
        'acknowledgement',
        null,
        'legacy@example.com',
        '旧邮件',
        '查询码：LEGA2345',
        '<td>查询码</td><td><strong>LEGA2345</strong></td>',
        'pending',
        0,
        t.clock.nowIso(),
        t.clock.nowIso(),
      ],
    );
    while ((await t.app.get(MailWorker).runOnce()) > 0);
    expect(codeInMail('legacy@example.com').text).toBe('LEGA2345');
    expect(await rowsContaining(t, ['LEGA2345'])).toEqual([]);
  });

  it('a replay whose sealed code cannot be opened answers without it, and says so', async () => {
    const body = { ...filing, description: '密钥已更换' };
    const first = await request(t.http).post('/api/v1/public/requests').set('Idempotency-Key', 'rotated').send(body).expect(201);
    await t.dataSource.query("UPDATE idempotency_record SET secrets = 'v1.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' WHERE idempotency_key = 'rotated'");
    const replay = await request(t.http).post('/api/v1/public/requests').set('Idempotency-Key', 'rotated').send(body).expect(201);
    expect(replay.body).toEqual({ ...first.body, accessCode: null, accessCodeWithheld: true });
  });
});

describe('Migration SealedAccessCodes scrubs codes stored before it', () => {
  it('removes the code from stored responses and masks it in sent mail; pending mail keeps it until sent', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ogi-mig-'));
    const pg = testDatabaseUrl();
    if (pg) {
      const c = new Client({ connectionString: pg });
      await c.connect();
      await c.query('DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public;');
      await c.end();
    }
    const options = buildDataSourceOptions(loadConfig({ OGI_DATA_DIR: dir, DATABASE_URL: pg ?? `sqlite:${join(dir, 'm.sqlite')}` }));
    const index = MIGRATIONS.findIndex((m) => m.name === 'SealedAccessCodes1795760600000');
    expect(index).toBeGreaterThan(0);
    const before = await new DataSource({ ...options, migrations: MIGRATIONS.slice(0, index) }).initialize();
    await before.runMigrations();
    const p = (n: number) => (pg ? `$${n}` : '?');
    await before.query(`INSERT INTO idempotency_record (scope, idempotency_key, body_hash, status_code, response, created_at) VALUES (${p(1)}, ${p(2)}, ${p(3)}, ${p(4)}, ${p(5)}, ${p(6)})`, [
      'api:public-requests',
      'old',
      'h',
      201,
      JSON.stringify({ trackingNumber: '2026-000001', accessCode: 'ABCD2345', status: 'awaiting_confirmation' }),
      '2026-06-15T02:00:00.000Z',
    ]);
    const mail = (id: string, status: string) =>
      before.query(
        `INSERT INTO mail_outbox (id, kind, request_id, recipient, subject, text_body, html_body, status, attempts, next_attempt_at, created_at) VALUES (${[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11].map(p).join(', ')})`,
        [
          id,
          'acknowledgement',
          null,
          'a@example.com',
          's',
          '申请编号：2026-000001\n查询码：WXYZ6789\n请勿将查询码告诉他人。',
          '<tr><td>查询码</td><td><strong>WXYZ6789</strong></td></tr>',
          status,
          0,
          '2026-06-15T02:00:00.000Z',
          '2026-06-15T02:00:00.000Z',
        ],
      );
    await mail('00000000-0000-0000-0000-000000000001', 'sent');
    await mail('00000000-0000-0000-0000-000000000002', 'pending');
    await before.destroy();
    const after = await new DataSource(options).initialize();
    try {
      expect((await after.runMigrations()).map((m) => m.name)).toEqual(MIGRATIONS.slice(index).map((m) => m.name));
      const [record] = await after.query('SELECT response, secrets FROM idempotency_record');
      expect([JSON.parse(record.response), record.secrets]).toEqual([{ trackingNumber: '2026-000001', accessCode: null, status: 'awaiting_confirmation' }, null]);
      const mails = await after.query('SELECT status, text_body AS t, html_body AS h FROM mail_outbox ORDER BY id');
      expect(mails).toEqual([
        { status: 'sent', t: '申请编号：2026-000001\n查询码：********\n请勿将查询码告诉他人。', h: '<tr><td>查询码</td><td><strong>********</strong></td></tr>' },
        { status: 'pending', t: expect.stringContaining('WXYZ6789'), h: expect.stringContaining('WXYZ6789') },
      ]);
    } finally {
      await after.destroy();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
