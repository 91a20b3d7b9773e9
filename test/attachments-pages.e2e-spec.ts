import request from 'supertest';
import { applicant, bearer, Desk, signIn } from './support/builders';
import { EXE_BYTES, pdfBytes, sha256 } from './support/files';
import { createTestApp, openForm, TestApp } from './support/test-app';

/** Issue 18 through the HTML forms: CSRF, refusals shown as pages, withdrawal, the citizen's download by POST. */
describe('Attachments on the staff and status pages', () => {
  let t: TestApp;
  let desk: Desk;

  beforeAll(async () => {
    t = await createTestApp();
    desk = new Desk(t, bearer(await t.token()), { applicant: applicant('natural_person', '页面用户', { phone: '13700000000' }), description: '申请公开某公园改造设计方案' });
  }, 60_000);
  afterAll(() => t.close());

  it('uploads through the form with the CSRF token, refuses without it, shows a refusal as a page, and withdraws with a form', async () => {
    const r = await desk.register('2026-06-10');
    const agent = await signIn(t, await t.clerk());
    const { csrf, html } = await openForm(agent, `/staff/requests/${r.id}`);
    expect(html).toContain('答复和公开的文件');
    const form = (file: Buffer, name: string, token: string | null) => {
      let req = agent.post(`/staff/requests/${r.id}/attachments`);
      if (token) req = req.field('_csrf', token);
      return req.field('kind', 'released').field('visibleToApplicant', 'true').attach('file', file, name);
    };
    await form(pdfBytes(1000), 'a.pdf', null).expect(403);
    expect(await t.count('attachment')).toBe(0);
    const refused = await form(EXE_BYTES, 'setup.pdf', csrf).expect(400);
    expect(refused.text).toContain('不能上传可执行程序或脚本。');
    expect(refused.text).toContain(`/staff/requests/${r.id}#attachments`);
    expect(await t.count('attachment')).toBe(0);
    await form(pdfBytes(1000), '方案.pdf', csrf).expect(303).expect('Location', `/staff/requests/${r.id}?done=attachment_added#attachments`);
    const page = await agent.get(`/staff/requests/${r.id}?done=attachment_added`).expect(200);
    expect(page.text).toContain('文件已上传。');
    expect(page.text).toContain('方案.pdf');
    const id = /\/attachments\/([0-9a-f-]{36})\/withdraw/.exec(page.text)![1];
    await agent.post(`/staff/requests/${r.id}/attachments/${id}/withdraw`).type('form').send({ _csrf: csrf }).expect(303);
    const after = await agent.get(`/staff/requests/${r.id}?done=attachment_withdrawn`).expect(200);
    expect(after.text).toContain('撤回记录保留在办理记录中');
    expect(after.text).toContain('撤回误传的文件');
    expect(after.text).not.toContain(`/attachments/${id}/withdraw`);
  });

  it('documents the attachment routes in the OpenAPI page the app serves', async () => {
    const doc = (await request(t.http).get('/api/docs-json').expect(200)).body;
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/api/v1/requests/{id}/attachments',
        '/api/v1/requests/{id}/attachments/{attachmentId}',
        '/api/v1/requests/{id}/attachments/email',
        '/api/v1/public/requests/{trackingNumber}/attachments',
        '/api/v1/public/requests/{trackingNumber}/attachments/{attachmentId}',
      ]),
    );
    expect(doc.paths['/api/v1/requests/{id}/attachments'].post.requestBody.content['multipart/form-data'].schema.required).toEqual(['file', 'kind', 'visibleToApplicant']);
  });

  it('lets the citizen download from the status page by POST with the code, and answers a wrong code with the look-up page', async () => {
    const filed = await desk.file();
    await desk.step(filed.id, { type: 'receipt_confirmed', on: '2026-06-15' }).expect(201);
    await desk.step(filed.id, { type: 'decided', on: '2026-06-15', outcome: 'granted' }).expect(201);
    const reply = pdfBytes(5000, 'page');
    const id = (
      await request(t.http)
        .post(`/api/v1/requests/${filed.id}/attachments`)
        .set(bearer(await t.token()))
        .field('kind', 'reply')
        .field('visibleToApplicant', 'true')
        .attach('file', reply, 'reply.pdf')
        .expect(201)
    ).body.id;
    const citizen = request.agent(t.http);
    const { csrf } = await openForm(citizen, '/status');
    const status = await citizen.post('/status').type('form').send({ _csrf: csrf, trackingNumber: filed.trackingNumber, accessCode: filed.accessCode }).expect(200);
    expect(status.text).toContain(`action="/status/attachments/${id}"`);
    const token = /name="_csrf" value="([^"]+)"/.exec(status.text)![1];
    const wrong = await citizen.post(`/status/attachments/${id}`).type('form').send({ _csrf: token, trackingNumber: filed.trackingNumber, accessCode: 'WRONG123' }).expect(404);
    expect(wrong.text).toContain('未找到该文件');
    const got = await citizen.post(`/status/attachments/${id}`).type('form').send({ _csrf: token, trackingNumber: filed.trackingNumber, accessCode: filed.accessCode }).buffer(true).expect(200);
    expect(got.headers['content-disposition']).toBe(`attachment; filename="reply.pdf"; filename*=UTF-8''reply.pdf`);
    expect(sha256(Buffer.from(got.body as Buffer))).toBe(sha256(reply));
    expect((await desk.detail(filed.id)).deliveries).toHaveLength(1);
  });
});

describe('Attachments under the per-number look-up limit', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ RATE_LIMIT_LOOKUP_PER_NUMBER: '3' });
  }, 60_000);
  afterAll(() => t.close());

  it('counts the file list and downloads with the status look-ups of the same number: guessing codes through them is limited too', async () => {
    const desk = new Desk(t, bearer(await t.token()), { applicant: applicant('natural_person', '限流', { phone: '13600000000' }), description: '申请公开某街道办事处年度预算' });
    const filed = await desk.file();
    const n = filed.trackingNumber;
    await request(t.http).get(`/api/v1/public/requests/${n}`).set('X-Access-Code', 'GUESS001').expect(404);
    await request(t.http).get(`/api/v1/public/requests/${n}/attachments`).set('X-Access-Code', 'GUESS002').expect(404);
    await request(t.http).get(`/api/v1/public/requests/${n}/attachments/00000000-0000-4000-8000-000000000000`).set('X-Access-Code', 'GUESS003').expect(404);
    const limited = await request(t.http).get(`/api/v1/public/requests/${n}/attachments`).set('X-Access-Code', filed.accessCode).expect(429);
    expect(limited.body.error.code).toBe('RATE_LIMITED');
    await request(t.http).get(`/api/v1/public/requests/${n}`).set('X-Access-Code', filed.accessCode).expect(429);
  });
});
