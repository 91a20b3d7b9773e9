import request from 'supertest';
import { createTestApp, openForm, rowCounts, TestApp, validResidentId } from './support/test-app';

function formBody(csrf: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    _csrf: csrf,
    'applicant[type]': 'natural_person',
    'applicant[name]': '王五',
    'applicant[idDocumentType]': 'resident_id',
    'applicant[idDocumentNumber]': validResidentId(),
    'applicant[phone]': '13900139000',
    'applicant[email]': '',
    'applicant[address]': '',
    description: '申请公开某路段拓宽工程的批复文件',
    'items[0][description]': '立项批复',
    'items[1][description]': '环评批复',
    'items[2][description]': '',
    deliveryMethod: 'email',
    ...extra,
  };
}

async function signIn(t: TestApp) {
  const agent = request.agent(t.http);
  const { csrf } = await openForm(agent, '/staff/login');
  const res = await agent
    .post('/staff/login')
    .type('form')
    .send({ _csrf: csrf, ...(await t.clerk()), next: '/staff' })
    .expect(303);
  expect(res.headers.location).toBe('/staff');
  const cookie = String(res.headers['set-cookie']);
  expect(cookie).toMatch(/ogi_session=[^;]+;.*HttpOnly/i);
  expect(cookie).toMatch(/SameSite=Lax/i);
  return agent;
}

describe('Intake through the HTML pages', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
    t.clock.setNow('2026-06-15T02:00:00Z');
  });
  afterAll(() => t.close());

  it('serves the citizen form with every Art. 29 field and the six applicant types explained', async () => {
    const res = await request(t.http).get('/').expect(200);
    for (const label of ['自然人', '商业企业', '科研机构', '社会公益组织', '法律服务机构', '其他', '身份证明号码', '联系电话', '电子邮箱', '通信地址', '获取信息的方式', '特征性描述']) {
      expect(res.text).toContain(label);
    }
    expect(res.text).toContain('律师事务所');
    expect(res.headers['content-security-policy']).toContain("script-src 'self'");
  });

  it('refuses a form post without the CSRF token', async () => {
    const before = await rowCounts(t);
    await request(t.http).post('/apply').type('form').send(formBody('forged')).expect(403);
    expect(await rowCounts(t)).toEqual(before);
  });

  it('re-renders with Chinese messages next to the fields and keeps what was typed', async () => {
    const agent = request.agent(t.http);
    const { csrf } = await openForm(agent, '/');
    const before = await rowCounts(t);
    const res = await agent
      .post('/apply')
      .type('form')
      .send(formBody(csrf, { 'applicant[idDocumentNumber]': '110105194912310021', 'applicant[email]': 'bad@', description: '保留的描述<script>alert(1)</script>' }))
      .expect(400);
    expect(res.text).toContain('居民身份证号码无效');
    expect(res.text).toContain('电子邮箱格式无效');
    expect(res.text).toContain('value="王五"');
    expect(res.text).toContain('保留的描述&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(res.text).not.toContain('<script>alert(1)');
    expect(await rowCounts(t)).toEqual(before);
  });

  it('files, shows tracking number and access code, and a double-click creates one request', async () => {
    const agent = request.agent(t.http);
    const { csrf, submissionToken } = await openForm(agent, '/');
    expect(submissionToken).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/); // a random UUID
    const before = await t.count('information_request');
    const send = () =>
      agent
        .post('/apply')
        .type('form')
        .send({ ...formBody(csrf), submissionToken: submissionToken! });
    const [first, second] = await Promise.all([send(), send()]);
    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    const tracking = /id="tracking-number">([^<]+)</.exec(first.text)?.[1];
    const code = /id="access-code">([^<]+)</.exec(first.text)?.[1];
    expect(tracking).toMatch(/^2026-\d{6}$/);
    expect(code).toMatch(/^[A-Z2-9]{8}$/);
    expect(/id="tracking-number">([^<]+)</.exec(second.text)?.[1]).toBe(tracking);
    expect(first.text).toContain('确认之日为收到申请之日');
    expect(await t.count('information_request')).toBe(before + 1);
    const items = await t.dataSource.query(`SELECT r.description FROM request_item r JOIN information_request q ON q.id = r.request_id WHERE q.tracking_number = '${tracking}' ORDER BY r.position`);
    expect(items.map((i: { description: string }) => i.description)).toEqual(['立项批复', '环评批复']);

    // Status page: right code shows status only; wrong code and unknown number answer alike.
    const lookup = await openForm(agent, '/status');
    const ok = await agent.post('/status').type('form').send({ _csrf: lookup.csrf, trackingNumber: tracking, accessCode: code }).expect(200);
    expect(ok.text).toContain('待确认收到');
    expect(ok.text).not.toContain('王五');
    expect(ok.text).not.toContain('13900139000');
    const wrong = await agent.post('/status').type('form').send({ _csrf: lookup.csrf, trackingNumber: tracking, accessCode: 'WRONGCOD' }).expect(404);
    const unknown = await agent.post('/status').type('form').send({ _csrf: lookup.csrf, trackingNumber: '2026-999999', accessCode: code }).expect(404);
    const strip = (html: string) => html.replace(/value="[^"]*"/g, '');
    expect(strip(wrong.text)).toEqual(strip(unknown.text));

    // Staff confirm it from the awaiting list with one click.
    const staff = await signIn(t);
    const awaiting = await staff.get('/staff/awaiting').expect(200);
    expect(awaiting.text).toContain(tracking);
    const id = new RegExp(`href="/staff/requests/([0-9a-f-]{36})">${tracking}<`).exec(awaiting.text)?.[1];
    const staffCsrf = /name="_csrf" value="([^"]+)"/.exec(awaiting.text)![1];
    const confirmed = await staff.post(`/staff/requests/${id}/events`).type('form').send({ _csrf: staffCsrf, type: 'receipt_confirmed', back: 'awaiting', on: '2026-06-15' }).expect(303);
    expect(confirmed.headers.location).toBe(`/staff/awaiting?done=receipt_confirmed&request=${id}`);
    // The list confirms the step with the stored number and the deadline it now runs to.
    const back = await staff.get(confirmed.headers.location).expect(200);
    expect(back.text).toContain(`申请 ${tracking}：已确认收到，答复期限为 2026年7月14日。`);
    const after = await agent.post('/status').type('form').send({ _csrf: lookup.csrf, trackingNumber: tracking, accessCode: code }).expect(200);
    expect(after.text).toContain('办理中');
    expect(after.text).toContain('2026-07-14');
  });

  it('sends anonymous visitors of the staff console to sign-in, and rejects a wrong password', async () => {
    const res = await request(t.http).get('/staff/requests').expect(303);
    expect(res.headers.location).toBe('/staff/login?next=%2Fstaff%2Frequests');
    const agent = request.agent(t.http);
    const { csrf } = await openForm(agent, '/staff/login');
    const bad = await agent.post('/staff/login').type('form').send({ _csrf: csrf, username: 'admin', password: 'wrong' }).expect(401);
    expect(bad.text).toContain('用户名或密码错误');
  });

  it.each([
    ['in_person', '2025-09-26', '2025-10-30'],
    ['mail', '2025-01-20', '2025-02-21'],
    ['ordinary_mail', '2025-12-31', '2026-01-29'],
    ['fax', '2024-03-09', '2024-04-08'],
  ])('staff register a %s request received %s (due %s) and see its timeline', async (channel, receivedOn, dueOn) => {
    const staff = await signIn(t);
    const { csrf, submissionToken, html } = await openForm(staff, '/staff/requests/new');
    expect(html).toContain('确认之日为收到申请之日');
    expect(html).toContain('以行政机关签收之日为收到申请之日');
    const res = await staff
      .post('/staff/requests')
      .type('form')
      .send({ ...formBody(csrf), submissionToken: submissionToken!, channel, receivedOn })
      .expect(303);
    const detail = await staff.get(res.headers.location).expect(200);
    expect(detail.text).toContain('申请已登记');
    expect(detail.text).toContain(dueOn);
    expect(detail.text).toContain('登记收到申请');
    expect(detail.text).toContain(validResidentId());
    const list = await staff.get('/staff/requests').expect(200);
    expect(list.text).not.toContain(validResidentId());
    expect(list.text).toContain('****002X');
  });

  it('staff registration refuses a future receipt date and keeps the form', async () => {
    const staff = await signIn(t);
    const { csrf } = await openForm(staff, '/staff/requests/new');
    const before = await rowCounts(t);
    const res = await staff
      .post('/staff/requests')
      .type('form')
      .send({ ...formBody(csrf), channel: 'in_person', receivedOn: '2030-01-01' })
      .expect(422);
    expect(res.text).toContain('不能是未来日期');
    expect(res.text).toContain('value="2030-01-01"');
    expect(await rowCounts(t)).toEqual(before);
  });

  it('signs out', async () => {
    const staff = await signIn(t);
    const page = await staff.get('/staff').expect(200);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.text)![1];
    await staff.post('/staff/logout').type('form').send({ _csrf: csrf }).expect(303);
    await staff.get('/staff').expect(303);
  });
});
