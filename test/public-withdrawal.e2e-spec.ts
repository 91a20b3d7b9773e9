import request from 'supertest';
import { MailWorker } from '../src/notifications/mail-worker';
import { applicant, Desk, staffWithToken } from './support/builders';
import { SmtpSink } from './support/smtp-sink';
import { createTestApp, openForm, TestApp, validResidentId } from './support/test-app';

type Section3 = { rows: Record<string, number[]> };

/** D19 for citizens: withdrawal with the access code, over the API and from the status page. */
describe('Withdrawal by the applicant', () => {
  let t: TestApp;
  let sink: SmtpSink;
  let clerk: { Authorization: string };
  let admin: { Authorization: string };
  let desk: Desk;

  const withdraw = (trackingNumber: string, code?: string) => {
    const req = request(t.http).post(`/api/v1/public/requests/${trackingNumber}/withdrawal`);
    return code === undefined ? req : req.set('X-Access-Code', code);
  };
  const lookup = (trackingNumber: string, code: string) => request(t.http).get(`/api/v1/public/requests/${trackingNumber}`).set('X-Access-Code', code);
  const section3 = async (): Promise<Section3> => (await request(t.http).get('/api/v1/reports/2025/section3').set(admin).expect(200)).body;
  const events = async (id: string) => (await request(t.http).get(`/api/v1/requests/${id}`).set(clerk).expect(200)).body.events as Array<{ type: string; actor: string; on: string }>;

  beforeAll(async () => {
    sink = new SmtpSink();
    await sink.start();
    t = await createTestApp({ SMTP_URL: sink.url, AGENCY_NAME: '测试县交通运输局' });
    t.clock.setNow('2025-06-16T02:00:00Z');
    ({ auth: clerk } = await staffWithToken(t, 'withdrawal_clerk'));
    desk = new Desk(t, clerk, { applicant: applicant('natural_person', '周九', { phone: '13900000000' }), description: '申请公开某公交线路调整方案' });
    admin = { Authorization: `Bearer ${await t.token()}` };
  }, 60_000);
  afterAll(async () => {
    await t.close();
    await sink.stop();
  });

  describe('over the API', () => {
    it('before receipt: 201 with the status view; withdrawn, counted nowhere, acknowledged by e-mail', async () => {
      const before = await section3();
      const f = await desk.file({ applicant: applicant('natural_person', '周九', { phone: '13900000000', email: 'zhou@example.com' }) });
      const res = await withdraw(f.trackingNumber, f.accessCode).expect(201);
      expect(res.body).toMatchObject({
        trackingNumber: f.trackingNumber,
        status: 'withdrawn',
        statusLabel: '已撤回（未受理）',
        receivedOn: null,
        outcome: null,
        withdrawnOn: '2025-06-16',
        withdrawal: { on: '2025-06-16', beforeReceipt: true },
        canWithdraw: false,
      });
      expect(JSON.stringify(res.body)).not.toMatch(/周九|zhou@|13900000000/);
      expect((await lookup(f.trackingNumber, f.accessCode).expect(200)).body).toEqual(res.body);
      expect((await section3()).rows).toEqual(before.rows);
      expect((await events(f.id)).at(-1)).toMatchObject({ type: 'withdrawn', on: '2025-06-16', actor: '申请人（网上撤回）' });

      sink.messages.length = 0;
      while ((await t.app.get(MailWorker).runOnce()) > 0);
      const mail = sink.messages.find((m) => m.subject?.includes('撤回'))!;
      expect(mail.to).toMatchObject({ text: 'zhou@example.com' });
      expect(mail.subject).toContain(f.trackingNumber);
      expect(mail.text).toContain('不计入');
      expect(mail.text).not.toContain(f.accessCode);

      const again = await withdraw(f.trackingNumber, f.accessCode).expect(409);
      expect(again.body.error.message).toBe('该申请已于 2025-06-16 撤回，无需再次撤回。');
    });

    it('staff recording the same withdrawal for an applicant with e-mail: acknowledged, no reply notice for an application never received', async () => {
      const f = await desk.file({ applicant: applicant('natural_person', '周九', { phone: '13900000000', email: 'staffside@example.com' }) });
      const res = await desk.step(f.id, { type: 'withdrawn', on: '2025-06-16' }).expect(201);
      expect(res.body).toMatchObject({ status: 'withdrawn', outcome: null });
      sink.messages.length = 0;
      while ((await t.app.get(MailWorker).runOnce()) > 0);
      const subjects = sink.messages.filter((m) => JSON.stringify(m.to).includes('staffside@')).map((m) => m.subject);
      expect(subjects.filter((s) => !s?.includes('已收到您在网上提交'))).toEqual([`【测试县交通运输局】您已撤回政府信息公开申请（${f.trackingNumber}）`]);
    });

    it('after receipt: concludes as （六）3 like the staff step, and Section 3 counts it there', async () => {
      const before = await section3();
      const f = await desk.file();
      await desk.step(f.id, { type: 'receipt_confirmed', on: '2025-06-16' }).expect(201);
      const res = await withdraw(f.trackingNumber, f.accessCode).expect(201);
      expect(res.body).toMatchObject({
        status: 'concluded',
        outcome: 'other_other',
        outcomeLabel: '（六）3 其他',
        concludedOn: '2025-06-16',
        withdrawnOn: null,
        withdrawal: { on: '2025-06-16', beforeReceipt: false },
        canWithdraw: false,
      });
      expect((await events(f.id)).at(-1)).toMatchObject({ type: 'withdrawn', actor: '申请人（网上撤回）' });
      const after = await section3();
      const plusOne = (row: string) => before.rows[row].map((n, i) => (i === 0 || i === 6 ? n + 1 : n));
      expect(after.rows.other_other).toEqual(plusOne('other_other'));
      expect(after.rows.new_received).toEqual(plusOne('new_received'));
      for (const row of Object.keys(before.rows).filter((r) => !['other_other', 'new_received', 'concluded_total'].includes(r))) {
        expect([row, after.rows[row]]).toEqual([row, before.rows[row]]);
      }
    });

    it('a wrong or missing code, or an unknown number, answers 404 exactly like the look-up', async () => {
      const f = await desk.file();
      const expected = (await lookup(f.trackingNumber, 'WRONGCODE').expect(404)).body;
      expect((await withdraw(f.trackingNumber, 'WRONGCODE').expect(404)).body).toEqual(expected);
      expect((await withdraw(f.trackingNumber).expect(404)).body).toEqual(expected);
      expect((await withdraw('2025-999999', f.accessCode).expect(404)).body).toEqual(expected);
      expect((await lookup(f.trackingNumber, f.accessCode).expect(200)).body.status).toBe('awaiting_confirmation');
    });

    it('a concluded request answers 409 with a clear message', async () => {
      const f = await desk.file();
      await desk.step(f.id, { type: 'receipt_confirmed', on: '2025-06-16' }).expect(201);
      await desk.step(f.id, { type: 'decided', on: '2025-06-16', outcome: 'granted' }).expect(201);
      const res = await withdraw(f.trackingNumber, f.accessCode).expect(409);
      expect(res.body.error.message).toBe('该申请已于 2025-06-16 办结，不能再撤回。');
      expect((await events(f.id)).map((e) => e.type)).not.toContain('withdrawn');
    });

    it('the same Idempotency-Key returns the first answer and records one withdrawal', async () => {
      const f = await desk.file();
      const first = await withdraw(f.trackingNumber, f.accessCode).set('Idempotency-Key', 'w-1').expect(201);
      const second = await withdraw(f.trackingNumber, f.accessCode).set('Idempotency-Key', 'w-1').expect(201);
      expect(second.body).toEqual(first.body);
      expect((await events(f.id)).filter((e) => e.type === 'withdrawn')).toHaveLength(1);
      // A replayed key does not answer without the code.
      await withdraw(f.trackingNumber, 'WRONGCODE').set('Idempotency-Key', 'w-1').expect(404);
    });
  });

  describe('on the status page', () => {
    const open = async (f: { trackingNumber: string; accessCode: string }) => {
      const agent = request.agent(t.http);
      const form = await openForm(agent, '/status');
      const page = await agent.post('/status').type('form').send({ _csrf: form.csrf, trackingNumber: f.trackingNumber, accessCode: f.accessCode }).expect(200);
      return { agent, csrf: form.csrf, page };
    };

    it('before receipt: asks for confirmation, withdraws, and shows it; the code never goes into a URL', async () => {
      const f = await desk.file();
      const { agent, csrf, page } = await open(f);
      expect(page.headers['cache-control']).toBe('no-store');
      expect(page.text).toContain('撤回申请');
      expect(page.text).toMatch(/<form method="post" action="\/status\/withdraw"/);
      expect(page.text).toContain(`name="accessCode" value="${f.accessCode}"`);
      for (const url of page.text.match(/(?:href|action)="[^"]*"/g) ?? []) expect(url).not.toContain(f.accessCode);

      await agent.post('/status/withdraw').type('form').send({ trackingNumber: f.trackingNumber, accessCode: f.accessCode, confirm: 'yes' }).expect(403);
      const confirm = await agent.post('/status/withdraw').type('form').send({ _csrf: csrf, trackingNumber: f.trackingNumber, accessCode: f.accessCode }).expect(200);
      expect(confirm.text).toContain('确认撤回');
      expect(confirm.text).toContain('不计入本机关政府信息公开申请的统计');
      expect((await lookup(f.trackingNumber, f.accessCode)).body.status).toBe('awaiting_confirmation');

      const done = await agent.post('/status/withdraw').type('form').send({ _csrf: csrf, trackingNumber: f.trackingNumber, accessCode: f.accessCode, confirm: 'yes' }).expect(200);
      expect(done.text).toMatch(/id="withdraw-message">您已撤回本申请。/);
      expect(done.text).toMatch(/id="withdrawal">您已于 2025-06-16 撤回本申请（本机关尚未确认收到，不计入统计）/);
      expect(done.text).not.toContain('action="/status/withdraw"');
      expect((await lookup(f.trackingNumber, f.accessCode)).body.status).toBe('withdrawn');
      const later = await open(f);
      expect(later.page.text).toContain('您已于 2025-06-16 撤回本申请');
    });

    it('after receipt: the withdrawal ends the application, shown to the applicant as 其他 (counted in （六）3; the API keeps the row)', async () => {
      const f = await desk.file();
      await desk.step(f.id, { type: 'receipt_confirmed', on: '2025-06-16' }).expect(201);
      const { agent, csrf, page } = await open(f);
      expect(page.text).toContain('撤回后，本机关将终止办理');
      const done = await agent.post('/status/withdraw').type('form').send({ _csrf: csrf, trackingNumber: f.trackingNumber, accessCode: f.accessCode, confirm: 'yes' }).expect(200);
      expect(done.text).toContain('本机关终止办理，不再作出答复');
      expect(done.text).toContain('<dd>其他（<span class="nowrap">2025-06-16</span>）</dd>');
      expect(done.text).not.toContain('（六）3');
      expect(done.text).toMatch(/您已于 2025-06-16 撤回本申请，本机关已终止办理/);
    });

    it('a concluded request offers no withdrawal and answers 409; a wrong code 404 like the look-up', async () => {
      const f = await desk.file();
      await desk.step(f.id, { type: 'receipt_confirmed', on: '2025-06-16' }).expect(201);
      await desk.step(f.id, { type: 'decided', on: '2025-06-16', outcome: 'granted' }).expect(201);
      const { agent, csrf, page } = await open(f);
      expect(page.text).not.toContain('action="/status/withdraw"');
      const refused = await agent.post('/status/withdraw').type('form').send({ _csrf: csrf, trackingNumber: f.trackingNumber, accessCode: f.accessCode, confirm: 'yes' }).expect(409);
      expect(refused.text).toContain('该申请已于 2025-06-16 办结，不能再撤回。');
      const wrongLookup = await agent.post('/status').type('form').send({ _csrf: csrf, trackingNumber: f.trackingNumber, accessCode: 'WRONGCODE' }).expect(404);
      const wrongWithdraw = await agent.post('/status/withdraw').type('form').send({ _csrf: csrf, trackingNumber: f.trackingNumber, accessCode: 'WRONGCODE', confirm: 'yes' }).expect(404);
      const message = (html: string) => /role="alert">([^<]+)</.exec(html)![1];
      expect(message(wrongWithdraw.text)).toBe(message(wrongLookup.text));
    });
  });
});

describe('Withdrawal rate limit', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ RATE_LIMIT_LOOKUP_PER_NUMBER: '3' });
  });
  afterAll(() => t.close());

  it('is limited per tracking number like the look-up', async () => {
    const filed = await request(t.http)
      .post('/api/v1/public/requests')
      .send({ applicant: { type: 'natural_person', name: '周九', idDocumentNumber: validResidentId(), phone: '13900000000' }, description: '申请公开某公交线路调整方案' })
      .expect(201);
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await request(t.http).post(`/api/v1/public/requests/${filed.body.trackingNumber}/withdrawal`).set('X-Access-Code', `GUESS${i}`)).status);
    expect(statuses).toEqual([404, 404, 404, 429]);
  });
});
