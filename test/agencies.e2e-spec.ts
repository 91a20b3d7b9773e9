import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { AgenciesService } from '../src/agencies/agencies.service';
import { runForAgency } from '../src/agencies/agency-scope';
import { AuthService } from '../src/auth/auth.service';
import { RequestQueriesService } from '../src/requests/request-queries.service';
import { Role } from '../src/auth/roles';
import { MailOutboxEntity } from '../src/notifications/entities/mail-outbox.entity';
import { applicant, Auth, bearer, CLERK_PASSWORD, signIn } from './support/builders';
import { ADMIN, createTestApp, openForm, TestApp } from './support/test-app';

type Section3 = { rows: Record<string, number[]> };

/**
 * Issue 16, phase 1: several agencies on one platform (D22, D23). One app, in order: the root
 * agency from the configuration, agencies added by the root's administrator, accounts per agency,
 * filing with an agency, transfer before receipt, and the refile a referral reply offers.
 */
describe('Several agencies on one platform', () => {
  let t: TestApp;
  let admin: Auth;
  const token = async (username: string) => bearer((await request(t.http).post('/api/v1/auth/token').send({ username, password: CLERK_PASSWORD }).expect(200)).body.token as string);
  const account = async (username: string, roles: Role[], agency: string): Promise<Auth> => {
    const found = await t.app.get(AgenciesService).byCode(agency);
    await t.app.get(AuthService).createUser(username, `${username} 用户`, CLERK_PASSWORD, roles, null, found!.id);
    return token(username);
  };
  const filing = (over: Record<string, unknown> = {}) => ({
    applicant: applicant('natural_person', '赵六', { phone: '13900000001', email: 'zhao@example.test' }),
    description: '申请公开某地块的国有建设用地使用权出让合同',
    ...over,
  });
  const section3 = async (auth: Auth): Promise<Section3> => (await request(t.http).get('/api/v1/reports/2026/section3').set(auth).expect(200)).body;

  beforeAll(async () => {
    t = await createTestApp({ AGENCY_CODE: 'xzf', AGENCY_NAME: '某县人民政府办公室' });
    admin = bearer(await t.adminToken());
  }, 60_000);
  afterAll(() => t.close());

  (process.env.TEST_DATABASE_URL ? it.skip : it)('SQLite: the list indexes kept at start-up are the migration’s, led by the agency', async () => {
    const rows = await t.dataSource.query<Array<{ name: string; sql: string }>>("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND name LIKE 'IDX_information_request_%'");
    const led = rows.filter((r) => /ON "information_request" \("?agency_id"?, /.test(r.sql)).map((r) => r.name);
    for (const name of ['list', 'status_list', 'open_list', 'type_list', 'channel_list', 'assignee_list', 'concluded', 'outcome', 'received_year', 'concluded_year', 'received', 'report', 'waiting']) {
      expect(led).toContain(`IDX_information_request_${name}`);
    }
  });

  it('a fresh platform is one root agency named by AGENCY_CODE and AGENCY_NAME; numbers as before', async () => {
    const tree = await request(t.http).get('/api/v1/agencies').set(admin).expect(200);
    expect(tree.body).toEqual({ items: [{ code: 'xzf', name: '某县人民政府办公室', parent: null, children: [] }] });
    const filed = await request(t.http).post('/api/v1/public/requests').send(filing()).expect(201);
    expect(filed.body.trackingNumber).toMatch(/^2026-\d{6}$/);
    // One agency: the filing page has no chooser.
    expect((await request(t.http).get('/').expect(200)).text).not.toContain('id="agency"');
  });

  it('the root agency’s administrator adds agencies under a parent; the tree nests them', async () => {
    const created = await request(t.http).post('/api/v1/agencies').set(admin).send({ code: 'zrzy', name: '某县自然资源局', parent: 'xzf' }).expect(201);
    expect(created.body).toEqual({ code: 'zrzy', name: '某县自然资源局', parent: 'xzf' });
    await request(t.http).post('/api/v1/agencies').set(admin).send({ code: 'jyj', name: '某县教育局', parent: 'xzf' }).expect(201);
    await request(t.http).post('/api/v1/agencies').set(admin).send({ code: 'zrzyzx', name: '某县不动产登记中心', parent: 'zrzy' }).expect(201);
    expect((await request(t.http).post('/api/v1/agencies').set(admin).send({ code: 'zrzy', name: '重复', parent: 'xzf' }).expect(409)).body.error.code).toBe('CONFLICT');
    expect(Object.keys((await request(t.http).post('/api/v1/agencies').set(admin).send({ code: 'Z!', name: '', parent: 'xzf' }).expect(400)).body.error.fields).sort()).toEqual(['code', 'name']);
    expect((await request(t.http).post('/api/v1/agencies').set(admin).send({ code: 'gaj', name: '某县公安局', parent: 'nope' }).expect(422)).body.error.fields).toHaveProperty('parent');
    const tree = (await request(t.http).get('/api/v1/agencies').set(admin).expect(200)).body.items;
    expect(tree).toEqual([
      {
        code: 'xzf',
        name: '某县人民政府办公室',
        parent: null,
        children: [
          { code: 'zrzy', name: '某县自然资源局', parent: 'xzf', children: [{ code: 'zrzyzx', name: '某县不动产登记中心', parent: 'zrzy', children: [] }] },
          { code: 'jyj', name: '某县教育局', parent: 'xzf', children: [] },
        ],
      },
    ]);
    // The page lists them with their deep links.
    const page = await signIn(t, { username: 'admin', password: 'admin-password-1' });
    const html = (await page.get('/staff/agencies').expect(200)).text;
    expect(html).toContain('某县不动产登记中心');
    expect(html).toContain('href="/a/zrzyzx"');
  });

  it('accounts: the root administrator creates them in any agency; an agency’s administrator only in its own, and sees only its own', async () => {
    const created = await request(t.http)
      .post('/api/v1/accounts')
      .set(admin)
      .send({ username: 'zrzy.admin', displayName: '自然资源局管理员', password: CLERK_PASSWORD, roles: ['administrator'], agency: 'zrzy' })
      .expect(201);
    expect(created.body.agency).toBe('zrzy');
    const zrzyAdmin = await token('zrzy.admin');
    const own = await request(t.http)
      .post('/api/v1/accounts')
      .set(zrzyAdmin)
      .send({ username: 'zrzy.wang', displayName: '王登记', password: CLERK_PASSWORD, roles: ['registrar'] })
      .expect(201);
    expect(own.body.agency).toBe('zrzy');
    const refused = await request(t.http)
      .post('/api/v1/accounts')
      .set(zrzyAdmin)
      .send({ username: 'zrzy.li', displayName: '李', password: CLERK_PASSWORD, roles: ['registrar'], agency: 'jyj' })
      .expect(403);
    expect(refused.body.error.fields).toHaveProperty('agency');
    const listed = (await request(t.http).get('/api/v1/accounts').set(zrzyAdmin).expect(200)).body.items.map((a: { username: string }) => a.username).sort();
    expect(listed).toEqual(['zrzy.admin', 'zrzy.wang']);
    expect((await request(t.http).get('/api/v1/accounts').set(admin).expect(200)).body.items.map((a: { username: string }) => a.username)).toEqual(
      expect.arrayContaining(['admin', 'zrzy.admin', 'zrzy.wang']),
    );
    // Another agency's account answers 404 to it, as if it did not exist.
    const rootAdminId = (await request(t.http).get('/api/v1/accounts').set(admin).expect(200)).body.items.find((a: { username: string }) => a.username === 'admin').id;
    await request(t.http).patch(`/api/v1/accounts/${rootAdminId}`).set(zrzyAdmin).send({ active: false }).expect(404);
    await request(t.http).post(`/api/v1/accounts/${rootAdminId}/password`).set(zrzyAdmin).send({ password: 'Another-pass-2026' }).expect(404);
    // Agencies are the root administrator's: another agency's administrator is refused (403).
    await request(t.http).post('/api/v1/agencies').set(zrzyAdmin).send({ code: 'abc', name: '某局', parent: 'zrzy' }).expect(403);
    const page = await signIn(t, { username: 'zrzy.admin', password: CLERK_PASSWORD });
    await page.get('/staff/agencies').expect(403);
    // Its pages name its own agency, and offer no link to the agencies page.
    const home = (await page.get('/staff/accounts').expect(200)).text;
    expect(home).toContain('<span class="agency">某县自然资源局</span>');
    expect(home).not.toContain('href="/staff/agencies"');
  });

  it('filing: the agency is required (400, as a missing field) once there are several, numbers carry its code, /a/{code} fixes it', async () => {
    const missing = await request(t.http).post('/api/v1/public/requests').send(filing()).expect(400);
    expect(missing.body.error.fields).toHaveProperty('agency');
    expect(
      (
        await request(t.http)
          .post('/api/v1/public/requests')
          .send(filing({ agency: 'nope' }))
          .expect(422)
      ).body.error.fields,
    ).toHaveProperty('agency');
    const zrzy = await request(t.http)
      .post('/api/v1/public/requests')
      .send(filing({ agency: 'zrzy' }))
      .expect(201);
    expect(zrzy.body.trackingNumber).toBe('ZRZY-2026-000001');
    const root = await request(t.http)
      .post('/api/v1/public/requests')
      .send(filing({ agency: 'xzf' }))
      .expect(201);
    expect(root.body.trackingNumber).toMatch(/^XZF-2026-\d{6}$/);
    // The number typed as people do: lower case, full-width dashes.
    await request(t.http).get('/api/v1/public/requests/zrzy－2026－000001').set('X-Access-Code', zrzy.body.accessCode).expect(200);

    const form = await request(t.http).get('/').expect(200);
    expect(form.text).toContain('<select id="agency" name="agency" required');
    expect(form.text).toContain('<optgroup label="某县人民政府办公室 / 某县自然资源局">');
    const fixed = await request(t.http).get('/a/zrzy').expect(200);
    expect(fixed.text).toContain('受理机关：<strong>某县自然资源局</strong>');
    expect(fixed.text).toContain('<input type="hidden" name="agency" value="zrzy">');
    await request(t.http).get('/a/nope').expect(404);

    // The form without a chosen agency: 400, the chooser marked, nothing filed.
    const agent = request.agent(t.http);
    const { csrf, submissionToken } = await openForm(agent, '/');
    const sent = await agent
      .post('/apply')
      .type('form')
      .send({
        _csrf: csrf,
        submissionToken,
        'applicant[type]': 'natural_person',
        'applicant[name]': '钱七',
        'applicant[idDocumentNumber]': (filing().applicant as { idDocumentNumber: string }).idDocumentNumber,
        'applicant[phone]': '13900000002',
        description: '申请公开某校舍改造项目的招标文件',
      })
      .expect(400);
    expect(sent.text).toContain('id="agency-error"');
    const filed = await agent
      .post('/apply')
      .type('form')
      .send({
        _csrf: csrf,
        submissionToken,
        agency: 'jyj',
        'applicant[type]': 'natural_person',
        'applicant[name]': '钱七',
        'applicant[idDocumentNumber]': (filing().applicant as { idDocumentNumber: string }).idDocumentNumber,
        'applicant[phone]': '13900000002',
        description: '申请公开某校舍改造项目的招标文件',
      })
      .expect(201);
    expect(/id="tracking-number">([^<]+)</.exec(filed.text)![1]).toBe('JYJ-2026-000001');
  });

  it('transfer before receipt (D23): forwarded with the number kept, the applicant told, no count moved; not after receipt', async () => {
    const xzf = await account('xzf.reg', ['registrar', 'handler', 'approver'], 'xzf');
    const xzfHandler = await account('xzf.handler', ['handler'], 'xzf');
    const zrzy = await account('zrzy.reg', ['registrar', 'handler', 'approver'], 'zrzy');
    const xzfReports = await account('xzf.report', ['report_officer'], 'xzf');
    const zrzyReports = await account('zrzy.report', ['report_officer'], 'zrzy');
    const filed = await request(t.http)
      .post('/api/v1/public/requests')
      .send(filing({ agency: 'xzf', description: '申请公开某村土地征收补偿方案' }))
      .expect(201);
    const id = (await request(t.http).get(`/api/v1/requests?q=${filed.body.trackingNumber}`).set(xzf).expect(200)).body.items[0].id as string;
    const before = { xzf: await section3(xzfReports), zrzy: await section3(zrzyReports) };

    await request(t.http).post(`/api/v1/requests/${id}/transfer`).set(xzfHandler).send({ agency: 'zrzy' }).expect(403);
    // Another agency's request is not there for it (404), and the target must be another agency.
    await request(t.http).post(`/api/v1/requests/${id}/transfer`).set(zrzy).send({ agency: 'jyj' }).expect(404);
    expect((await request(t.http).post(`/api/v1/requests/${id}/transfer`).set(xzf).send({ agency: 'xzf' }).expect(422)).body.error.fields).toHaveProperty('agency');
    expect((await request(t.http).post(`/api/v1/requests/${id}/transfer`).set(xzf).send({ agency: 'nope' }).expect(422)).body.error.fields).toHaveProperty('agency');

    const moved = await request(t.http).post(`/api/v1/requests/${id}/transfer`).set(xzf).send({ agency: 'zrzy', note: '所申请信息由自然资源局制作' }).expect(200);
    expect(moved.body).toEqual({ id, trackingNumber: filed.body.trackingNumber, agency: 'zrzy', status: 'awaiting_confirmation' });
    await request(t.http).get(`/api/v1/requests/${id}`).set(xzf).expect(404);
    const detail = (await request(t.http).get(`/api/v1/requests/${id}`).set(zrzy).expect(200)).body;
    expect(detail.trackingNumber).toBe(filed.body.trackingNumber);
    const event = detail.events.find((e: { type: string }) => e.type === 'transferred');
    expect(event).toMatchObject({ actor: 'xzf.reg 用户', data: { transferFrom: { code: 'xzf' }, transferTo: { code: 'zrzy', name: '某县自然资源局' }, note: '所申请信息由自然资源局制作' } });
    const mail = await t.dataSource.manager.findOneByOrFail(MailOutboxEntity, { requestId: id, kind: 'transfer' });
    expect(mail.recipient).toBe('zhao@example.test');
    expect(mail.textBody).toContain('某县自然资源局');
    expect(mail.textBody).toContain(filed.body.trackingNumber);
    // The applicant's number and code still work.
    await request(t.http).get(`/api/v1/public/requests/${filed.body.trackingNumber}`).set('X-Access-Code', filed.body.accessCode).expect(200);
    // The first agency never received it: neither table moved.
    expect({ xzf: await section3(xzfReports), zrzy: await section3(zrzyReports) }).toEqual(before);

    // Received by the right agency: counted there; a transfer now answers 409.
    await request(t.http).post(`/api/v1/requests/${id}/events`).set(zrzy).send({ type: 'receipt_confirmed', on: '2026-06-15' }).expect(201);
    const conflict = await request(t.http).post(`/api/v1/requests/${id}/transfer`).set(zrzy).send({ agency: 'xzf' }).expect(409);
    expect(conflict.body.error.message).toMatch(/尚未确认收到/);
    const after = await section3(zrzyReports);
    expect(after.rows.new_received.reduce((a, b) => a + b, 0)).toBe(before.zrzy.rows.new_received.reduce((a, b) => a + b, 0) + 2);
    expect(await section3(xzfReports)).toEqual(before.xzf);
  });

  it('counting settings are each agency’s own (D6, D8, D16)', async () => {
    const zrzy = await token('zrzy.report');
    const root = await token('xzf.report');
    const saved = await request(t.http).put('/api/v1/settings/report').set(zrzy).send({ section4Basis: 'concluded_or_pending', feePausesClock: false }).expect(200);
    expect(saved.body).toEqual({ section4Basis: 'concluded_or_pending', feePausesClock: false });
    expect((await request(t.http).get('/api/v1/settings/report').set(root).expect(200)).body).toEqual({ section4Basis: 'filed_in_year', feePausesClock: true });
    expect(((await section3(zrzy)) as unknown as { basis: { fee: string } }).basis.fee).toContain('设置：否');
    expect(((await section3(root)) as unknown as { basis: { fee: string } }).basis.fee).toContain('设置：是');
    // Printed per agency under the roll-up (D22).
    const rollup4 = (await request(t.http).get('/api/v1/agencies/xzf/rollup/2026/section4').set(root).expect(200)).body as { basis: Record<string, string> };
    expect(rollup4.basis['settings.zrzy']).toContain('收费通知后暂停计算答复期限：否');
    expect(rollup4.basis['settings.xzf']).toContain('收费通知后暂停计算答复期限：是');
    const admin2 = await token('zrzy.admin');
    await request(t.http).put('/api/v1/settings/remedies').set(admin2).send({ reviewOrgan: '某县人民政府', court: '某县人民法院' }).expect(200);
    expect((await request(t.http).get('/api/v1/settings/remedies').set(zrzy).expect(200)).body).toMatchObject({ reviewOrgan: '某县人民政府', court: '某县人民法院' });
    expect((await request(t.http).get('/api/v1/settings/remedies').set(root).expect(200)).body).toMatchObject({ reviewOrgan: null, court: null });
    // A fee notice of the agency that turned D6 off does not pause its clock.
    const clerk = await token('zrzy.reg');
    const filed = await request(t.http)
      .post('/api/v1/public/requests')
      .send(filing({ agency: 'zrzy', description: '申请公开某矿区的采矿权出让收益评估报告' }))
      .expect(201);
    const id = (await request(t.http).get(`/api/v1/requests?q=${filed.body.trackingNumber}`).set(clerk).expect(200)).body.items[0].id as string;
    await request(t.http).post(`/api/v1/requests/${id}/events`).set(clerk).send({ type: 'receipt_confirmed', on: '2026-06-15' }).expect(201);
    const fee = await request(t.http).post(`/api/v1/requests/${id}/events`).set(clerk).send({ type: 'fee_notice_issued', on: '2026-06-15', amountYuan: 100 }).expect(201);
    expect(fee.body.events.find((e: { type: string }) => e.type === 'fee_notice_issued').data.pausesClock).toBe(false);
  });

  it('refile after a referral reply (D21): the status page offers a new application with the agency named', async () => {
    const xzf = await token('xzf.reg');
    const zrzy = await token('zrzy.reg');
    const filed = await request(t.http)
      .post('/api/v1/public/requests')
      .send(filing({ agency: 'xzf', description: '申请公开某宗地的不动产登记簿' }))
      .expect(201);
    const id = (await request(t.http).get(`/api/v1/requests?q=${filed.body.trackingNumber}`).set(xzf).expect(200)).body.items[0].id as string;
    await request(t.http).post(`/api/v1/requests/${id}/events`).set(xzf).send({ type: 'receipt_confirmed', on: '2026-06-15' }).expect(201);
    // The agency named must be another one on the platform.
    await request(t.http)
      .post(`/api/v1/requests/${id}/events`)
      .set(xzf)
      .send({ type: 'decided', on: '2026-06-15', outcome: 'unable_not_held', referTo: { agency: '', agencyCode: 'xzf' } })
      .expect(422);
    const decided = await request(t.http)
      .post(`/api/v1/requests/${id}/events`)
      .set(xzf)
      .send({ type: 'decided', on: '2026-06-15', outcome: 'unable_not_held', referTo: { agency: '', contact: '0000-1234567', agencyCode: 'zrzy' } })
      .expect(201);
    expect(decided.body.referTo).toEqual({ agency: '某县自然资源局', contact: '0000-1234567', agencyCode: 'zrzy' });

    const agent = request.agent(t.http);
    const { csrf } = await openForm(agent, '/status');
    const status = await agent.post('/status').type('form').send({ _csrf: csrf, trackingNumber: filed.body.trackingNumber, accessCode: filed.body.accessCode }).expect(200);
    expect(status.text).toContain('id="refile"');
    expect(status.text).toContain('申请公开某宗地的不动产登记簿</textarea>');
    const token2 = /name="submissionToken" value="([^"]+)"/.exec(status.text)![1];
    const refiled = await agent
      .post('/status/refile')
      .type('form')
      .send({ _csrf: csrf, trackingNumber: filed.body.trackingNumber, accessCode: filed.body.accessCode, submissionToken: token2, description: '申请公开某宗地（编号 12）的不动产登记簿' })
      .expect(201);
    const number = /id="tracking-number">([^<]+)</.exec(refiled.text)![1];
    expect(number).toMatch(/^ZRZY-2026-\d{6}$/);
    expect(refiled.text).toContain('已向 <strong>某县自然资源局</strong> 提出申请');
    const found = (await request(t.http).get(`/api/v1/requests?q=${number}`).set(zrzy).expect(200)).body.items;
    expect(found).toHaveLength(1);
    const fresh = (await request(t.http).get(`/api/v1/requests/${found[0].id}`).set(zrzy).expect(200)).body;
    expect(fresh).toMatchObject({ status: 'awaiting_confirmation', description: '申请公开某宗地（编号 12）的不动产登记簿', applicant: { name: '赵六' } });
    // The first request is unchanged and still the first agency's.
    expect((await request(t.http).get(`/api/v1/requests/${id}`).set(xzf).expect(200)).body.status).toBe('concluded');

    // A referral to an agency off the platform (free text only) offers nothing.
    const other = await request(t.http)
      .post('/api/v1/public/requests')
      .send(filing({ agency: 'xzf', description: '申请公开某河道采砂许可' }))
      .expect(201);
    const otherId = (await request(t.http).get(`/api/v1/requests?q=${other.body.trackingNumber}`).set(xzf).expect(200)).body.items[0].id as string;
    await request(t.http).post(`/api/v1/requests/${otherId}/events`).set(xzf).send({ type: 'receipt_confirmed', on: '2026-06-15' }).expect(201);
    await request(t.http)
      .post(`/api/v1/requests/${otherId}/events`)
      .set(xzf)
      .send({ type: 'decided', on: '2026-06-15', outcome: 'unable_not_held', referTo: { agency: '某市水利局' } })
      .expect(201);
    const plain = await agent.post('/status').type('form').send({ _csrf: csrf, trackingNumber: other.body.trackingNumber, accessCode: other.body.accessCode }).expect(200);
    expect(plain.text).not.toContain('id="refile"');
    await agent
      .post('/status/refile')
      .type('form')
      .send({ _csrf: csrf, trackingNumber: other.body.trackingNumber, accessCode: other.body.accessCode, submissionToken: 'x', description: '再申请' })
      .expect(409);
  });

  it('the daily digest goes to each agency’s staff with that agency’s requests only', async () => {
    const auth = t.app.get(AuthService);
    const agencies = t.app.get(AgenciesService);
    await auth.createUser('xzf.mail', '县政府办', CLERK_PASSWORD, ['handler'], 'xzf@example.test', (await agencies.byCode('xzf'))!.id);
    await auth.createUser('zrzy.mail', '自然资源局', CLERK_PASSWORD, ['handler'], 'zrzy@example.test', (await agencies.byCode('zrzy'))!.id);
    // Days later: the submissions still awaiting confirmation are late, in each agency.
    t.clock.setNow('2026-06-25T00:30:00Z');
    const fresh = bearer((await request(t.http).post('/api/v1/auth/token').send(ADMIN).expect(200)).body.token as string);
    const ran = await request(t.http).post('/api/v1/jobs/daily-digest').set(fresh).expect(200);
    expect(ran.body.ran).toBe(true);
    const digest = async (to: string) => t.dataSource.manager.findOneByOrFail(MailOutboxEntity, { kind: 'digest', recipient: to });
    const zrzy = await digest('zrzy@example.test');
    expect(zrzy.subject).toContain('【某县自然资源局】');
    expect(zrzy.textBody).toContain('ZRZY-2026-000001');
    expect(zrzy.textBody).not.toMatch(/XZF-|JYJ-/);
    const xzf = await digest('xzf@example.test');
    expect(xzf.subject).toContain('【某县人民政府办公室】');
    expect(xzf.textBody).toMatch(/XZF-2026-\d{6}/);
    expect(xzf.textBody).not.toMatch(/ZRZY-|JYJ-/);
  });
  it('the lapsed corrections and fees (staff home, digest) are the agency’s own', async () => {
    const clerk = await token('zrzy.reg');
    const filed = await request(t.http)
      .post('/api/v1/public/requests')
      .send(filing({ agency: 'zrzy', description: '申请公开某地块的土地征收补偿方案' }))
      .expect(201);
    const id = (await request(t.http).get(`/api/v1/requests?q=${filed.body.trackingNumber}`).set(clerk).expect(200)).body.items[0].id as string;
    await request(t.http).post(`/api/v1/requests/${id}/events`).set(clerk).send({ type: 'receipt_confirmed', on: '2026-06-25' }).expect(201);
    await request(t.http).post(`/api/v1/requests/${id}/events`).set(clerk).send({ type: 'correction_requested', on: '2026-06-25', correctionDueOn: '2026-07-06', note: '请写明地块位置' }).expect(201);
    t.clock.setNow('2026-07-20T02:00:00Z');
    const lapsedFor = async (code: string) => {
      const agency = (await t.app.get(AgenciesService).byCode(code))!;
      return (await runForAgency(agency.id, () => t.app.get(RequestQueriesService).findLapsed())).map((l) => l.id);
    };
    expect(await lapsedFor('zrzy')).toContain(id);
    // Before the fix the OR of the two cases swallowed the agency condition of the first.
    expect(await lapsedFor('xzf')).not.toContain(id);
  });
});

(process.env.TEST_DATABASE_URL ? describe.skip : describe)('AGENCY_CODE and AGENCY_NAME once there are several agencies', () => {
  it('are ignored with a warning: the root keeps its code and name, and the pages’ header names the root as stored', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ogi-root-'));
    const url = `sqlite:${join(dir, 'root.sqlite')}`;
    try {
      const first = await createTestApp({ DATABASE_URL: url, AGENCY_CODE: 'xzf', AGENCY_NAME: '某县人民政府办公室' });
      await request(first.http)
        .post('/api/v1/agencies')
        .set(bearer(await first.adminToken()))
        .send({ code: 'jyj', name: '某县教育局', parent: 'xzf' })
        .expect(201);
      await first.close();
      const warnings: string[] = [];
      const logger = { log: () => undefined, error: () => undefined, warn: (m: unknown) => void warnings.push(String(m)), debug: () => undefined, verbose: () => undefined };
      const again = await createTestApp({ DATABASE_URL: url, AGENCY_CODE: 'xzfb', AGENCY_NAME: '某县人民政府办公室改名' }, { logger });
      try {
        const page = await request(again.http).get('/').expect(200);
        expect(page.text).toContain('<span class="agency">某县人民政府办公室</span>');
        expect(page.text).not.toContain('改名');
        await request(again.http).get('/a/xzf').expect(200);
        expect(warnings.some((w) => w.includes('AGENCY_CODE/AGENCY_NAME ignored'))).toBe(true);
      } finally {
        await again.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
