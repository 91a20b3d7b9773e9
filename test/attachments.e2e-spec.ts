import request from 'supertest';
import { applicant, Auth, bearer, Desk, staffWithToken } from './support/builders';
import { binary, pdfBytes, PNG_BYTES, sha256 } from './support/files';
import { createTestApp, TestApp } from './support/test-app';

/** Issue 18: the reply and released files, uploaded by staff and downloaded by the applicant with the access code. */
describe('Attachments: upload, list, download, delivery, withdrawal', () => {
  let t: TestApp;
  let clerk: Auth;
  let desk: Desk;

  beforeAll(async () => {
    t = await createTestApp();
    clerk = bearer(await t.token());
    desk = new Desk(t, clerk, { applicant: applicant('natural_person', '秦下载', { email: 'qin@example.com' }), description: '申请公开某道路改造工程的批复文件' });
  }, 60_000);
  afterAll(() => t.close());

  /** A request filed online, received and answered today: the applicant holds its number and code. */
  async function answered(): Promise<{ id: string; trackingNumber: string; accessCode: string }> {
    const filed = await desk.file();
    await desk.step(filed.id, { type: 'receipt_confirmed', on: '2026-06-15' }).expect(201);
    await desk.step(filed.id, { type: 'decided', on: '2026-06-15', outcome: 'granted' }).expect(201);
    return filed;
  }

  const upload = (id: string, file: Buffer, name: string, fields: Record<string, string> = {}, auth: Auth = clerk) => {
    let req = request(t.http).post(`/api/v1/requests/${id}/attachments`).set(auth);
    for (const [k, v] of Object.entries({ kind: 'reply', visibleToApplicant: 'true', title: '政府信息公开申请答复告知书', ...fields })) req = req.field(k, v);
    return req.attach('file', file, name);
  };
  const publicList = (trackingNumber: string, code: string) => request(t.http).get(`/api/v1/public/requests/${trackingNumber}/attachments`).set('X-Access-Code', code);
  const publicGet = (trackingNumber: string, code: string, attachmentId: string) =>
    request(t.http).get(`/api/v1/public/requests/${trackingNumber}/attachments/${attachmentId}`).set('X-Access-Code', code).buffer(true).parse(binary);
  const deliveries = async (id: string) => (await desk.detail(id)).events.filter((e: { type: string }) => e.type === 'delivered');

  it('stores an upload with its size and SHA-256, lists it for staff and gives the applicant the same bytes; the first download of the reply records delivery once', async () => {
    const r = await answered();
    const reply = pdfBytes(700_000, 'reply');
    const up = await upload(r.id, reply, '答复告知书（盖章）.pdf').expect(201);
    expect(up.body).toEqual({ id: expect.any(String), title: '政府信息公开申请答复告知书', kind: 'reply', size: reply.length, sha256: sha256(reply), contentType: 'application/pdf' });
    // 700 KB in 256 KB chunks: three rows.
    expect(Number((await t.dataSource.query(`SELECT COUNT(*) AS n FROM attachment_chunk WHERE attachment_id = '${up.body.id}'`))[0].n)).toBe(3);

    const listed = await publicList(r.trackingNumber, r.accessCode).expect(200);
    expect(listed.body.items).toEqual([
      expect.objectContaining({ id: up.body.id, title: '政府信息公开申请答复告知书', kind: 'reply', size: reply.length, sha256: sha256(reply), fileName: '答复告知书（盖章）.pdf' }),
    ]);
    expect(JSON.stringify(listed.body)).not.toMatch(/uploadedBy|办事员/);

    expect(await deliveries(r.id)).toEqual([]);
    const got = await publicGet(r.trackingNumber, r.accessCode, up.body.id).expect(200);
    expect(sha256(got.body as Buffer)).toBe(sha256(reply));
    expect(got.headers['content-type']).toBe('application/pdf');
    expect(got.headers['content-disposition']).toBe(`attachment; filename="attachment.pdf"; filename*=UTF-8''${encodeURIComponent('答复告知书（盖章）.pdf')}`);
    expect(got.headers['x-content-type-options']).toBe('nosniff');
    expect(await deliveries(r.id)).toEqual([expect.objectContaining({ on: '2026-06-15', actor: '申请人（网上下载）', data: expect.objectContaining({ method: 'online' }) })]);
    const detail = await desk.detail(r.id);
    expect(detail.deliveries).toEqual([expect.objectContaining({ on: '2026-06-15', method: 'online' })]);

    // Again: logged, but delivered only once.
    await publicGet(r.trackingNumber, r.accessCode, up.body.id).expect(200);
    expect(await deliveries(r.id)).toHaveLength(1);
    const staffList = await request(t.http).get(`/api/v1/requests/${r.id}/attachments`).set(clerk).expect(200);
    expect(staffList.body.items).toEqual([
      expect.objectContaining({
        id: up.body.id,
        status: 'active',
        uploadedBy: '办事员',
        visibleToApplicant: true,
        canWithdraw: false,
        downloads: [expect.objectContaining({ via: 'online', by: '申请人' }), expect.objectContaining({ via: 'online' })],
      }),
    ]);
    // The upload is on the timeline too.
    expect(detail.events.map((e: { type: string }) => e.type)).toEqual(expect.arrayContaining(['attachment_added', 'delivered']));
  });

  it('answers a wrong code, another request’s file and a hidden file with 404, exactly like an unknown number', async () => {
    const r = await answered();
    const other = await answered();
    const visible = (await upload(r.id, pdfBytes(2000), 'a.pdf').expect(201)).body.id as string;
    const hidden = (await upload(r.id, pdfBytes(2000), 'b.pdf', { kind: 'internal', visibleToApplicant: 'false' }).expect(201)).body.id as string;
    const foreign = (await upload(other.id, pdfBytes(2000), 'c.pdf').expect(201)).body.id as string;
    const wrong = await publicList(r.trackingNumber, 'WRONGCODE').expect(404);
    expect(wrong.body).toEqual({ error: { code: 'NOT_FOUND', message: '未找到该申请，请核对申请编号和查询码。', fields: {} } });
    await publicList(r.trackingNumber, '').expect(404);
    await publicGet(r.trackingNumber, 'WRONGCODE', visible).expect(404);
    await publicGet(r.trackingNumber, r.accessCode, hidden).expect(404);
    await publicGet(r.trackingNumber, r.accessCode, foreign).expect(404);
    await request(t.http).get(`/api/v1/requests/${r.id}/attachments/${foreign}`).set(clerk).expect(404);
    expect((await publicList(r.trackingNumber, r.accessCode).expect(200)).body.items.map((i: { id: string }) => i.id)).toEqual([visible]);
    // Nothing was delivered by the refused attempts.
    expect(Number((await t.dataSource.query(`SELECT COUNT(*) AS n FROM attachment_download WHERE request_id = '${r.id}'`))[0].n)).toBe(0);
    expect(await deliveries(r.id)).toEqual([]);
  });

  it('shows the applicant nothing before the request is answered', async () => {
    const filed = await desk.file();
    await desk.step(filed.id, { type: 'receipt_confirmed', on: '2026-06-15' }).expect(201);
    const id = (await upload(filed.id, pdfBytes(1000), 'draft.pdf').expect(201)).body.id as string;
    expect((await publicList(filed.trackingNumber, filed.accessCode).expect(200)).body.items).toEqual([]);
    await publicGet(filed.trackingNumber, filed.accessCode, id).expect(404);
  });

  it('withdraws a file uploaded by mistake before it was downloaded (kept on the timeline, bytes gone), and refuses after a download with 409', async () => {
    const r = await answered();
    const mistake = (await upload(r.id, PNG_BYTES, '别人的材料.png', { kind: 'released', title: '误传' }).expect(201)).body.id as string;
    const staffDownload = await request(t.http).get(`/api/v1/requests/${r.id}/attachments/${mistake}`).set(clerk).buffer(true).parse(binary).expect(200);
    expect(sha256(staffDownload.body as Buffer)).toBe(sha256(PNG_BYTES));
    const withdrawn = await request(t.http).delete(`/api/v1/requests/${r.id}/attachments/${mistake}`).set(clerk).expect(200);
    expect(withdrawn.body).toMatchObject({ id: mistake, status: 'withdrawn', withdrawnBy: '办事员', downloads: [expect.objectContaining({ via: 'staff', by: '办事员' })] });
    expect(Number((await t.dataSource.query(`SELECT COUNT(*) AS n FROM attachment_chunk WHERE attachment_id = '${mistake}'`))[0].n)).toBe(0);
    expect((await desk.detail(r.id)).events.at(-1)).toMatchObject({ type: 'attachment_withdrawn', data: { attachmentId: mistake, title: '误传' } });
    await publicGet(r.trackingNumber, r.accessCode, mistake).expect(404);
    await request(t.http).delete(`/api/v1/requests/${r.id}/attachments/${mistake}`).set(clerk).expect(409);

    const reply = (await upload(r.id, pdfBytes(3000), 'reply.pdf').expect(201)).body.id as string;
    await publicGet(r.trackingNumber, r.accessCode, reply).expect(200);
    const refused = await request(t.http).delete(`/api/v1/requests/${r.id}/attachments/${reply}`).set(clerk).expect(409);
    expect(refused.body.error.message).toContain('申请人已经下载');
    // The replay of the request is undisturbed by the informational events.
    expect((await desk.detail(r.id)).status).toBe('concluded');
  });

  it('needs the permission that records a reply to upload or withdraw, and requests.view to list', async () => {
    const r = await answered();
    const reporter = await staffWithToken(t, 'report_only', ['report_officer'], '报表员');
    await upload(r.id, pdfBytes(1000), 'x.pdf', {}, reporter.auth).expect(403);
    await request(t.http).get(`/api/v1/requests/${r.id}/attachments`).set(reporter.auth).expect(200);
    await request(t.http).get(`/api/v1/requests/${r.id}/attachments`).expect(401);
    await request(t.http).post(`/api/v1/requests/${r.id}/attachments`).attach('file', pdfBytes(100), 'x.pdf').expect(401);
    expect(await t.count('attachment')).toBeGreaterThan(0);
    expect(Number((await t.dataSource.query(`SELECT COUNT(*) AS n FROM attachment WHERE request_id = '${r.id}'`))[0].n)).toBe(0);
  });

  it('accepts an Idempotency-Key: the same file and fields again answer as the first time and store nothing; another file under the key is 409', async () => {
    const r = await answered();
    const send = (file: Buffer) => upload(r.id, file, 'once.pdf').set('Idempotency-Key', `up-${r.id}`);
    const first = await send(pdfBytes(5000, 'once')).expect(201);
    const before = { attachments: await t.count('attachment'), chunks: await t.count('attachment_chunk') };
    expect((await send(pdfBytes(5000, 'once')).expect(201)).body).toEqual(first.body);
    await send(pdfBytes(5000, 'other')).expect(409);
    expect({ attachments: await t.count('attachment'), chunks: await t.count('attachment_chunk') }).toEqual(before);
  });
});
