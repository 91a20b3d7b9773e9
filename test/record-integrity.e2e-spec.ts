import request from 'supertest';
import { DerivedStateService } from '../src/requests/derived-state.service';
import { applicant, bearer, CLERK_PASSWORD, Desk, signIn, staffWithToken, Step } from './support/builders';
import { createTestApp, openForm, TestApp } from './support/test-app';

/** Issue 12 over HTTP: the record cannot be bent (D1, D15, D17–D19, D21). */
describe('Record integrity over the API', () => {
  let t: TestApp;
  let auth: { Authorization: string };
  let clerkId: string;
  let desk: Desk;

  beforeAll(async () => {
    t = await createTestApp({ AGENCY_NAME: '测试县交通运输局' });
    t.clock.setNow('2025-06-16T02:00:00Z');
    // One clerk who may do every step: separation of duties is not what this suite is about.
    ({ id: clerkId, auth } = await staffWithToken(t, 'integrity_clerk'));
    desk = new Desk(t, auth, { applicant: applicant('natural_person', '孙八', { phone: '13800000000' }), description: '申请公开某道路工程批复' });
  });
  afterAll(() => t.close());

  describe('D15: lateness is permanent', () => {
    it.each<[string, Step, number, RegExp]>([
      ['an extension after the due date', { type: 'extension_granted', on: '2025-04-10', extraWorkingDays: 20, approvedBy: '王主任', reason: '信息量大' }, 409, /2025-03-31/],
      ['a correction notice after the due date', { type: 'correction_requested', on: '2025-04-10', correctionDueOn: '2025-04-30' }, 409, /2025-03-31/],
      ['an Art. 35 deadline after the due date', { type: 'deadline_set', on: '2025-04-10', dueOn: '2025-06-30', reason: '数量巨大' }, 409, /2025-03-31/],
      ['an Art. 35 deadline earlier than the statutory one', { type: 'deadline_set', on: '2025-03-10', dueOn: '2025-03-20', reason: '数量巨大' }, 422, /2025-03-31/],
    ])('%s is refused (%d), naming the date', async (_name, body, status, message) => {
      const { id } = await desk.register('2025-03-03');
      const res = await desk.step(id, body).expect(status);
      expect(res.body.error.message).toMatch(message);
      expect((await request(t.http).get(`/api/v1/requests/${id}`).set(auth).expect(200)).body.events).toHaveLength(1);
    });

    it('a reply after the due date stays late in the request, the list and the dashboard', async () => {
      const before = (await request(t.http).get('/api/v1/dashboard?year=2025').set(auth).expect(200)).body;
      const { id } = await desk.register('2025-03-03', { description: '申请公开某桥梁检测报告' });
      await desk.step(id, { type: 'consultation_started', on: '2025-04-10', party: 'third_party' }).expect(201);
      await desk.step(id, { type: 'consultation_ended', on: '2025-04-15' }).expect(201);
      const replied = await desk.step(id, { type: 'decided', on: '2025-04-20', outcome: 'granted' }).expect(201);
      expect(replied.body).toMatchObject({ dueOn: '2025-03-31', overdue: true });
      const list = await request(t.http).get('/api/v1/requests?q=桥梁检测').set(auth).expect(200);
      expect(list.body.items[0]).toMatchObject({ id, overdue: true, dueOn: '2025-03-31' });
      const after = (await request(t.http).get('/api/v1/dashboard?year=2025').set(auth).expect(200)).body;
      expect(after.concluded).toBe(before.concluded + 1);
      expect(after.answeredOnTime).toBe(before.answeredOnTime);
    });

    it('records written before D15 are re-derived: a late extension no longer cures lateness', async () => {
      const { id } = await desk.register('2025-03-03', { description: '申请公开某隧道竣工验收文件' });
      await desk.step(id, { type: 'decided', on: '2025-04-20', outcome: 'granted' }).expect(201);
      // What the earlier release stored: the extension accepted after the deadline, the due date moved, on time.
      await t.dataSource.query(`UPDATE request_event SET seq = 3 WHERE request_id = '${id}' AND seq = 2`);
      await t.dataSource.query(
        `INSERT INTO request_event (id, request_id, seq, type, occurred_on, recorded_at, actor_id, actor_label, basis, payload) VALUES ('00000000-0000-4000-8000-00000000d015', '${id}', 2, 'extension_granted', '2025-04-10', '2025-04-10T02:00:00.000Z', NULL, '旧版', '《条例》第三十三条第二款', '{"extraWorkingDays":20,"approvedBy":"王主任","reason":"信息量大"}')`,
      );
      await t.dataSource.query(`UPDATE information_request SET due_on = '2025-04-28' WHERE id = '${id}'`);
      const report = await t.app.get(DerivedStateService).verify(false);
      expect(report.samples).toEqual(expect.arrayContaining([{ id, field: 'dueOn', stored: '2025-04-28', replayed: '2025-03-31' }]));
      await t.app.get(DerivedStateService).verify(true);
      expect((await t.app.get(DerivedStateService).verify(false)).mismatched).toBe(0);
      const list = await request(t.http).get('/api/v1/requests?q=隧道竣工').set(auth).expect(200);
      expect(list.body.items[0]).toMatchObject({ overdue: true, dueOn: '2025-03-31' });
    });
  });

  describe('D1: items decide the outcome', () => {
    it('nothing disclosed is not （二）; a declared secret with everything granted is refused (422, why)', async () => {
      const items = { items: [{ description: '批复文件' }, { description: '会议纪要' }] };
      const { id: a } = await desk.register('2025-06-02', items);
      const partial = await desk
        .step(a, {
          type: 'decided',
          on: '2025-06-10',
          outcome: 'partially_granted',
          reason: '见各项',
          itemOutcomes: [
            { item: 0, outcome: 'unable_not_held' },
            { item: 1, outcome: 'withheld_state_secret', reason: '经定密属于国家秘密' },
          ],
        })
        .expect(422);
      expect(partial.body.error.message).toMatch(/没有任何事项予以公开/);
      const principal = await desk
        .step(a, {
          type: 'decided',
          on: '2025-06-10',
          outcome: 'withheld_state_secret',
          reason: '见各项',
          itemOutcomes: [
            { item: 0, outcome: 'unable_not_held' },
            { item: 1, outcome: 'withheld_state_secret', reason: '经定密属于国家秘密' },
          ],
        })
        .expect(201);
      expect(principal.body).toMatchObject({ outcome: 'withheld_state_secret', items: [{ outcome: 'unable_not_held' }, { outcome: 'withheld_state_secret', reason: '经定密属于国家秘密' }] });
      const { id: b } = await desk.register('2025-06-02', items);
      const secret = await desk
        .step(b, {
          type: 'decided',
          on: '2025-06-10',
          outcome: 'withheld_state_secret',
          reason: '涉密',
          itemOutcomes: [
            { item: 0, outcome: 'granted' },
            { item: 1, outcome: 'granted' },
          ],
        })
        .expect(422);
      expect(secret.body.error.message).toMatch(/所有事项均予以公开/);
    });
  });

  describe('D19, D17, D18, D21 and the approver', () => {
    it('D19: staff withdraw an unconfirmed submission; it is counted nowhere', async () => {
      // Read by the administrator: this suite's clerk holds no report role.
      const reader = bearer(await t.adminToken());
      const before = (await request(t.http).get('/api/v1/reports/2025/section3').set(reader).expect(200)).body;
      const { id } = await desk.file({ applicant: applicant('natural_person', '周九', { phone: '13900000000' }), description: '申请公开某公交线路调整方案' });
      const res = await desk.step(id, { type: 'withdrawn', on: '2025-06-16' }).expect(201);
      expect(res.body).toMatchObject({ status: 'withdrawn', statusLabel: '已撤回（未受理）', receivedOn: null, outcome: null, concludedOn: null, withdrawnOn: '2025-06-16' });
      await desk.step(id, { type: 'receipt_confirmed', on: '2025-06-16' }).expect(409);
      const open = await request(t.http).get('/api/v1/requests?status=open').set(auth).expect(200);
      expect(open.body.items.map((i: { id: string }) => i.id)).not.toContain(id);
      const after = (await request(t.http).get('/api/v1/reports/2025/section3').set(reader).expect(200)).body;
      expect(after.rows).toEqual(before.rows);
    });

    it('D17: delivery after conclusion, with method and reference, shown to staff and the applicant', async () => {
      t.clock.setNow('2025-06-02T02:00:00Z');
      const filed = await desk.file({ applicant: applicant('natural_person', '吴十', { phone: '13700000000' }), description: '申请公开某停车场收费批复' });
      t.clock.setNow('2025-06-16T02:00:00Z');
      const { id } = filed;
      await desk.step(id, { type: 'receipt_confirmed', on: '2025-06-03' }).expect(201);
      await desk.step(id, { type: 'delivered', on: '2025-06-05', method: 'post' }).expect(409);
      await desk.step(id, { type: 'decided', on: '2025-06-10', outcome: 'granted' }).expect(201);
      await desk.step(id, { type: 'delivered', on: '2025-06-12', method: 'pigeon' }).expect(400);
      const res = await desk.step(id, { type: 'delivered', on: '2025-06-12', method: 'post', reference: 'EMS1098765432' }).expect(201);
      expect(res.body).toMatchObject({ concludedOn: '2025-06-10', deliveries: [{ on: '2025-06-12', method: 'post', methodLabel: '邮寄', reference: 'EMS1098765432' }] });
      const status = await request(t.http).get(`/api/v1/public/requests/${filed.trackingNumber}`).set('X-Access-Code', filed.accessCode).expect(200);
      expect(status.body.deliveries).toEqual([{ on: '2025-06-12', method: 'post', methodLabel: '邮寄', reference: 'EMS1098765432' }]);
      const citizen = request.agent(t.http);
      const form = await openForm(citizen, '/status');
      const page = await citizen.post('/status').type('form').send({ _csrf: form.csrf, trackingNumber: filed.trackingNumber, accessCode: filed.accessCode }).expect(200);
      expect(page.text).toMatch(/2025-06-12 邮寄（EMS1098765432）/);
    });

    it('D18: the payment window runs from the day after the applicant received the fee notice', async () => {
      const { id } = await desk.register('2025-03-03');
      const res = await desk.step(id, { type: 'fee_notice_issued', on: '2025-03-10', amountYuan: 100, deliveredOn: '2025-03-14' }).expect(201);
      expect(res.body.fee).toMatchObject({ noticeOn: '2025-03-10', deliveredOn: '2025-03-14', payBy: '2025-04-14' });
      await desk.step((await desk.register('2025-03-03')).id, { type: 'fee_notice_issued', on: '2025-03-10', amountYuan: 100, deliveredOn: '2025-03-07' }).expect(422);
    });

    it('D21: a not-held reply names the agency that holds the information', async () => {
      const { id } = await desk.register('2025-06-02');
      const res = await desk.step(id, { type: 'decided', on: '2025-06-10', outcome: 'unable_not_held', referTo: { agency: '测试县住房和城乡建设局', contact: '0000-7654321' } }).expect(201);
      expect(res.body.referTo).toEqual({ agency: '测试县住房和城乡建设局', contact: '0000-7654321' });
      await desk.step((await desk.register('2025-06-02')).id, { type: 'decided', on: '2025-06-10', outcome: 'granted', referTo: { agency: '某局' } }).expect(400);
    });

    it('the approving account of an extension is the signed-in one; the typed name is what the notice prints', async () => {
      const { id } = await desk.register('2025-06-02');
      const res = await desk.step(id, { type: 'extension_granted', on: '2025-06-05', extraWorkingDays: 10, approvedBy: '随便写的名字', reason: '需要调取档案' }).expect(201);
      const event = res.body.events.find((e: { type: string }) => e.type === 'extension_granted');
      expect(event.data).toMatchObject({ approvedBy: '随便写的名字', approvedByAccount: { id: clerkId, name: '李办事' } });
      const plain = await desk.step((await desk.register('2025-06-02')).id, { type: 'extension_granted', on: '2025-06-05', extraWorkingDays: 10, reason: '需要调取档案' }).expect(201);
      expect(plain.body.extension).toMatchObject({ approvedBy: '李办事' });
    });

    it('the staff page offers delivery after conclusion and no deadline steps once a recorded step was late', async () => {
      const agent = await signIn(t, { username: 'integrity_clerk', password: CLERK_PASSWORD });
      const { id: late } = await desk.register('2025-03-03');
      await desk.step(late, { type: 'consultation_started', on: '2025-04-02', party: 'agency' }).expect(201);
      const latePage = (await agent.get(`/staff/requests/${late}`).expect(200)).text;
      expect(latePage).not.toMatch(/name="type" value="extension_granted"/);
      expect(latePage).not.toMatch(/name="type" value="correction_requested"/);
      expect(latePage).toMatch(/name="type" value="decided"/);
      const { id: done } = await desk.register('2025-06-02');
      await desk.step(done, { type: 'decided', on: '2025-06-10', outcome: 'granted' }).expect(201);
      const donePage = (await agent.get(`/staff/requests/${done}`).expect(200)).text;
      expect(donePage).toMatch(/name="type" value="delivered"/);
      expect(donePage).toMatch(/尚未登记送达/);
    });
  });
});
