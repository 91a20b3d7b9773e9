import request from 'supertest';
import { MailWorker } from '../src/notifications/mail-worker';
import { applicant, bearer, Desk, signIn } from './support/builders';
import { SmtpSink } from './support/smtp-sink';
import { ADMIN, createTestApp, openForm, TestApp } from './support/test-app';

const REPORT_NAME = '2026年政府信息公开工作年度报告（第三、四部分）';

/** The file name a browser reads from Content-Disposition's filename* (RFC 5987), and the ASCII fallback. */
function fileNames(disposition: string): { utf8: string | null; ascii: string | null } {
  const star = /filename\*=UTF-8''([^;]+)/.exec(disposition)?.[1];
  return { utf8: star ? decodeURIComponent(star) : null, ascii: /filename="([^"]*)"/.exec(disposition)?.[1] ?? null };
}

describe('No English a clerk sees', () => {
  let t: TestApp;
  let sink: SmtpSink;

  beforeAll(async () => {
    sink = new SmtpSink();
    await sink.start();
    t = await createTestApp({ SMTP_URL: sink.url, AGENCY_NAME: '测试区人民政府办公室' });
    t.clock.setNow('2026-06-15T02:00:00Z');
  });
  afterAll(async () => {
    await t.close();
    await sink.stop();
  });

  it('names the export links and the exported files in Chinese, with an ASCII fallback', async () => {
    const staff = await signIn(t, await t.clerk());
    const page = await staff.get('/staff/reports/2026').expect(200);
    for (const label of ['Excel 表格', 'Word 文档', 'CSV', 'JSON']) expect(page.text).toMatch(new RegExp(`<a href="/staff/reports/2026/export/[a-z]+\\?[^"]*">${label}</a>`));
    expect(page.text).not.toMatch(/>(xlsx|docx|csv|json)<\/a>/);

    for (const type of ['xlsx', 'docx', 'csv', 'json']) {
      const res = await staff.get(`/staff/reports/2026/export/${type}`).expect(200);
      const names = fileNames(res.headers['content-disposition']);
      expect(names.utf8).toBe(`${REPORT_NAME}.${type}`);
      expect(names.ascii).toBe(`ogi-report-2026-2021.${type}`);
      expect(res.headers['content-disposition']).toMatch(/^attachment; filename="[\x20-\x7e]+"; filename\*=UTF-8''[A-Za-z0-9%._~!$&+^`|-]+$/);
    }
    const api = await request(t.http)
      .get('/api/v1/reports/2025/export/xlsx?format=2019')
      .set(bearer(await t.token()))
      .expect(200);
    expect(fileNames(api.headers['content-disposition']).utf8).toBe('2025年政府信息公开工作年度报告（第三、四部分）（2019年试行格式）.xlsx');
  });

  it('lists behind a report cell the applicant type, receipt and conclusion dates and the outcome', async () => {
    const desk = new Desk(t, bearer(await t.token()), { applicant: applicant('natural_person', '钱七'), description: '申请公开某路段改造工程预算' });
    const { id, trackingNumber } = await desk.register('2026-05-06');
    await desk.step(id, { type: 'decided', on: '2026-05-20', outcome: 'granted' }).expect(201);
    const staff = await signIn(t, await t.clerk());
    const cell = await staff.get('/staff/reports/2026/cells/granted/natural_person').expect(200);
    const row = new RegExp(`<tr><td><a href="/staff/requests/${id}">${trackingNumber}</a></td>(.*?)</tr>`).exec(cell.text)?.[1];
    expect(row).toBe('<td>自然人</td><td>2026-05-06</td><td>2026-05-20</td><td>（一） 予以公开</td>');
    expect(cell.text).not.toContain('钱七');
  });

  it('shows the holiday source, the retention period and a lock in Chinese and Beijing time', async () => {
    const admin = await signIn(t, ADMIN);
    const calendar = await admin.get('/staff/calendar?year=2025').expect(200);
    expect(calendar.text).not.toMatch(/chinese-days/i);
    expect(calendar.text).toContain('国务院办公厅关于部分节假日安排的通知（系统内置）');
    const retention = await admin.get('/staff/retention').expect(200);
    expect(retention.text).not.toContain('RETENTION_YEARS');
    expect(retention.text).toContain('保存期限：办结后 <strong>10</strong> 年');

    // The stored lock is an instant (UTC); the page says it as the clerk's clock does.
    await t.dataSource.query(`UPDATE staff_user SET locked_until = '2026-06-15T02:15:00.000Z' WHERE username = 'clerk'`);
    const accounts = await admin.get('/staff/accounts').expect(200);
    expect(accounts.text).toContain('临时锁定至 2026-06-15 10:15（北京时间）');
    await t.dataSource.query(`UPDATE staff_user SET locked_until = NULL WHERE username = 'clerk'`);
  });

  it('says a duplicate user name once', async () => {
    const admin = await signIn(t, ADMIN);
    const { csrf } = await openForm(admin, '/staff/accounts');
    const res = await admin.post('/staff/accounts').type('form').send({ _csrf: csrf, username: ADMIN.username, displayName: '重名', password: 'Another-pass-2026', roles: 'handler' }).expect(409);
    const alert = /<div class="alert alert-error"[\s\S]*?<\/div>/.exec(res.text)![0];
    expect(alert.replace(/<[^>]+>/g, '').trim()).toBe('该用户名已存在。');
  });

  it('sends mail in the agency’s name when MAIL_FROM is not set', async () => {
    await request(t.http)
      .post('/api/v1/public/requests')
      .send({ applicant: applicant('natural_person', '孙八', { email: 'sun@example.com' }), description: '申请公开本机关2025年部门预算' })
      .expect(201);
    while ((await t.app.get(MailWorker).runOnce()) > 0);
    const mail = sink.messages.find((m) => (Array.isArray(m.to) ? m.to : [m.to]).some((a) => a?.text.includes('sun@example.com')));
    expect(mail?.from?.value[0]).toEqual({ name: '测试区人民政府办公室', address: 'no-reply@localhost' });
  });
});
