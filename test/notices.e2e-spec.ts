import request from 'supertest';
import { MailWorker } from '../src/notifications/mail-worker';
import { applicant, Desk } from './support/builders';
import { createRoleUsers } from './support/roles';
import { SmtpSink } from './support/smtp-sink';
import { createTestApp, openForm, TestApp, validResidentId } from './support/test-app';

type Users = Awaited<ReturnType<typeof createRoleUsers>>;

/** Notices (文书): text through the API equal to the e-mail, D16 remedies from the settings, the new kinds. */
describe('Notices', () => {
  let t: TestApp;
  let sink: SmtpSink;
  let users: Users;
  let desk: Desk;
  let handler: Desk;

  const bearer = (role: keyof Users) => ({ Authorization: `Bearer ${users[role].token}` });
  const noticeText = async (id: string, kind: string) => (await request(t.http).get(`/api/v1/requests/${id}/notices/${kind}`).set(bearer('handler')).expect(200)).body.text as string;
  const mails = async () => {
    sink.messages.length = 0;
    while ((await t.app.get(MailWorker).runOnce()) > 0);
    return sink.messages;
  };
  const mailFor = (messages: typeof sink.messages, title: string, trackingNumber: string) => messages.find((m) => m.subject?.includes(title) && m.subject?.includes(trackingNumber));
  const setRemedies = (body: Record<string, unknown>) => request(t.http).put('/api/v1/settings/remedies').set(bearer('administrator')).send(body);

  beforeAll(async () => {
    sink = new SmtpSink();
    await sink.start();
    t = await createTestApp({ SMTP_URL: sink.url, AGENCY_NAME: '测试县自然资源局' });
    // Late 2026: received dates of 2026-12 give due dates in 2027, whose calendar is not loaded (provisional).
    t.clock.setNow('2026-12-28T02:00:00Z');
    users = await createRoleUsers(t);
    desk = new Desk(t, () => bearer('registrar'), {
      applicant: applicant('natural_person', '钱七', { email: 'qian@example.com' }),
      description: '申请公开某小区规划许可证及其审批会议记录',
    });
    handler = desk.as(() => bearer('handler'));
  });
  afterAll(async () => {
    await t.close();
    await sink.stop();
  });

  describe('D16 settings: the review organ and the court', () => {
    it('are read and written through the API, validated, and written only with settings.manage', async () => {
      expect((await request(t.http).get('/api/v1/settings/remedies').set(bearer('handler')).expect(200)).body).toEqual({ reviewOrgan: null, court: null });
      const bad = await setRemedies({ reviewOrgan: '测试县人民政府', court: '测试县人民政府' }).expect(400);
      expect(bad.body.error).toMatchObject({ code: 'VALIDATION_FAILED', fields: { court: expect.stringContaining('法院') } });
      const refused = await request(t.http).put('/api/v1/settings/remedies').set(bearer('handler')).send({ court: '测试县人民法院' }).expect(403);
      expect(refused.body.error.code).toBe('FORBIDDEN');
      await request(t.http).put('/api/v1/settings/remedies').send({ court: '测试县人民法院' }).expect(401);
      expect((await setRemedies({ reviewOrgan: ' 测试县人民政府 ', court: '测试县人民法院' }).expect(200)).body).toEqual({ reviewOrgan: '测试县人民政府', court: '测试县人民法院' });
      // A missing field stays; null clears.
      expect((await setRemedies({ court: null }).expect(200)).body).toEqual({ reviewOrgan: '测试县人民政府', court: null });
      await setRemedies({ court: '测试县人民法院' }).expect(200);
    });

    it('are edited on the staff settings page, which re-renders with the errors in Chinese', async () => {
      const admin = users.administrator.agent;
      const page = await openForm(admin, '/staff/settings');
      expect(page.html).toContain('value="测试县人民政府"');
      expect(page.html).toContain('的规定先申请行政复议');
      const bad = await admin.post('/staff/settings/remedies').type('form').send({ _csrf: page.csrf, reviewOrgan: '测试县人民政府。', court: '某某' }).expect(400);
      expect(bad.text).toContain('末尾不能带标点符号');
      expect(bad.text).toContain('请填写人民法院的全称');
      expect(bad.text).toContain('value="某某"');
      await admin.post('/staff/settings/remedies').type('form').send({ _csrf: page.csrf, reviewOrgan: '测试县人民政府', court: '测试县人民法院' }).expect(303);
      expect((await admin.get('/staff/settings?saved=1').expect(200)).text).toContain('设置已保存');
      await users.handler.agent.get('/staff/settings').expect(403);
    });
  });

  describe('GET /api/v1/requests/{id}/notices/{kind}', () => {
    it('returns the reply exactly as e-mailed: every item, its ground, and review first for a 2025 decision not to disclose', async () => {
      const { id, trackingNumber } = await desk.register('2025-06-03', { items: [{ description: '某小区规划许可证' }, { description: '审批会议记录' }] });
      await handler
        .step(
          id,
          {
            type: 'decided',
            on: '2025-06-10',
            outcome: 'partially_granted',
            itemOutcomes: [
              { item: 0, outcome: 'granted' },
              { item: 1, outcome: 'withheld_process_info', reason: '会议记录属于内部讨论记录。' },
            ],
          },
          bearer('approver'),
        )
        .expect(201);
      const mail = mailFor(await mails(), '申请答复告知书', trackingNumber)!;
      const res = await request(t.http).get(`/api/v1/requests/${id}/notices/reply`).set(bearer('handler')).expect(200);
      expect(res.body).toEqual({ kind: 'reply', title: '政府信息公开申请答复告知书', text: expect.any(String) });
      expect(mail.text?.trimEnd()).toBe(res.body.text);
      const text = res.body.text as string;
      expect(text).toContain('一、某小区规划许可证：予以公开。');
      expect(text).toContain('二、审批会议记录：不予公开（属于四类过程性信息）。理由：会议记录属于内部讨论记录。依据《条例》第十六条第二款。');
      expect(text).toContain('应当依照《中华人民共和国行政复议法》第二十三条第一款第（四）项的规定先申请行政复议：自收到本告知书之日起六十日内向测试县人民政府申请行政复议');
      expect(text).toContain('十五日内向测试县人民法院提起行政诉讼');
      expect(text).toContain('2025年6月10日');
      expect(text).toContain('依据：《中华人民共和国政府信息公开条例》第三十七条、第十六条第二款');
      expect(text).not.toMatch(/\d{4}-\d{2}-\d{2}|。。|。，|暂定|undefined/);
      // The printed page carries the same paragraphs.
      const html = (await users.handler.agent.get(`/staff/requests/${id}/notices/reply`).expect(200)).text;
      for (const line of text
        .split('\n')
        .map((l) => l.trim())
        .filter(Boolean))
        expect(html).toContain(line.replace(/^依据：/, ''));
    });

    it('a reply of 2023 offers review or suit, naming the organ and the court of the settings', async () => {
      const { id } = await desk.register('2023-12-01');
      await handler.step(id, { type: 'decided', on: '2023-12-20', outcome: 'withheld_state_secret', reason: '已依法定密' }, bearer('approver')).expect(201);
      const text = await noticeText(id, 'reply');
      expect(text).toContain(
        '如对本答复不服，可以自收到本告知书之日起六十日内向测试县人民政府申请行政复议，也可以自收到本告知书之日起六个月内向测试县人民法院提起行政诉讼（《中华人民共和国行政复议法》第九条第一款、《中华人民共和国行政诉讼法》第四十六条第一款）。',
      );
      expect(text).not.toContain('的规定先申请行政复议');
      const granted = await desk.register('2025-06-03');
      await handler.step(granted.id, { type: 'decided', on: '2025-06-05', outcome: 'granted' }).expect(201);
      const later = await noticeText(granted.id, 'reply');
      expect(later).toContain('自收到本告知书之日起六十日内向测试县人民政府申请行政复议，也可以');
      expect(later).toContain('《中华人民共和国行政复议法》第二十条第一款');
      expect(later).toContain('六个月内向测试县人民法院提起行政诉讼');
    });

    it('keeps the names printed when the reply was sent, after the settings change', async () => {
      const { id } = await desk.register('2025-06-03');
      await handler.step(id, { type: 'decided', on: '2025-06-05', outcome: 'granted' }).expect(201);
      const before = await noticeText(id, 'reply');
      await setRemedies({ reviewOrgan: '另一县人民政府' }).expect(200);
      expect(await noticeText(id, 'reply')).toBe(before);
      await setRemedies({ reviewOrgan: '测试县人民政府' }).expect(200);
    });

    it('404 for a notice not issued yet or an unknown kind, 401 without a token', async () => {
      const { id } = await desk.register('2025-06-03');
      const missing = await request(t.http).get(`/api/v1/requests/${id}/notices/fee`).set(bearer('handler')).expect(404);
      expect(missing.body.error).toMatchObject({ code: 'NOT_FOUND', message: expect.stringContaining('文书') });
      await request(t.http).get(`/api/v1/requests/${id}/notices/reply`).set(bearer('handler')).expect(404);
      await request(t.http).get(`/api/v1/requests/${id}/notices/bogus`).set(bearer('handler')).expect(404);
      await request(t.http).get('/api/v1/requests/00000000-0000-4000-8000-000000000000/notices/receipt').set(bearer('handler')).expect(404);
      const anon = await request(t.http).get(`/api/v1/requests/${id}/notices/receipt`).expect(401);
      expect(anon.body.error.code).toBe('UNAUTHORIZED');
      expect(await noticeText(id, 'receipt')).toContain('收到申请之日为2025年6月3日');
    });

    it('the receipt e-mail is the receipt notice, with no provisional date (2027 is not loaded)', async () => {
      const { id, trackingNumber } = await desk.register('2026-12-21');
      const mail = mailFor(await mails(), '登记回执', trackingNumber)!;
      const text = await noticeText(id, 'receipt');
      expect(mail.text?.startsWith(text)).toBe(true);
      expect(text).toContain('本机关将自收到申请之日起20个工作日内予以答复；');
      expect(mail.text).not.toMatch(/暂定|2027/);
    });

    it('D18: the fee notice states the payment window and its last day', async () => {
      const { id } = await desk.register('2025-03-03');
      await handler.step(id, { type: 'fee_notice_issued', on: '2025-03-10', amountYuan: 100, deliveredOn: '2025-03-14' }).expect(201);
      expect(await noticeText(id, 'fee')).toContain('请自您收到本通知次日起20个工作日内（即2025年4月14日前）缴纳');
    });

    it('D21: a not-held reply names the agency that holds the information', async () => {
      const { id } = await desk.register('2025-06-03');
      await handler.step(id, { type: 'decided', on: '2025-06-06', outcome: 'unable_not_held', referTo: { agency: '测试县住房和城乡建设局', contact: '0000-7654321' } }).expect(201);
      expect(await noticeText(id, 'reply')).toContain('该政府信息由测试县住房和城乡建设局掌握，联系方式：0000-7654321，您可以向其提出申请。');
    });

    it('Art. 36(六): a repeat request refers to the earlier reply by its number', async () => {
      const first = await desk.register('2025-05-06');
      await handler.step(first.id, { type: 'decided', on: '2025-05-09', outcome: 'granted' }).expect(201);
      const second = await desk.register('2025-06-03');
      const wrong = await handler.step(second.id, { type: 'decided', on: '2025-06-06', outcome: 'granted', repeatOf: first.trackingNumber }).expect(400);
      expect(wrong.body.error.fields.repeatOf).toContain('重复申请');
      await handler.step(second.id, { type: 'decided', on: '2025-06-06', outcome: 'not_processed_repeat', repeatOf: 'nope' }).expect(400);
      await handler.step(second.id, { type: 'decided', on: '2025-06-06', outcome: 'not_processed_repeat', repeatOf: first.trackingNumber }).expect(201);
      const text = await noticeText(second.id, 'reply');
      expect(text).toContain(`本机关已于2025年5月9日就您申请公开的相同政府信息作出答复（申请编号：${first.trackingNumber}）`);
      expect(text).toContain('本机关不予重复处理');
      // The same through the form on the request page.
      const third = await desk.register('2025-06-03');
      const form = await openForm(users.handler.agent, `/staff/requests/${third.id}`);
      expect(form.html).toContain('name="repeatOf"');
      await users.handler.agent
        .post(`/staff/requests/${third.id}/events`)
        .type('form')
        .send({ _csrf: form.csrf, type: 'decided', on: '2025-06-06', outcome: 'not_processed_repeat', repeatOf: first.trackingNumber, reason: '' })
        .expect(303);
      expect(await noticeText(third.id, 'reply')).toContain(`（申请编号：${first.trackingNumber}）`);
    });
  });

  describe('the new notices', () => {
    it('Art. 35: the reasons notice is e-mailed, printable and listed on the request page', async () => {
      const { id, trackingNumber } = await desk.register('2025-06-03');
      await handler.step(id, { type: 'reasons_requested', on: '2025-06-05', note: '请说明一个月内申请300件的用途' }).expect(201);
      const mail = mailFor(await mails(), '说明理由通知书', trackingNumber)!;
      const text = await noticeText(id, 'reasons');
      expect(mail.text?.trimEnd()).toBe(text);
      expect(text).toContain('要求说明理由不中止答复期限');
      const page = (await users.handler.agent.get(`/staff/requests/${id}`).expect(200)).text;
      expect(page).toContain(`/staff/requests/${id}/notices/reasons`);
      expect((await users.handler.agent.get(`/staff/requests/${id}/notices/reasons`).expect(200)).text).toContain('说明理由通知书');
    });

    it('D17: after a delivered step the 送达回证 prints, with the EMS number and signature lines', async () => {
      const { id, trackingNumber } = await desk.register('2025-06-03');
      await handler.step(id, { type: 'decided', on: '2025-06-06', outcome: 'granted' }).expect(201);
      await users.handler.agent.get(`/staff/requests/${id}/notices/delivery`).expect(404);
      await handler.step(id, { type: 'delivered', on: '2025-06-09', method: 'post', reference: 'EMS1098765432' }).expect(201);
      const page = (await users.handler.agent.get(`/staff/requests/${id}`).expect(200)).text;
      expect(page).toContain(`/staff/requests/${id}/notices/delivery`);
      const form = (await users.handler.agent.get(`/staff/requests/${id}/notices/delivery`).expect(200)).text;
      for (const s of ['送达回证', '受送达人', '钱七', '政府信息公开申请答复告知书', trackingNumber, '邮寄', '2025年6月9日', 'EMS1098765432', '受送达人签收', 'print.css']) expect(form).toContain(s);
      expect(form).not.toContain(validResidentId());
      // The 回证 is the agency's record: not mailed to the applicant.
      expect((await mails()).filter((m) => m.subject?.includes('送达回证'))).toEqual([]);
    });

    it('D19: an online submission withdrawn before receipt has no reply notice, and the step succeeds', async () => {
      const { id } = await handler.file({ applicant: applicant('natural_person', '孙八', { email: 'sun@example.com' }), description: '申请公开本局2025年部门预算' });
      await handler.step(id, { type: 'withdrawn', on: '2026-12-28' }).expect(201);
      await request(t.http).get(`/api/v1/requests/${id}/notices/reply`).set(bearer('handler')).expect(404);
      expect((await request(t.http).get(`/api/v1/requests/${id}`).set(bearer('handler'))).body.notices).toEqual([]);
    });
  });

  it('documents the notice and settings endpoints in the OpenAPI document', async () => {
    const paths = Object.keys((await request(t.http).get('/api/docs-json').expect(200)).body.paths);
    expect(paths).toEqual(expect.arrayContaining(['/api/v1/requests/{id}/notices/{kind}', '/api/v1/settings/remedies']));
  });
});
