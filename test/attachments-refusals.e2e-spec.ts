import request from 'supertest';
import { applicant, Auth, bearer, Desk } from './support/builders';
import { EXE_BYTES, pdfBytes, PNG_BYTES, zipBomb, zipBytes } from './support/files';
import { createRoleUsers } from './support/roles';
import { createTestApp, openForm, TestApp } from './support/test-app';

const MB = 1024 * 1024;

/** Issue 18, bad input: each refused with a clear Chinese message, nothing stored. */
describe('Attachments: limits and refused files', () => {
  let t: TestApp;
  let clerk: Auth;
  let desk: Desk;

  beforeAll(async () => {
    t = await createTestApp({ ATTACHMENT_MAX_FILE_MB: '1', ATTACHMENT_MAX_REQUEST_MB: '2' });
    clerk = bearer(await t.token());
    desk = new Desk(t, clerk, { applicant: applicant('natural_person', '魏限额'), description: '申请公开某项目环评报告' });
  }, 60_000);
  afterAll(() => t.close());

  const upload = (id: string, file: Buffer, name: string, fields: Record<string, string> = {}) => {
    let req = request(t.http).post(`/api/v1/requests/${id}/attachments`).set(clerk);
    for (const [k, v] of Object.entries({ kind: 'released', visibleToApplicant: 'true', title: '公开文件', ...fields })) req = req.field(k, v);
    return req.attach('file', file, name);
  };
  /** A multipart body written out here, so the file name reaches the server exactly as given (clients strip paths). */
  const rawUpload = (id: string, file: Buffer, name: string) => {
    const part = (headers: string, body: Buffer | string) => Buffer.concat([Buffer.from(`--B0UNDARY\r\n${headers}\r\n\r\n`), Buffer.from(body), Buffer.from('\r\n')]);
    const body = Buffer.concat([
      part('Content-Disposition: form-data; name="kind"', 'released'),
      part('Content-Disposition: form-data; name="visibleToApplicant"', 'true'),
      // A control character travels percent-encoded (RFC 5987), as a header cannot hold it raw.
      part(`Content-Disposition: form-data; name="file"; ${/[\p{Cc}]/u.test(name) ? `filename*=UTF-8''${encodeURIComponent(name)}` : `filename="${name}"`}\r\nContent-Type: application/pdf`, file),
      Buffer.from('--B0UNDARY--\r\n'),
    ]);
    return request(t.http).post(`/api/v1/requests/${id}/attachments`).set(clerk).set('Content-Type', 'multipart/form-data; boundary=B0UNDARY').send(body);
  };
  const stored = async () => ({ attachments: await t.count('attachment'), chunks: await t.count('attachment_chunk') });

  it.each([
    ['an empty file', Buffer.alloc(0), 'empty.pdf', 400, '文件是空的'],
    ['a program renamed .pdf', EXE_BYTES, '答复告知书.pdf', 400, '不能上传可执行程序'],
    ['a shell script renamed .pdf', Buffer.from('#!/bin/sh\necho pwned\n'), 'reply.pdf', 400, '不能上传可执行程序'],
    ['a PNG named .pdf', PNG_BYTES, 'scan.pdf', 400, '文件内容与扩展名“.pdf”不符'],
    ['plain text', Buffer.from('just some text'), 'notes.txt', 400, '无法识别该文件的类型'],
    ['a ZIP bomb declared as a ZIP', zipBomb(), 'files.zip', 400, '疑似压缩炸弹'],
    ['a name with ../', pdfBytes(1000), '../../etc/reply.pdf', 400, '不能含有“..”'],
    ['a name with a control character', pdfBytes(1000), 'reply\u0007.pdf', 400, '控制字符'],
    ['a file over the per-file limit', pdfBytes(MB + 10), 'big.pdf', 413, '单个文件不能超过 1 MB（设置项 ATTACHMENT_MAX_FILE_MB）'],
  ])('refuses %s and keeps nothing', async (_what, bytes, name, status, message) => {
    const r = await desk.register('2026-06-10');
    const before = await stored();
    const events = (await desk.detail(r.id)).events.length;
    const res = await rawUpload(r.id, bytes, name).expect(status);
    expect(res.body.error.message).toContain(message);
    expect(res.body.error.code).toBe(status === 413 ? 'PAYLOAD_TOO_LARGE' : 'VALIDATION_FAILED');
    expect(await stored()).toEqual(before);
    expect((await desk.detail(r.id)).events).toHaveLength(events);
  });

  it('accepts a file of exactly the per-file limit', async () => {
    const r = await desk.register('2026-06-10');
    expect((await upload(r.id, pdfBytes(MB), 'exact.pdf').expect(201)).body.size).toBe(MB);
  });

  it('accepts a small ordinary ZIP, read from its directory without unpacking', async () => {
    const r = await desk.register('2026-06-10');
    const zip = zipBytes([{ name: '附件一.txt', data: Buffer.from('政府信息'.repeat(50)) }]);
    expect((await upload(r.id, zip, '附件.zip').expect(201)).body).toMatchObject({ contentType: 'application/zip', size: zip.length });
  });

  it('refuses missing or wrong fields, internal papers shown to the applicant, and a body without a file', async () => {
    const r = await desk.register('2026-06-10');
    const before = await stored();
    expect((await upload(r.id, pdfBytes(500), 'a.pdf', { kind: 'other' }).expect(400)).body.error.fields).toHaveProperty('kind');
    expect((await upload(r.id, pdfBytes(500), 'a.pdf', { kind: 'internal', visibleToApplicant: 'true' }).expect(400)).body.error.fields).toEqual({ visibleToApplicant: '内部材料不能向申请人公开。' });
    expect((await upload(r.id, pdfBytes(500), 'a.pdf', { visibleToApplicant: 'yes' }).expect(400)).body.error.fields).toHaveProperty('visibleToApplicant');
    const noFile = await request(t.http).post(`/api/v1/requests/${r.id}/attachments`).set(clerk).field('kind', 'reply').field('visibleToApplicant', 'true').expect(400);
    expect(noFile.body.error.fields).toEqual({ file: '请选择要上传的文件。' });
    await request(t.http).post(`/api/v1/requests/${r.id}/attachments`).set(clerk).send({ kind: 'reply' }).expect(400);
    // A multipart body cut short.
    await request(t.http)
      .post(`/api/v1/requests/${r.id}/attachments`)
      .set(clerk)
      .set('Content-Type', 'multipart/form-data; boundary=XYZ')
      .send('--XYZ\r\nContent-Disposition: form-data; name="file"; filename="a.pdf"\r\n\r\n%PDF-1.4 cut')
      .expect(400);
    await upload('00000000-0000-4000-8000-000000000000', pdfBytes(500), 'a.pdf').expect(404);
    expect(await stored()).toEqual(before);
  });

  it('holds the per-request total: what fits is accepted, the rest refused with what room is left', async () => {
    const r = await desk.register('2026-06-10');
    await upload(r.id, pdfBytes(900 * 1024), 'one.pdf').expect(201);
    await upload(r.id, pdfBytes(900 * 1024), 'two.pdf').expect(201);
    const before = await stored();
    const third = await upload(r.id, pdfBytes(400 * 1024), 'three.pdf').expect(413);
    expect(third.body.error.message).toBe('本申请的文件合计不能超过 2 MB（设置项 ATTACHMENT_MAX_REQUEST_MB），还可上传 248 KB。未保存该文件。');
    expect(await stored()).toEqual(before);
    // A withdrawn file no longer counts.
    const items = (await request(t.http).get(`/api/v1/requests/${r.id}/attachments`).set(clerk).expect(200)).body.items;
    await request(t.http).delete(`/api/v1/requests/${r.id}/attachments/${items[0].id}`).set(clerk).expect(200);
    await upload(r.id, pdfBytes(400 * 1024), 'three.pdf').expect(201);
  });
});

describe('Attachments: retention erasure', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
  }, 60_000);
  afterAll(() => t.close());

  it('removes the reply and internal papers (they name the applicant), keeps the released information, and the report does not change', async () => {
    const users = await createRoleUsers(t);
    const handler = bearer(users.handler.token);
    const desk = new Desk(t, bearer(users.registrar.token), { applicant: applicant('natural_person', '欧阳附件'), description: '申请公开某规划文件' });
    t.clock.setNow('2014-03-10T02:00:00Z');
    const r = await desk.register('2014-03-03');
    await desk.step(r.id, { type: 'decided', on: '2014-03-10', outcome: 'granted' }, handler).expect(201);
    const put = (file: Buffer, name: string, kind: string, visible: string) =>
      request(t.http)
        .post(`/api/v1/requests/${r.id}/attachments`)
        .set(handler)
        .field('kind', kind)
        .field('visibleToApplicant', visible)
        .field('title', `${kind} 欧阳附件`)
        .attach('file', file, `${kind}-欧阳附件.pdf`)
        .expect(201);
    const reply = (await put(pdfBytes(300_000, '欧阳附件'), 'r', 'reply', 'true')).body.id;
    const internal = (await put(pdfBytes(1000), 'i', 'internal', 'false')).body.id;
    const released = (await put(pdfBytes(2000), 'p', 'released', 'true')).body.id;
    const report = async () => (await request(t.http).get('/api/v1/reports/2014/section3').set(bearer(users.report_officer.token)).expect(200)).body.rows;
    const before = await report();

    t.clock.setNow('2026-06-15T02:00:00Z');
    const { csrf } = await openForm(users.administrator.agent, '/staff/retention');
    await users.administrator.agent.post('/staff/retention').type('form').send({ _csrf: csrf }).expect(303);

    const chunks = async (id: string) => Number((await t.dataSource.query(`SELECT COUNT(*) AS n FROM attachment_chunk WHERE attachment_id = '${id}'`))[0].n);
    expect([await chunks(reply), await chunks(internal), await chunks(released)]).toEqual([0, 0, 1]);
    const items = (await request(t.http).get(`/api/v1/requests/${r.id}/attachments`).set(handler).expect(200)).body.items;
    expect(items.map((i: { status: string; title: string }) => [i.status, i.title])).toEqual([
      ['erased', '（已依保存期限清除）'],
      ['erased', '（已依保存期限清除）'],
      ['active', 'released 欧阳附件'],
    ]);
    expect(JSON.stringify(items.slice(0, 2))).not.toContain('欧阳');
    // Nor on the timeline, whose entries stay; the released file keeps its title.
    const timeline = JSON.stringify((await desk.detail(r.id)).events.filter((e: { type: string }) => e.type === 'attachment_added'));
    expect(timeline.match(/欧阳附件/g)).toEqual(['欧阳附件']);
    await request(t.http).get(`/api/v1/requests/${r.id}/attachments/${reply}`).set(handler).expect(404);
    expect(await report()).toEqual(before);
  });
});
