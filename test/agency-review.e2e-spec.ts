import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { AgenciesService } from '../src/agencies/agencies.service';
import { AuthService } from '../src/auth/auth.service';
import { Role } from '../src/auth/roles';
import { MailOutboxEntity } from '../src/notifications/entities/mail-outbox.entity';
import { applicant, Auth, bearer, CLERK_PASSWORD, signIn } from './support/builders';
import { createTestApp, openForm, TestApp, validResidentId } from './support/test-app';

/**
 * Issue 16 review (D22): what staff of one agency could still reach of another's.
 * Tree: main ─ zx (县住建局) ─ zxa (县住房保障中心).
 */
describe('Agency isolation, review of issue 16', () => {
  let t: TestApp;
  let admin: Auth;
  const ids = { child: '', childTracking: '' };
  const token = async (username: string) => bearer((await request(t.http).post('/api/v1/auth/token').send({ username, password: CLERK_PASSWORD }).expect(200)).body.token as string);
  const account = async (username: string, roles: Role[], agency: string, email: string | null = null) => {
    const found = await t.app.get(AgenciesService).byCode(agency);
    await t.app.get(AuthService).createUser(username, `${username} 用户`, CLERK_PASSWORD, roles, email, found!.id);
    return token(username);
  };

  beforeAll(async () => {
    t = await createTestApp();
    admin = bearer(await t.adminToken());
    for (const [code, name, parent] of [
      ['zx', '某县住房和城乡建设局', 'main'],
      ['zxa', '某县住房保障中心', 'zx'],
    ])
      await request(t.http).post('/api/v1/agencies').set(admin).send({ code, name, parent }).expect(201);
    const zxaClerk = await account('zxa_clerk', ['registrar', 'handler', 'approver'], 'zxa', 'zxa-clerk@example.test');
    const registered = await request(t.http)
      .post('/api/v1/requests')
      .set(zxaClerk)
      .send({
        channel: 'in_person',
        receivedOn: '2026-03-02',
        applicant: applicant('natural_person', '下级申请人', { idDocumentNumber: validResidentId(), phone: '13900000007', email: 'applicant@example.test' }),
        description: '下级机关的申请',
      })
      .expect(201);
    ids.child = registered.body.id;
    ids.childTracking = registered.body.trackingNumber;
  }, 60_000);
  afterAll(() => t.close());

  it('an agency administrator below the root cannot change the platform calendar or run every agency’s digest', async () => {
    const zxAdmin = await account('zx_admin', ['administrator'], 'zx');
    const holidays = { holidays: ['2027-01-01', '2027-01-02', '2027-01-03'], makeUpWorkdays: [], source: '国办发明电〔2026〕99号（测试）' };
    const put = await request(t.http).put('/api/v1/calendar/2027').set(zxAdmin).send(holidays);
    expect([put.status, put.body.error?.code]).toEqual([403, 'FORBIDDEN']);
    expect((await request(t.http).delete('/api/v1/calendar/2027').set(zxAdmin)).status).toBe(403);
    expect((await request(t.http).post('/api/v1/jobs/daily-digest').set(zxAdmin)).status).toBe(403);
    expect(Number((await t.dataSource.query(`SELECT COUNT(*) AS n FROM calendar_year WHERE year = 2027`))[0].n)).toBe(0);
    // The pages alike, and the navigation does not offer them.
    const agent = await signIn(t, { username: 'zx_admin', password: CLERK_PASSWORD });
    expect((await agent.get('/staff/calendar')).status).toBe(403);
    const { csrf } = await openForm(agent, '/staff/password');
    expect((await agent.post('/staff/calendar/2027/reset').type('form').send({ _csrf: csrf })).status).toBe(403);
    expect((await agent.get('/staff/accounts').expect(200)).text).not.toContain('href="/staff/calendar"');
    // The root agency's administrator still may.
    await request(t.http).put('/api/v1/calendar/2027').set(admin).send(holidays).expect(200);
    await request(t.http).delete('/api/v1/calendar/2027').set(admin).expect(200);
  });

  it('an agency administrator below the root has no 督办 view or note (a node’s 督办 is its supervisor’s); a supervisor there has', async () => {
    const zxBoss = await account('zx_boss', ['administrator'], 'zx');
    expect((await request(t.http).get('/api/v1/agencies/zx/supervision').set(zxBoss)).status).toBe(403);
    expect((await request(t.http).post(`/api/v1/agencies/zxa/requests/${ids.child}/supervision-notes`).set(zxBoss).send({ text: '请加快办理' })).status).toBe(403);
    const agent = await signIn(t, { username: 'zx_boss', password: CLERK_PASSWORD });
    const accounts = (await agent.get('/staff/accounts').expect(200)).text;
    expect(accounts).not.toContain('href="/staff/supervision"');
    // The permission table on the page says so, as the README's does.
    expect(accounts).toContain('<td>✓ 仅根机关</td>');
    expect((await agent.get('/staff/supervision')).status).toBe(403);
    // A supervisor of the same agency sees its subtree's 督办; the root's administrator the platform's.
    await account('zx_sup', ['supervisor'], 'zx');
    const sup = await signIn(t, { username: 'zx_sup', password: CLERK_PASSWORD });
    expect((await sup.get('/staff/supervision').expect(200)).text).toContain('某县住房保障中心');
    await request(t.http).get('/api/v1/agencies/zx/supervision').set(admin).expect(200);
  });

  it('a supervisor who also works its own agency’s requests reads a supervised agency’s applicant masked, and leaves no access record there', async () => {
    const sup = await account('zx_sup_clerk', ['supervisor', 'registrar', 'handler'], 'zx');
    const detail = (await request(t.http).get(`/api/v1/agencies/zxa/requests/${ids.child}`).set(sup).expect(200)).body;
    expect(detail.personalDataMasked).toBe(true);
    expect(detail.applicant.idDocumentNumber).not.toMatch(/^\d{17}[\dX]$/);
    expect(detail.applicant.phone).not.toBe('13900000007');
    expect(detail.applicant.email).not.toBe('applicant@example.test');
    const agent = await signIn(t, { username: 'zx_sup_clerk', password: CLERK_PASSWORD });
    const page = await agent.get(`/staff/supervision/zxa/requests/${ids.child}`).expect(200);
    expect(page.text).not.toContain('13900000007');
    expect(page.text).not.toContain('applicant@example.test');
    expect(Number((await t.dataSource.query(`SELECT COUNT(*) AS n FROM personal_data_access WHERE request_id = '${ids.child}'`))[0].n)).toBe(0);
  });

  it('failed mail shows only to the agency whose request or staff it was for', async () => {
    const outbox = t.dataSource.getRepository(MailOutboxEntity);
    const failed = (over: Partial<MailOutboxEntity>) =>
      outbox.insert({
        id: randomUUID(),
        kind: 'notice',
        requestId: null,
        recipient: 'nobody@example.test',
        subject: '',
        textBody: 'x',
        htmlBody: 'x',
        status: 'failed',
        attempts: 2,
        nextAttemptAt: '2026-06-15T02:00:00.000Z',
        lastError: '550 mailbox unavailable',
        createdAt: '2026-06-15T02:00:00.000Z',
        ...over,
      });
    await failed({ requestId: ids.child, recipient: 'applicant@example.test', subject: `【某县住房保障中心】政府信息公开申请答复（${ids.childTracking}）` });
    await failed({ kind: 'digest', recipient: 'zxa-clerk@example.test', subject: '【某县住房保障中心】政府信息公开申请每日提醒（2026-06-15）' });
    await account('main_clerk', ['registrar', 'handler'], 'main');
    const root = await signIn(t, { username: 'main_clerk', password: CLERK_PASSWORD });
    const mail = await root.get('/staff/mail').expect(200);
    expect(mail.text).not.toContain('某县住房保障中心');
    expect((await root.get('/staff').expect(200)).text).not.toContain('封邮件被收件服务器拒绝');
    // The agency's own staff see both.
    const own = await signIn(t, { username: 'zxa_clerk', password: CLERK_PASSWORD });
    const theirs = await own.get('/staff/mail').expect(200);
    expect(theirs.text).toContain(ids.childTracking);
    expect(theirs.text).toContain('每日提醒');
    expect((await own.get('/staff').expect(200)).text).toContain('2 封邮件被收件服务器拒绝');
  });
  it('an applicant’s withdrawal after receipt names the remedies of the request’s agency, not the root’s (D16)', async () => {
    const zxaAdmin = await account('zxa_admin', ['administrator', 'registrar'], 'zxa');
    await request(t.http).put('/api/v1/settings/remedies').set(admin).send({ reviewOrgan: '某市人民政府', court: '某市中级人民法院' }).expect(200);
    await request(t.http).put('/api/v1/settings/remedies').set(zxaAdmin).send({ reviewOrgan: '某县人民政府', court: '某县人民法院' }).expect(200);
    const filed = (
      await request(t.http)
        .post('/api/v1/public/requests')
        .send({ agency: 'zxa', applicant: applicant('natural_person', '撤回申请人', { idDocumentNumber: validResidentId(), phone: '13900000006' }), description: '住房保障名单' })
        .expect(201)
    ).body;
    const id = (await request(t.http).get(`/api/v1/requests?q=${filed.trackingNumber}`).set(zxaAdmin).expect(200)).body.items[0].id;
    await request(t.http).post(`/api/v1/requests/${id}/events`).set(zxaAdmin).send({ type: 'receipt_confirmed', on: '2026-06-15' }).expect(201);
    await request(t.http).post(`/api/v1/public/requests/${filed.trackingNumber}/withdrawal`).set('X-Access-Code', filed.accessCode).expect(201);
    const events = (await request(t.http).get(`/api/v1/requests/${id}`).set(zxaAdmin).expect(200)).body.events;
    expect(events.find((e: { type: string }) => e.type === 'withdrawn').data.remedyBodies).toEqual({ reviewOrgan: '某县人民政府', court: '某县人民法院' });
    const notice = await request(t.http).get(`/api/v1/requests/${id}/notices/reply`).set(zxaAdmin).expect(200);
    expect(JSON.stringify(notice.body)).toContain('某县人民法院');
    expect(JSON.stringify(notice.body)).not.toContain('某市中级人民法院');
  });
});
