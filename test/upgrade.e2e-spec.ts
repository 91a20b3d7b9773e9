import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { AgenciesService } from '../src/agencies/agencies.service';
import { AuthService } from '../src/auth/auth.service';
import { CLERK_PASSWORD } from './support/builders';
import { ADMIN, createTestApp, TestApp, testDatabaseUrl } from './support/test-app';

/**
 * A database written by the release before issue 12 (commit b94aca5, made by running that
 * release's API: see the request list below) opens with this release: every record is kept,
 * and the stored state is re-derived under D1 and D15.
 */
const describeOnSqlite = testDatabaseUrl() ? describe.skip : describe;

describeOnSqlite('Upgrade from the earlier release (test/fixtures/release-b94aca5.sqlite)', () => {
  let t: TestApp;
  let auth: { Authorization: string };
  let dir: string;
  const OLD_COUNTS = { information_request: 5, request_event: 10, applicant: 5, request_item: 6, review_case: 1 };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ogi-upgrade-'));
    const file = join(dir, 'old.sqlite');
    copyFileSync(join(__dirname, 'fixtures', 'release-b94aca5.sqlite'), file);
    t = await createTestApp({ DATABASE_URL: `sqlite:${file}`, AGENCY_NAME: '某县人民政府办公室' });
    t.clock.setNow('2026-01-20T02:00:00Z');
    auth = { Authorization: `Bearer ${await t.token()}` };
  });
  afterAll(async () => {
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps every record', async () => {
    for (const [table, n] of Object.entries(OLD_COUNTS)) expect([table, await t.count(table)]).toEqual([table, n]);
    const list = await request(t.http).get('/api/v1/requests').set(auth).expect(200);
    expect(list.body.total).toBe(5);
  });

  it('the administrator of the earlier release still signs in', async () => {
    await request(t.http).post('/api/v1/auth/token').send(ADMIN).expect(200);
  });

  it('D15: the reply after a deadline that a late extension had moved is late now', async () => {
    const a = (await request(t.http).get('/api/v1/requests?q=旧版A').set(auth).expect(200)).body.items[0];
    expect(a).toMatchObject({ trackingNumber: '2025-000001', dueOn: '2025-03-31', overdue: true, concludedOn: '2025-04-20' });
    const detail = await request(t.http).get(`/api/v1/requests/${a.id}`).set(auth).expect(200);
    expect(detail.body.events.map((e: { type: string }) => e.type)).toEqual(['registered', 'extension_granted', 'decided']);
  });

  it('D1: two items with nothing disclosed are no longer （二）', async () => {
    const b = (await request(t.http).get('/api/v1/requests?q=旧版B').set(auth).expect(200)).body.items[0];
    expect(b).toMatchObject({ outcome: 'unable_not_held' });
  });

  it('open and awaiting requests carry on', async () => {
    const c = (await request(t.http).get('/api/v1/requests?q=旧版C').set(auth).expect(200)).body.items[0];
    expect(c).toMatchObject({ status: 'awaiting_confirmation' });
    const d = (await request(t.http).get('/api/v1/requests?q=旧版D').set(auth).expect(200)).body.items[0];
    expect(d).toMatchObject({ status: 'consulting' });
  });

  it('the 2025 report recompiles from the records', async () => {
    const s3 = await request(t.http).get('/api/v1/reports/2025/section3').set(auth).expect(200);
    expect(s3.body.rows.unable_not_held[6]).toBe(1);
    expect(s3.body.rows.partially_granted[6]).toBe(0);
    expect(s3.body.checks.filter((c: { ok: boolean }) => !c.ok)).toEqual([]);
  });

  it('the 2025 publication of the earlier release is publication 1, its figures frozen; the diff shows the reclassification', async () => {
    const list = await request(t.http).get('/api/v1/reports/2025/publications').set(auth).expect(200);
    expect(list.body.items).toHaveLength(1);
    const first = await request(t.http).get('/api/v1/reports/2025/publications/1').set(auth).expect(200);
    expect(first.body.section3.rows.partially_granted[6]).toBe(1);
    expect(first.body.section3.rows.unable_not_held[6]).toBe(0);
    const diff = await request(t.http).get('/api/v1/reports/2025/diff?publication=1').set(auth).expect(200);
    expect(JSON.stringify(diff.body)).toContain('unable_not_held');
  });

  it('the indexes the upgrade rebuilt have planner statistics (without them SQLite chose scans at 1M requests)', async () => {
    const indexes = await t.dataSource.query<Array<{ name: string }>>("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'information_request' AND name LIKE 'IDX_%'");
    const analysed = new Set((await t.dataSource.query<Array<{ idx: string }>>("SELECT idx FROM sqlite_stat1 WHERE tbl = 'information_request'")).map((r) => r.idx));
    expect(indexes.length).toBeGreaterThan(5);
    expect(indexes.map((i) => i.name).filter((name) => !analysed.has(name))).toEqual([]);
  });

  it('issue 16: every old record belongs to the root agency; another agency added later sees none of them, the root’s reports unchanged', async () => {
    for (const table of ['information_request', 'review_case', 'report_publication', 'report_publication_entry', 'tracking_sequence', 'staff_user']) {
      const rows = await t.dataSource.query<Array<{ agency_id: number }>>(`SELECT DISTINCT agency_id FROM "${table}"`);
      expect([table, rows.map((r) => Number(r.agency_id))]).toEqual([table, [1]]);
    }
    const admin = { Authorization: `Bearer ${await t.adminToken()}` };
    expect((await request(t.http).get('/api/v1/agencies').set(admin).expect(200)).body.items).toEqual([{ code: 'main', name: '某县人民政府办公室', parent: null, children: [] }]);
    const before = {
      s3: (await request(t.http).get('/api/v1/reports/2025/section3').set(auth).expect(200)).body,
      s4: (await request(t.http).get('/api/v1/reports/2025/section4').set(auth).expect(200)).body,
      first: (await request(t.http).get('/api/v1/reports/2025/publications/1').set(auth).expect(200)).body,
    };

    await request(t.http).post('/api/v1/agencies').set(admin).send({ code: 'zrzy', name: '某县自然资源局', parent: 'main' }).expect(201);
    const zrzy = (await t.app.get(AgenciesService).byCode('zrzy'))!;
    await t.app.get(AuthService).createUser('zrzy.report', '自然资源局年报', CLERK_PASSWORD, ['registrar', 'report_officer'], null, zrzy.id);
    const other = { Authorization: `Bearer ${(await request(t.http).post('/api/v1/auth/token').send({ username: 'zrzy.report', password: CLERK_PASSWORD }).expect(200)).body.token}` };
    expect((await request(t.http).get('/api/v1/requests').set(other).expect(200)).body.total).toBe(0);
    const theirs = (await request(t.http).get('/api/v1/reports/2025/section3').set(other).expect(200)).body;
    expect(
      Object.values(theirs.rows as Record<string, number[]>)
        .flat()
        .every((n) => n === 0),
    ).toBe(true);
    expect((await request(t.http).get('/api/v1/reports/2025/publications').set(other).expect(200)).body.items).toEqual([]);

    expect((await request(t.http).get('/api/v1/requests').set(auth).expect(200)).body.total).toBe(5);
    expect((await request(t.http).get('/api/v1/reports/2025/section3').set(auth).expect(200)).body).toEqual(before.s3);
    expect((await request(t.http).get('/api/v1/reports/2025/section4').set(auth).expect(200)).body).toEqual(before.s4);
    expect((await request(t.http).get('/api/v1/reports/2025/publications/1').set(auth).expect(200)).body).toEqual(before.first);
    // Old numbers keep working; new ones carry the agency's code.
    expect((await request(t.http).get('/api/v1/requests?q=2025-000001').set(auth).expect(200)).body.total).toBe(1);
    const registered = await request(t.http)
      .post('/api/v1/requests')
      .set(auth)
      .send({
        channel: 'in_person',
        receivedOn: '2026-01-20',
        applicant: { type: 'natural_person', name: '升级后', idDocumentNumber: '11010519491231002X', phone: '13900000000' },
        description: '升级后的申请',
      })
      .expect(201);
    expect(registered.body.trackingNumber).toMatch(/^MAIN-2026-\d{6}$/);
  });
});
