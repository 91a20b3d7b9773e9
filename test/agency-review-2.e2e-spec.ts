import request from 'supertest';
import { AgenciesService } from '../src/agencies/agencies.service';
import { AuthService } from '../src/auth/auth.service';
import { Role } from '../src/auth/roles';
import { applicant, Auth, bearer, CLERK_PASSWORD, signIn } from './support/builders';
import { ADMIN, createTestApp, openForm, TestApp, testDatabaseUrl, validResidentId } from './support/test-app';

/**
 * Issue 16, second review (D6, D8, D22): report settings saved whole, the settings form shown again
 * on a bad basis, 督办 notes at the same moment as other writes, the last administrator per agency.
 * Tree: main ─ zx (县住建局) ─ zxa (县住房保障中心).
 */
describe('Agency review of issue 16, second round', () => {
  let t: TestApp;
  let admin: Auth;
  const token = async (username: string) => bearer((await request(t.http).post('/api/v1/auth/token').send({ username, password: CLERK_PASSWORD }).expect(200)).body.token as string);
  const account = async (username: string, roles: Role[], agency: string) => {
    const found = await t.app.get(AgenciesService).byCode(agency);
    const created = await t.app.get(AuthService).createUser(username, `${username} 用户`, CLERK_PASSWORD, roles, null, found!.id);
    return { id: created.id, auth: await token(username) };
  };
  const settings = async (auth: Auth) => (await request(t.http).get('/api/v1/settings/report').set(auth).expect(200)).body as { section4Basis: string; feePausesClock: boolean };

  beforeAll(async () => {
    t = await createTestApp();
    admin = bearer(await t.adminToken());
    for (const [code, name, parent] of [
      ['zx', '某县住房和城乡建设局', 'main'],
      ['zxa', '某县住房保障中心', 'zx'],
    ])
      await request(t.http).post('/api/v1/agencies').set(admin).send({ code, name, parent }).expect(201);
  }, 60_000);
  afterAll(() => t.close());

  it('the report settings (D8 basis, D6 fee clock) are saved in one transaction: a failure writing the second leaves the first as it was', async () => {
    const officer = (await account('zxa_report', ['report_officer'], 'zxa')).auth;
    expect(await settings(officer)).toEqual({ section4Basis: 'filed_in_year', feePausesClock: true });
    // The database refuses the fee-clock row (written second), whatever the code does.
    const pg = !!testDatabaseUrl();
    if (pg) {
      await t.dataSource.query(
        `CREATE FUNCTION test_refuse_fee_setting() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF NEW.key = 'fee_pauses_clock' THEN RAISE EXCEPTION 'refused by the test'; END IF; RETURN NEW; END $$`,
      );
      await t.dataSource.query('CREATE TRIGGER test_refuse_fee_setting BEFORE INSERT OR UPDATE ON agency_setting FOR EACH ROW EXECUTE FUNCTION test_refuse_fee_setting()');
    } else {
      for (const op of ['INSERT', 'UPDATE']) {
        await t.dataSource.query(
          `CREATE TRIGGER test_refuse_fee_${op.toLowerCase()} BEFORE ${op} ON agency_setting WHEN NEW.key = 'fee_pauses_clock' BEGIN SELECT RAISE(ABORT, 'refused by the test'); END`,
        );
      }
    }
    try {
      const put = await request(t.http).put('/api/v1/settings/report').set(officer).send({ section4Basis: 'concluded_or_pending', feePausesClock: false });
      expect(put.status).toBe(500);
      expect(await settings(officer)).toEqual({ section4Basis: 'filed_in_year', feePausesClock: true });
      // The page's form alike.
      const agent = await signIn(t, { username: 'zxa_report', password: CLERK_PASSWORD });
      const { csrf } = await openForm(agent, '/staff/reports/2025');
      const posted = await agent
        .post('/staff/reports/settings/section4')
        .type('form')
        .send({ _csrf: csrf, year: '2025', section4Basis: 'concluded_or_pending', feePausesClock: ['false', 'true'] });
      expect(posted.status).toBe(500);
      expect(await settings(officer)).toEqual({ section4Basis: 'filed_in_year', feePausesClock: true });
    } finally {
      if (pg) {
        await t.dataSource.query('DROP TRIGGER test_refuse_fee_setting ON agency_setting');
        await t.dataSource.query('DROP FUNCTION test_refuse_fee_setting()');
      } else {
        for (const op of ['insert', 'update']) await t.dataSource.query(`DROP TRIGGER test_refuse_fee_${op}`);
      }
    }
    // Without the refusal both are saved.
    await request(t.http).put('/api/v1/settings/report').set(officer).send({ section4Basis: 'concluded_or_pending', feePausesClock: false }).expect(200);
    expect(await settings(officer)).toEqual({ section4Basis: 'concluded_or_pending', feePausesClock: false });
  });

  it('an invalid basis posted from the report page shows the form again with a Chinese message and the posted values; nothing is saved', async () => {
    const officer = (await account('zx_report', ['report_officer'], 'zx')).auth;
    await request(t.http).put('/api/v1/settings/report').set(officer).send({ section4Basis: 'concluded_or_pending', feePausesClock: false }).expect(200);
    const agent = await signIn(t, { username: 'zx_report', password: CLERK_PASSWORD });
    const { csrf } = await openForm(agent, '/staff/reports/2025');
    const res = await agent
      .post('/staff/reports/settings/section4')
      .type('form')
      .send({ _csrf: csrf, year: '2025', section4Basis: 'whatever', feePausesClock: ['false', 'true'] });
    expect(res.status).toBe(400);
    expect(res.text).toContain('第四部分统计口径无效');
    expect(res.text).toContain('2025 年政府信息公开工作年度报告');
    // The posted checkbox (on) is kept, though the saved setting is off; no basis is selected for the invalid one.
    expect(res.text).toMatch(/id="feePausesClock" name="feePausesClock" value="true" checked/);
    expect(res.text).not.toMatch(/<option value="concluded_or_pending" selected/);
    expect(res.text).toMatch(/id="section4Basis" name="section4Basis" aria-invalid="true"/);
    expect(await settings(officer)).toEqual({ section4Basis: 'concluded_or_pending', feePausesClock: false });
    // A valid post still saves and goes back to the report.
    const again = await openForm(agent, '/staff/reports/2025');
    await agent
      .post('/staff/reports/settings/section4')
      .type('form')
      .send({ _csrf: again.csrf, year: '2025', section4Basis: 'filed_in_year', feePausesClock: ['false', 'true'] })
      .expect(303)
      .expect('Location', '/staff/reports/2025');
    expect(await settings(officer)).toEqual({ section4Basis: 'filed_in_year', feePausesClock: true });
  });

  it('督办 notes sent at the same moment as each other and as a step all land on the timeline, numbered in turn; never a 500', async () => {
    const clerk = (await account('zxa_clerk', ['registrar', 'handler', 'approver'], 'zxa')).auth;
    const sup = (await account('zx_sup', ['supervisor'], 'zx')).auth;
    const id = (
      await request(t.http)
        .post('/api/v1/requests')
        .set(clerk)
        .send({
          channel: 'in_person',
          receivedOn: '2026-06-01',
          applicant: applicant('natural_person', '并发申请人', { idDocumentNumber: validResidentId(), phone: '13900000008' }),
          description: '并发督办的申请',
        })
        .expect(201)
    ).body.id as string;
    const NOTES = 8;
    const sent = await Promise.all([
      ...Array.from({ length: NOTES }, (_, i) =>
        request(t.http)
          .post(`/api/v1/agencies/zx/requests/${id}/supervision-notes`)
          .set(sup)
          .send({ note: `第 ${i + 1} 条督办意见` }),
      ),
      request(t.http).post(`/api/v1/requests/${id}/events`).set(clerk).send({ type: 'decided', on: '2026-06-15', outcome: 'granted' }),
    ]);
    const step = sent.pop()!;
    expect(sent.map((r) => r.status)).toEqual(Array(NOTES).fill(201));
    // The step either landed or answers a clean 409 in Chinese.
    expect([201, 409]).toContain(step.status);
    if (step.status === 409) expect(step.body.error.message).toMatch(/刷新/);
    const events = (await request(t.http).get(`/api/v1/requests/${id}`).set(clerk).expect(200)).body.events as Array<{ type: string; data: { supervisionNote?: string } }>;
    const notes = events.filter((e) => e.type === 'supervision_note').map((e) => e.data.supervisionNote);
    expect(notes.sort()).toEqual(Array.from({ length: NOTES }, (_, i) => `第 ${i + 1} 条督办意见`).sort());
    const seqs = (await t.dataSource.query(`SELECT seq FROM request_event WHERE request_id = '${id}' ORDER BY seq`)).map((r: { seq: number | string }) => Number(r.seq));
    expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1));
    expect(Number((await t.dataSource.query(`SELECT COUNT(*) AS n FROM supervision_note WHERE request_id = '${id}'`))[0].n)).toBe(NOTES);
  });

  it('the last active administrator is kept per agency: a department’s last one cannot be disabled or demoted while the root has its own', async () => {
    const zxAdmin = await account('zx_admin', ['administrator'], 'zx');
    const disabled = await request(t.http).patch(`/api/v1/accounts/${zxAdmin.id}`).set(admin).send({ active: false });
    expect([disabled.status, disabled.body.error?.code]).toEqual([409, 'CONFLICT']);
    expect(disabled.body.error.message).toMatch(/某县住房和城乡建设局至少要保留一个启用的系统管理员账号/);
    const demoted = await request(t.http)
      .patch(`/api/v1/accounts/${zxAdmin.id}`)
      .set(admin)
      .send({ roles: ['report_officer'] });
    expect(demoted.status).toBe(409);
    // The page alike, with the message in Chinese.
    const agent = await signIn(t, ADMIN);
    const { csrf } = await openForm(agent, '/staff/accounts');
    const page = await agent.post(`/staff/accounts/${zxAdmin.id}`).type('form').send({ _csrf: csrf, action: 'disable' });
    expect(page.status).toBe(409);
    expect(page.text).toContain('某县住房和城乡建设局至少要保留一个启用的系统管理员账号');
    const still = (await request(t.http).get('/api/v1/accounts').set(admin).expect(200)).body.items.find((a: { id: string }) => a.id === zxAdmin.id);
    expect(still).toMatchObject({ active: true, roles: ['administrator'], agency: 'zx' });
    await request(t.http).get('/api/v1/settings/remedies').set(zxAdmin.auth).expect(200);
    // With a second administrator in the department, the first may go.
    await account('zx_admin2', ['administrator'], 'zx');
    await request(t.http).patch(`/api/v1/accounts/${zxAdmin.id}`).set(admin).send({ active: false }).expect(200);
  });
});
