import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { MailWorker } from '../src/notifications/mail-worker';
import { applicant, Auth, bearer, Desk } from './support/builders';
import { pdfBytes, PNG_BYTES, sha256 } from './support/files';
import { SmtpSink } from './support/smtp-sink';
import { createTestApp, TestApp } from './support/test-app';

/** Issue 18: e-mail delivery of the reply and the files, recorded when the SMTP server accepts it. */
describe('Attachments: delivery by e-mail', () => {
  let t: TestApp;
  let sink: SmtpSink;
  let clerk: Auth;
  let desk: Desk;

  beforeAll(async () => {
    sink = new SmtpSink(await SmtpSink.freePort());
    t = await createTestApp({ SMTP_URL: sink.url, ATTACHMENT_MAIL_MAX_MB: '1', AGENCY_NAME: '测试区人民政府办公室' });
    clerk = bearer(await t.token());
    desk = new Desk(t, clerk, { applicant: applicant('natural_person', '邮件收件人', { email: 'reply.to@example.com' }), description: '申请公开某河道整治方案' });
    await sink.start();
  }, 60_000);
  afterAll(async () => {
    await t.close();
    await sink.stop();
  });

  const upload = (id: string, file: Buffer, name: string, kind: string, title: string) =>
    request(t.http).post(`/api/v1/requests/${id}/attachments`).set(clerk).field('kind', kind).field('visibleToApplicant', 'true').field('title', title).attach('file', file, name).expect(201);
  const drain = async () => {
    while ((await t.app.get(MailWorker).runOnce()) > 0);
  };

  it('sends the reply and the small files as attachments, names the large one with a link, and records delivery (email) once the server accepted it', async () => {
    const r = await desk.register('2026-06-10');
    await desk.step(r.id, { type: 'decided', on: '2026-06-15', outcome: 'granted' }).expect(201);
    const reply = pdfBytes(200_000, '答复');
    const photo = PNG_BYTES;
    const big = pdfBytes(1024 * 1024, '附件');
    await upload(r.id, reply, '答复告知书.pdf', 'reply', '答复告知书');
    await upload(r.id, photo, '现场照片.png', 'released', '现场照片');
    const bigId = (await upload(r.id, big, '整治方案全文.pdf', 'released', '整治方案全文')).body.id;
    await drain();
    sink.messages.length = 0;

    // The SMTP server is down: queued, nothing delivered yet.
    await sink.stop();
    const sent = await request(t.http).post(`/api/v1/requests/${r.id}/attachments/email`).set(clerk).expect(201);
    expect(sent.body.linked).toEqual([bigId]);
    expect(sent.body.attached).toHaveLength(2);
    await drain();
    expect((await desk.detail(r.id)).deliveries).toEqual([]);

    await sink.start();
    t.clock.advance(6_000);
    await drain();
    expect(sink.messages).toHaveLength(1);
    const mail = sink.messages[0];
    expect(mail.subject).toBe(`【测试区人民政府办公室】政府信息公开申请答复（${r.trackingNumber}）`);
    expect(mail.attachments.map((a) => [a.filename, a.contentType, sha256(a.content)])).toEqual([
      ['答复告知书.pdf', 'application/pdf', sha256(reply)],
      ['现场照片.png', 'image/png', sha256(photo)],
    ]);
    expect(mail.text).toContain('整治方案全文（整治方案全文.pdf，1.0 MB）');
    expect(mail.text).toContain('/status');

    const detail = await desk.detail(r.id);
    expect(detail.deliveries).toEqual([expect.objectContaining({ on: '2026-06-15', method: 'email' })]);
    const items = (await request(t.http).get(`/api/v1/requests/${r.id}/attachments`).set(clerk).expect(200)).body.items;
    expect(items.map((i: { downloads: Array<{ via: string }> }) => i.downloads.map((d) => d.via))).toEqual([['email'], ['email'], []]);
    // Sent files reached the applicant: they can no longer be withdrawn; the linked one still can.
    await request(t.http).delete(`/api/v1/requests/${r.id}/attachments/${items[0].id}`).set(clerk).expect(409);
    await request(t.http).delete(`/api/v1/requests/${r.id}/attachments/${bigId}`).set(clerk).expect(200);

    // A second mail does not record a second delivery.
    await request(t.http).post(`/api/v1/requests/${r.id}/attachments/email`).set(clerk).expect(201);
    await drain();
    expect(sink.messages).toHaveLength(2);
    expect((await desk.detail(r.id)).deliveries).toHaveLength(1);
  });

  it('refuses before conclusion, without an e-mail address, or without a reply visible to the applicant', async () => {
    const open = await desk.register('2026-06-10');
    await upload(open.id, pdfBytes(1000), 'r.pdf', 'reply', '答复');
    expect((await request(t.http).post(`/api/v1/requests/${open.id}/attachments/email`).set(clerk).expect(409)).body.error.message).toBe('申请办结后才能送达答复。');
    const noMail = await desk.register('2026-06-10', { applicant: applicant('natural_person', '无邮箱') });
    await desk.step(noMail.id, { type: 'decided', on: '2026-06-15', outcome: 'granted' }).expect(201);
    expect((await request(t.http).post(`/api/v1/requests/${noMail.id}/attachments/email`).set(clerk).expect(409)).body.error.message).toContain('没有留下电子邮箱');
    const noReply = await desk.register('2026-06-10');
    await desk.step(noReply.id, { type: 'decided', on: '2026-06-15', outcome: 'granted' }).expect(201);
    await upload(noReply.id, pdfBytes(1000), 'p.pdf', 'released', '文件');
    expect((await request(t.http).post(`/api/v1/requests/${noReply.id}/attachments/email`).set(clerk).expect(409)).body.error.message).toContain('请先上传');
  });
});

describe('Attachments: e-mail without an SMTP server', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
  }, 60_000);
  afterAll(() => t.close());

  it('writes the message with its files to data/mail but records no delivery: nothing reached the applicant', async () => {
    const clerk = bearer(await t.token());
    const desk = new Desk(t, clerk, { applicant: applicant('natural_person', '无服务器', { email: 'nosmtp@example.com' }), description: '申请公开某桥梁检测报告' });
    const r = await desk.register('2026-06-10');
    await desk.step(r.id, { type: 'decided', on: '2026-06-15', outcome: 'granted' }).expect(201);
    const reply = pdfBytes(3000, 'file-mode');
    await request(t.http).post(`/api/v1/requests/${r.id}/attachments`).set(clerk).field('kind', 'reply').field('visibleToApplicant', 'true').attach('file', reply, 'reply.pdf').expect(201);
    await request(t.http).post(`/api/v1/requests/${r.id}/attachments/email`).set(clerk).expect(201);
    while ((await t.app.get(MailWorker).runOnce()) > 0);
    const eml = readdirSync(join(t.dir, 'mail'))
      .map((f) => readFileSync(join(t.dir, 'mail', f), 'utf8'))
      .find((m) => m.includes('reply.pdf'));
    expect(eml).toContain(reply.subarray(0, 48).toString('base64').slice(0, 40));
    expect((await desk.detail(r.id)).deliveries).toEqual([]);
    expect(await t.count('attachment_download')).toBe(0);
  });
});
