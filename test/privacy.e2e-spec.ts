import { ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { chmodSync, closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { MailWorker } from '../src/notifications/mail-worker';
import { createRoleUsers } from './support/roles';
import { SmtpSink } from './support/smtp-sink';
import { createTestApp, openForm, TestApp, testDatabaseUrl, validResidentId } from './support/test-app';

const ROOT = join(__dirname, '..');
const modeOf = (path: string) => (statSync(path).mode & 0o777).toString(8);

describe('Data files are readable by the app\'s account only', () => {
  const base = mkdtempSync(join(tmpdir(), 'ogi-modes-'));
  const filing = { applicant: { type: 'natural_person', name: '权限测试', idDocumentNumber: validResidentId(), phone: '13800138000', email: 'modes@example.com' }, description: '某信息' };
  let umask: number;

  beforeAll(() => {
    execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'pipe' });
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
        [join(base, 'fresh'), dataDir, db, `${db}-wal`, `${db}-shm`, join(dataDir, 'mail'), join(dataDir, 'mail', mails[0]), join(dataDir, 'backups'), join(dataDir, 'backups', backups[0])].map((p) => [p.slice(base.length), modeOf(p)]),
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
        up = await fetch(`http://127.0.0.1:${port}/`).then((r) => r.ok, () => false);
        if (!up) await new Promise((r) => setTimeout(r, 100));
      }
      expect(up).toBe(true);
      await fetch(`http://127.0.0.1:${port}/api/v1/public/requests`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(filing) }).then((r) => expect(r.status).toBe(201));
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
        .send({ applicant: { type: 'natural_person', name: secrets.name, idDocumentNumber: secrets.id, phone: secrets.phone, email: secrets.email, address: secrets.address }, channel: 'in_person', receivedOn: '2014-03-03', description: '某信息' })
        .expect(201)
    ).body.id;
    await request(t.http).post(`/api/v1/requests/${id}/events`).set(bearer(users.handler.token)).send({ type: 'decided', on: '2014-03-10', outcome: 'granted' }).expect(201);
    while ((await t.app.get(MailWorker).runOnce()) > 0);
    const mails = readdirSync(join(t.dir, 'mail'));
    expect(mails.length).toBeGreaterThan(0);
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
