import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { MailWorker } from '../src/notifications/mail-worker';
import { bearer, Desk } from './support/builders';
import { SmtpSink } from './support/smtp-sink';
import { createTestApp, TEST_START, TestApp, validResidentId } from './support/test-app';

const filing = (email: string) => ({
  applicant: { type: 'natural_person', name: '赵六', idDocumentNumber: validResidentId(), email },
  description: '申请公开本机关2025年部门预算',
});

describe('E-mail through the outbox', () => {
  describe('with SMTP', () => {
    let t: TestApp;
    let sink: SmtpSink;

    beforeAll(async () => {
      sink = new SmtpSink(await SmtpSink.freePort());
      t = await createTestApp({ SMTP_URL: sink.url, MAIL_FROM: 'OGI Desk <ogi@agency.test>', AGENCY_NAME: '测试区人民政府办公室' });
    });
    afterAll(async () => {
      await t.close();
      await sink.stop();
    });

    it('keeps the message while the SMTP server is down and delivers it once it is back', async () => {
      const filed = await request(t.http).post('/api/v1/public/requests').send(filing('down@example.com')).expect(201);
      const worker = t.app.get(MailWorker);

      expect(await worker.runOnce()).toBe(0);
      const [pending] = await t.dataSource.query(`SELECT status, attempts, last_error FROM mail_outbox WHERE recipient = 'down@example.com'`);
      expect(pending).toMatchObject({ status: 'pending' });
      expect(Number(pending.attempts)).toBe(1);
      expect(pending.last_error).toMatch(/ECONNREFUSED|connect/i);

      await sink.start();
      expect(await worker.runOnce()).toBe(0); // backoff not yet elapsed
      t.clock.advance(6_000);
      expect(await worker.runOnce()).toBe(1);
      expect(await worker.runOnce()).toBe(0); // sent exactly once

      expect(sink.messages).toHaveLength(1);
      const mail = sink.messages[0];
      expect(mail.subject).toContain(filed.body.trackingNumber);
      expect(mail.subject).toContain('测试区人民政府办公室');
      expect(mail.text).toContain(filed.body.accessCode);
      expect(mail.text).toContain('双方确认之日为收到申请之日');
      expect(mail.text).toMatch(/已收到您于\d{4}年\d{1,2}月\d{1,2}日在网上提交/);
      expect(mail.html).toContain(filed.body.accessCode);
      expect(mail.from?.text).toContain('ogi@agency.test');
      const [sent] = await t.dataSource.query(`SELECT status, sent_at FROM mail_outbox WHERE recipient = 'down@example.com'`);
      expect(sent.status).toBe('sent');
      // Sent at the clock's time: after the test app's start instant, not later than now.
      expect(Date.parse(sent.sent_at)).toBeGreaterThanOrEqual(Date.parse(TEST_START));
      expect(Date.parse(sent.sent_at)).toBeLessThanOrEqual(t.clock.now().getTime());
    });

    it('sends a receipt notice when staff confirm, with the receipt and due dates', async () => {
      t.clock.setNow('2026-06-15T02:00:00Z');
      const desk = new Desk(t, bearer(await t.token()));
      const { id } = await desk.file(filing('confirm@example.com'));
      await desk.step(id, { type: 'receipt_confirmed', on: '2026-06-15' }).expect(201);
      sink.messages.length = 0;
      while ((await t.app.get(MailWorker).runOnce()) > 0);
      const subjects = sink.messages.map((m) => m.subject);
      expect(subjects).toEqual(expect.arrayContaining([expect.stringContaining('已收到您在网上提交'), expect.stringContaining('登记回执')]));
      const notice = sink.messages.find((m) => m.subject?.includes('登记回执'))!;
      expect(notice.to && 'text' in notice.to ? notice.to.text : '').toContain('confirm@example.com');
      expect(notice.text).toContain('收到申请之日为2026年6月15日');
      expect(notice.text).toContain('（即2026年7月14日前）');
      expect(notice.text).not.toContain('暂定');
    });

    it('writes nothing to the outbox when the request is refused', async () => {
      const before = await t.count('mail_outbox');
      await request(t.http)
        .post('/api/v1/public/requests')
        .send({ ...filing('x@example.com'), description: '' })
        .expect(400);
      expect(await t.count('mail_outbox')).toBe(before);
    });
  });

  describe('without SMTP_URL', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await createTestApp();
    });
    afterAll(() => t.close());

    it('writes each message as an .eml file under data/mail', async () => {
      const filed = await request(t.http).post('/api/v1/public/requests').send(filing('file@example.com')).expect(201);
      expect(await t.app.get(MailWorker).runOnce()).toBe(1);
      const dir = join(t.dir, 'mail');
      const files = readdirSync(dir).filter((f) => f.endsWith('.eml'));
      expect(files).toHaveLength(1);
      const eml = readFileSync(join(dir, files[0]), 'utf8');
      expect(eml).toContain('To: file@example.com');
      expect(eml).toMatch(/Subject: /);
      expect(eml.length).toBeGreaterThan(200);
      expect(filed.body.trackingNumber).toBe('2026-000001'); // the first request of a fresh database, in the clock's year
    });
  });
});
