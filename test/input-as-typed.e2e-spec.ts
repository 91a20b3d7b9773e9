import request from 'supertest';
import { createTestApp, openForm, TestApp, validResidentId } from './support/test-app';

type Agent = ReturnType<typeof request.agent>;

function filing(csrf: string, submissionToken: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    _csrf: csrf,
    submissionToken,
    'applicant[type]': 'natural_person',
    'applicant[name]': '王小明',
    'applicant[idDocumentNumber]': validResidentId(),
    'applicant[phone]': '138 1234 5678',
    description: '申请公开本区2025年老旧小区改造项目清单',
    deliveryMethod: 'electronic',
    ...extra,
  };
}

const tracking = (html: string) => /id="tracking-number">([^<]+)</.exec(html)?.[1] ?? null;
const code = (html: string) => /id="access-code">([^<]+)</.exec(html)?.[1] ?? null;

describe('Input as people type it (public form, look-up, API)', () => {
  let t: TestApp;
  let agent: Agent;
  let number = '';
  let access = '';
  /** The token of the first filing's form, which Back brings back with the form. */
  let firstToken = '';

  beforeAll(async () => {
    t = await createTestApp();
    t.clock.setNow('2026-06-15T02:00:00Z');
    agent = request.agent(t.http);
  });
  afterAll(() => t.close());

  it('files with full-width digits in the ID number and a phone in groups, stored normalised', async () => {
    const { csrf, submissionToken } = await openForm(agent, '/');
    const res = await agent
      .post('/apply')
      .type('form')
      .send(filing(csrf, submissionToken!, { 'applicant[idDocumentNumber]': '１１０１０５１９４９１２３１００２ｘ' }))
      .expect(201);
    firstToken = submissionToken!;
    number = tracking(res.text)!;
    access = code(res.text)!;
    expect(number).toMatch(/^2026-\d{6}$/);
    const [row] = await t.dataSource.query('SELECT id_document_number AS id, phone FROM applicant');
    expect(row).toEqual({ id: '11010519491231002X', phone: '13812345678' });
  });

  it('Back and submit again, the same filing: the receipt already issued (number and code), nothing new', async () => {
    const before = await t.count('information_request');
    const { csrf } = await openForm(agent, '/');
    // Back restores the form with its token; the phone is now typed without spaces (same filing).
    const res = await agent
      .post('/apply')
      .type('form')
      .send(filing(csrf, firstToken, { 'applicant[phone]': '13812345678', 'applicant[idDocumentNumber]': validResidentId() }))
      .expect(201);
    expect(res.text).toContain('这份申请您已经提交过，这次没有重复提交');
    expect(tracking(res.text)).toBe(number);
    expect(code(res.text)).toBe(access);
    expect(res.text).not.toContain('幂等键');
    expect(await t.count('information_request')).toBe(before);
  });

  it('Back, change the text and submit again: a plain sentence, the text kept, a new form token', async () => {
    const before = await t.count('information_request');
    const { csrf } = await openForm(agent, '/');
    const key = firstToken;
    const res = await agent
      .post('/apply')
      .type('form')
      .send(filing(csrf, key, { description: '申请公开本区2025年老旧小区改造项目资金安排' }))
      .expect(400);
    expect(res.text).toContain(`这份申请表刚才已经提交过（申请编号 ${number}），您修改后的内容没有提交`);
    expect(res.text).not.toContain('幂等键');
    expect(res.text).toContain('申请公开本区2025年老旧小区改造项目资金安排');
    const fresh = /name="submissionToken" value="([^"]+)"/.exec(res.text)![1];
    expect(fresh).not.toBe(key);
    expect(await t.count('information_request')).toBe(before);
    // Submitted again on purpose: a second application.
    await agent
      .post('/apply')
      .type('form')
      .send(filing(csrf, fresh, { description: '申请公开本区2025年老旧小区改造项目资金安排' }))
      .expect(201);
    expect(await t.count('information_request')).toBe(before + 1);
  });

  it.each([
    ['a full-width dash', (n: string) => n.replace('-', '－')],
    ['no dash', (n: string) => n.replace('-', '')],
    ['full-width digits', (n: string) => n.replace(/[0-9-]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0))],
  ])('looks the request up with the number typed with %s (form and API)', async (_label, typed) => {
    const { csrf } = await openForm(agent, '/status');
    const page = await agent
      .post('/status')
      .type('form')
      .send({ _csrf: csrf, trackingNumber: typed(number), accessCode: ` ${access.toLowerCase()} ` })
      .expect(200);
    expect(page.text).toContain(number);
    expect(page.text).toContain('待确认收到');
    const api = await request(t.http)
      .get(`/api/v1/public/requests/${encodeURIComponent(typed(number))}`)
      .set('X-Access-Code', access)
      .expect(200);
    expect(api.body.trackingNumber).toBe(number);
  });

  it('the API refuses a credit code with a wrong check character, in Chinese, and takes spaces in a phone number', async () => {
    const base = { applicant: { type: 'commercial_enterprise', name: '某某公司', organisationCode: '91110108MA01ABCD2X', phone: '0755 1234 5678' }, description: '某信息' };
    const refused = await request(t.http).post('/api/v1/public/requests').send(base);
    expect(refused.status).toBe(400);
    expect(refused.body.error.fields['applicant.organisationCode']).toBe('统一社会信用代码的校验位不正确，请核对（常见原因是抄错了一位）。');
    const ok = await request(t.http)
      .post('/api/v1/public/requests')
      .send({ ...base, applicant: { ...base.applicant, organisationCode: '９１３５０１００Ｍ０００１００Ｙ４３' } })
      .expect(201);
    const [row] = await t.dataSource.query("SELECT organisation_code AS code, phone FROM applicant WHERE name = '某某公司'");
    expect(row).toEqual({ code: '91350100M000100Y43', phone: '0755-12345678' });
    expect(ok.body.trackingNumber).toMatch(/^2026-/);
  });

  it('long text: the limit is on the form before the cut, no silent maxlength, and the server refuses in Chinese keeping the text', async () => {
    const { csrf, submissionToken, html } = await openForm(agent, '/');
    expect(html).toContain('最多 5000 字');
    expect(html).toMatch(/<textarea id="description"[^>]*data-maxlength="5000"/);
    expect(html).not.toMatch(/<textarea id="description"[^>]*\smaxlength=/);
    const long = '很长的描述'.repeat(1001);
    const res = await agent
      .post('/apply')
      .type('form')
      .send(filing(csrf, submissionToken!, { description: long }))
      .expect(400);
    expect(res.text).toContain('申请内容应为 1 到 5000 个字符');
    expect(res.text).toContain(long);
  });
});
