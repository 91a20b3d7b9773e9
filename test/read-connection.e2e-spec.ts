import request from 'supertest';
import { UnitOfWork } from '../src/common/unit-of-work';
import { JOB_READ_DATA_SOURCE, READ_DATA_SOURCE } from '../src/database/read-data-source';
import { applicant, bearer, Desk, staffWithToken } from './support/builders';
import { createTestApp, TestApp } from './support/test-app';

/**
 * Issue 13: on SQLite, reads that need no transaction (look-ups, lists, detail, dashboard, report
 * pages) go through a second, read-only connection. A look-up queued on the write connection behind
 * a long commit of an import waited for it (230–370 ms measured with `npm run bench:import`).
 */
const sqlite = !process.env.TEST_DATABASE_URL;

(sqlite ? describe : describe.skip)('SQLite reads on a connection of their own', () => {
  let t: TestApp;
  let desk: Desk;

  beforeAll(async () => {
    t = await createTestApp();
    const { auth } = await staffWithToken(t, 'reader-clerk');
    desk = new Desk(t, auth, { applicant: applicant('natural_person', '查询人', { phone: '13800000000' }), description: '申请公开某道路改造工程的立项批复' });
  });
  afterAll(() => t.close());

  /** A statement on the write connection that runs for about a second. */
  const slowWrite = () =>
    t.dataSource.query(
      `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 30000000) INSERT INTO job_run (job, run_on, started_at) SELECT 'slow-' || COUNT(*), '2026-06-15', '2026-06-15T00:00:00Z' FROM n WHERE i = 0`,
    );

  it("the pages' reader and the jobs' reader are separate, read-only connections", async () => {
    const reader = t.app.get(READ_DATA_SOURCE);
    const jobs = t.app.get(JOB_READ_DATA_SOURCE);
    expect(new Set([reader, jobs, t.dataSource]).size).toBe(3);
    for (const ds of [reader, jobs]) await expect(ds.query("INSERT INTO job_run (job, run_on, started_at) VALUES ('x', '2026-06-15', '2026-06-15T00:00:00Z')")).rejects.toThrow(/readonly/);
  });

  it('a public look-up and a list page answer while the write connection is busy, and see only committed data', async () => {
    const filed = await desk.file();
    const token = await t.token();
    let writeDone = false;
    const write = slowWrite().finally(() => (writeDone = true));
    // Let the statement start on the write connection.
    await new Promise((r) => setTimeout(r, 50));
    const started = Date.now();
    const lookup = await request(t.http).get(`/api/v1/public/requests/${filed.trackingNumber}`).set('X-Access-Code', filed.accessCode);
    const list = await request(t.http).get('/api/v1/requests').set(bearer(token));
    const answeredIn = Date.now() - started;
    const answeredBeforeWrite = !writeDone;
    await write;
    expect(lookup.status).toBe(200);
    expect(lookup.body.trackingNumber).toBe(filed.trackingNumber);
    expect(list.status).toBe(200);
    expect(answeredBeforeWrite).toBe(true);
    expect(answeredIn).toBeLessThan(500);
  });

  it('a roll-up and the 督办 figures (issue 16) answer while the write connection is busy', async () => {
    await desk.file();
    const admin = bearer(await t.adminToken());
    await t.dataSource.query("DELETE FROM job_run WHERE job LIKE 'slow-%'");
    let writeDone = false;
    const write = slowWrite().finally(() => (writeDone = true));
    await new Promise((r) => setTimeout(r, 50));
    const started = Date.now();
    const rollup = await request(t.http).get('/api/v1/agencies/main/rollup/2026/section3').set(admin);
    const supervision = await request(t.http).get('/api/v1/agencies/main/supervision').set(admin);
    const answeredIn = Date.now() - started;
    const answeredBeforeWrite = !writeDone;
    await write;
    expect([rollup.status, supervision.status]).toEqual([200, 200]);
    expect(answeredBeforeWrite).toBe(true);
    expect(answeredIn).toBeLessThan(500);
  });

  it('a long statement on a connection does not hold the event loop while other statements wait for that connection', async () => {
    const reader = t.app.get(READ_DATA_SOURCE);
    const long = 'WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 4000000) SELECT COUNT(*) AS n FROM n';
    let longest = 0;
    let last = Date.now();
    const timer = setInterval(() => {
      longest = Math.max(longest, Date.now() - last);
      last = Date.now();
    }, 2);
    const started = Date.now();
    try {
      // Before the fix, the short statements were finalized on the main thread while the long one held the connection.
      await Promise.all([reader.query(long), reader.query('SELECT 1'), reader.query('SELECT 2'), reader.query(long), reader.query('SELECT 3')]);
    } finally {
      clearInterval(timer);
    }
    const took = Date.now() - started;
    expect(took).toBeGreaterThan(400);
    expect(longest).toBeLessThan(Math.min(250, took / 3));
  });

  it('a read never sees a transaction of the write connection that has not committed', async () => {
    await desk.file();
    const token = await t.token();
    const total = async () => (await request(t.http).get('/api/v1/requests').set(bearer(token))).body.total as number;
    const before = await total();
    const columns = (await t.dataSource.query<Array<{ name: string }>>('PRAGMA table_info(information_request)')).map((c) => c.name);
    const copied = columns.map((c) => (c === 'id' ? "'00000000-0000-4000-8000-000000000001'" : c === 'tracking_number' ? "'2026-999999'" : c)).join(', ');
    // Opened through the app's UnitOfWork queue, as every write of the app is: a transaction
    // opened beside it on the one shared SQLite connection can interleave with the app's own.
    const rolledBack = new Error('rolled back by the test');
    await expect(
      t.app.get(UnitOfWork).run(async (m) => {
        // A copy of a request, written (with its tally delta, by trigger) but not committed.
        await m.query(`INSERT INTO information_request (${columns.join(', ')}) SELECT ${copied} FROM information_request LIMIT 1`);
        const [{ n }] = await m.query<Array<{ n: number }>>('SELECT COUNT(*) AS n FROM information_request');
        expect(Number(n)).toBe(before + 1);
        expect(await total()).toBe(before);
        throw rolledBack;
      }),
    ).rejects.toBe(rolledBack);
    expect(await total()).toBe(before);
  });
});
