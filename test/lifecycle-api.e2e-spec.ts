import request from 'supertest';
import { CalendarService } from '../src/calendar/calendar.service';
import { RequestStore } from '../src/requests/request-store';
import { DailyDigestService } from '../src/notifications/daily-digest.service';
import { MailWorker } from '../src/notifications/mail-worker';
import { applicant, Desk, Step } from './support/builders';
import { SmtpSink } from './support/smtp-sink';
import { ADMIN, CLERK, CLERK_NAME, createTestApp, TestApp, validResidentId } from './support/test-app';

describe('Lifecycle over the JSON API', () => {
  let t: TestApp;
  let sink: SmtpSink;
  let auth: { Authorization: string };
  let adminAuth: { Authorization: string };
  let desk: Desk;

  beforeAll(async () => {
    sink = new SmtpSink();
    await sink.start();
    t = await createTestApp({ SMTP_URL: sink.url, AGENCY_NAME: '测试市自然资源局' });
    t.clock.setNow('2026-06-15T02:00:00Z');
    auth = { Authorization: `Bearer ${await t.token()}` };
    adminAuth = { Authorization: `Bearer ${await t.adminToken()}` };
    desk = new Desk(t, () => auth, {
      applicant: applicant('natural_person', '钱七', { email: 'qian@example.com' }),
      description: '申请公开某小区规划许可证及附图',
    });
  });
  afterAll(async () => {
    await t.close();
    await sink.stop();
  });

  it('pages carry the configured agency name', async () => {
    const page = await request(t.http).get('/').expect(200);
    expect(page.text).toContain('<title>');
    expect(page.text.match(/测试市自然资源局/g)?.length).toBe(3); // title, header, footer
  });

  it.each<[string, Step[], Record<string, unknown>]>([
    [
      'a correction restarts the clock',
      [
        { type: 'correction_requested', on: '2025-03-05', correctionDueOn: '2025-03-20', note: '请写明文号' },
        { type: 'correction_received', on: '2025-03-12' },
      ],
      { status: 'in_progress', dueOn: '2025-04-10' },
    ],
    [
      'a lapsed correction concludes',
      [
        { type: 'correction_requested', on: '2025-03-05', correctionDueOn: '2025-03-20' },
        { type: 'correction_lapsed', on: '2025-03-21' },
      ],
      { status: 'concluded', outcome: 'other_overdue_correction', concludedOn: '2025-03-21' },
    ],
    [
      'a consultation pauses the clock (D14)',
      [
        { type: 'consultation_started', on: '2025-03-10', party: 'third_party' },
        { type: 'consultation_ended', on: '2025-03-14' },
      ],
      { status: 'in_progress', dueOn: '2025-04-07' },
    ],
    [
      'a fee notice pauses until payment',
      [
        { type: 'fee_notice_issued', on: '2025-03-10', amountYuan: 100 },
        { type: 'fee_paid', on: '2025-03-17' },
      ],
      { status: 'in_progress', dueOn: '2025-04-08' },
    ],
    [
      'an unpaid fee concludes',
      [
        { type: 'fee_notice_issued', on: '2025-03-04', amountYuan: 100 },
        { type: 'fee_lapsed', on: '2025-04-02' },
      ],
      { status: 'concluded', outcome: 'other_unpaid_fee' },
    ],
    ['an extension adds up to 20 working days', [{ type: 'extension_granted', on: '2025-03-20', extraWorkingDays: 20, approvedBy: '王主任', reason: '需调取档案' }], { dueOn: '2025-04-28' }],
    ['Art. 35 sets the agency deadline', [{ type: 'deadline_set', on: '2025-03-10', dueOn: '2025-06-30', reason: '申请数量明显超过合理范围' }], { dueOn: '2025-06-30' }],
    ['a reply concludes', [{ type: 'decided', on: '2025-03-20', outcome: 'granted' }], { status: 'concluded', outcome: 'granted', overdue: false }],
    ['a late reply is allowed and marked overdue', [{ type: 'decided', on: '2025-04-15', outcome: 'unable_not_held' }], { status: 'concluded', outcome: 'unable_not_held', overdue: true }],
    ['withdrawal concludes as other', [{ type: 'withdrawn', on: '2025-03-06' }], { status: 'concluded', outcome: 'other_other' }],
    [
      'mixed item outcomes make it partial',
      [
        {
          type: 'decided',
          on: '2025-03-20',
          outcome: 'partially_granted',
          reason: '第二项涉及个人隐私',
          itemOutcomes: [
            { item: 0, outcome: 'granted' },
            { item: 1, outcome: 'withheld_third_party_rights' },
          ],
        },
      ],
      { outcome: 'partially_granted' },
    ],
  ])('%s', async (_name, steps, expected) => {
    const { id } = await desk.register('2025-03-03', { items: [{ description: '许可证' }, { description: '附图' }] });
    const responses = [];
    for (const s of steps) responses.push(await desk.step(id, s).expect(201));
    const last = responses[responses.length - 1];
    expect(last.body).toMatchObject(expected);
    expect(last.body.events.map((e: { type: string }) => e.type)).toEqual(['registered', ...steps.map((s) => s.type)]);
    for (const e of last.body.events.slice(1)) expect(e).toMatchObject({ actor: CLERK_NAME, basis: expect.stringMatching(/条例|109号|—/) });
  });

  it('records per-item outcomes', async () => {
    const { id } = await desk.register('2025-03-03', { items: [{ description: '许可证' }, { description: '附图' }] });
    const res = await desk
      .step(id, {
        type: 'decided',
        on: '2025-03-20',
        outcome: 'partially_granted',
        reason: '附图涉及商业秘密',
        itemOutcomes: [
          { item: 0, outcome: 'granted' },
          { item: 1, outcome: 'withheld_third_party_rights' },
        ],
      })
      .expect(201);
    expect(res.body.items.map((i: { outcome: string }) => i.outcome)).toEqual(['granted', 'withheld_third_party_rights']);
  });

  it.each<[string, Step[], Step, number, { code: string; message: string; fields: Record<string, string> }]>([
    [
      'a second correction notice',
      [
        { type: 'correction_requested', on: '2025-03-04', correctionDueOn: '2025-03-20' },
        { type: 'correction_received', on: '2025-03-06' },
      ],
      { type: 'correction_requested', on: '2025-03-07', correctionDueOn: '2025-03-25' },
      409,
      { code: 'INVALID_TRANSITION', message: '补正告知只能一次性发出（《条例》第三十条），本申请已于 2025-03-04 发出。', fields: {} },
    ],
    [
      'a step after conclusion',
      [{ type: 'decided', on: '2025-03-04', outcome: 'granted' }],
      { type: 'withdrawn', on: '2025-03-05' },
      409,
      { code: 'INVALID_TRANSITION', message: '该申请已于 2025-03-04 办结，不能再登记撤回。', fields: {} },
    ],
    [
      'unclear-after-correction without a correction',
      [],
      { type: 'decided', on: '2025-03-04', outcome: 'unable_unclear_after_correction' },
      409,
      { code: 'INVALID_TRANSITION', message: '只有在收到补正材料后，才能以“补正后申请内容仍不明确”答复。', fields: {} },
    ],
    [
      'an extension beyond 20 days',
      [],
      { type: 'extension_granted', on: '2025-03-04', extraWorkingDays: 21, approvedBy: '王主任', reason: '多' },
      409,
      { code: 'INVALID_TRANSITION', message: '延长答复期限最长不得超过 20 个工作日（《条例》第三十三条）。', fields: {} },
    ],
    [
      'a second extension',
      [{ type: 'extension_granted', on: '2025-03-04', extraWorkingDays: 5, approvedBy: '王主任', reason: '多' }],
      { type: 'extension_granted', on: '2025-03-05', extraWorkingDays: 5, approvedBy: '王主任', reason: '多' },
      409,
      { code: 'INVALID_TRANSITION', message: '延期答复只能一次（《条例》第三十三条），本申请已于 2025-03-04 延期。', fields: {} },
    ],
    [
      'a fee lapse before the payment deadline',
      [{ type: 'fee_notice_issued', on: '2025-03-04', amountYuan: 50 }],
      { type: 'fee_lapsed', on: '2025-04-01' },
      409,
      { code: 'INVALID_TRANSITION', message: '缴费期限 2025-04-01 尚未届满，不能按逾期未缴费办结。', fields: {} },
    ],
    [
      'a date before receipt',
      [],
      { type: 'decided', on: '2025-03-02', outcome: 'granted' },
      422,
      { code: 'UNPROCESSABLE', message: '日期 2025-03-02 早于收到申请之日（2025-03-03）。', fields: { on: '不能早于 2025-03-03。' } },
    ],
    [
      'a date in the future',
      [],
      { type: 'decided', on: '2026-06-16', outcome: 'granted' },
      422,
      { code: 'UNPROCESSABLE', message: '日期 2026-06-16 晚于今天（2026-06-15），不能登记未来的步骤。', fields: { on: '不能是未来日期。' } },
    ],
    [
      'withholding without a reason',
      [],
      { type: 'decided', on: '2025-03-04', outcome: 'withheld_state_secret' },
      400,
      { code: 'VALIDATION_FAILED', message: '提交的内容有误，请检查标出的字段。', fields: { reason: '不予公开或部分公开的，必须说明理由。' } },
    ],
    [
      'an other_* outcome in decided',
      [],
      { type: 'decided', on: '2025-03-04', outcome: 'other_other' },
      400,
      { code: 'VALIDATION_FAILED', message: '提交的内容有误，请检查标出的字段。', fields: { outcome: '答复结果必须是有效的结果代码；“其他处理”类结果只能通过逾期不补正、逾期未缴费或撤回步骤产生。' } },
    ],
    [
      'an unknown event type',
      [],
      { type: 'teleported', on: '2025-03-04' },
      400,
      { code: 'VALIDATION_FAILED', message: '提交的内容有误，请检查标出的字段。', fields: { type: '不是有效的办理步骤。' } },
    ],
    [
      'a consultation without a party',
      [],
      { type: 'consultation_started', on: '2025-03-04' },
      400,
      { code: 'VALIDATION_FAILED', message: '提交的内容有误，请检查标出的字段。', fields: { party: '征求意见对象必须是 third_party（第三方）或 agency（其他机关）。' } },
    ],
  ])('refuses %s', async (_name, before, bad, status, error) => {
    const { id } = await desk.register('2025-03-03');
    for (const s of before) await desk.step(id, s).expect(201);
    const eventsBefore = await t.count('request_event');
    const res = await desk.step(id, bad).expect(status);
    expect(res.body).toEqual({ error });
    expect(await t.count('request_event')).toBe(eventsBefore);
  });

  it('two staff acting at once: one wins, the other gets a conflict, nothing half-applied', async () => {
    const { id } = await desk.register('2025-03-03');
    const results = await Promise.all([desk.step(id, { type: 'decided', on: '2025-03-20', outcome: 'granted' }), desk.step(id, { type: 'withdrawn', on: '2025-03-20' })]);
    expect(results.map((r) => r.status).sort()).toEqual([201, 409]);
    const detail = await request(t.http).get(`/api/v1/requests/${id}`).set(auth).expect(200);
    expect(detail.body.events).toHaveLength(2);
    const stale = await desk.step(id, { type: 'withdrawn', on: '2025-03-21', expectedVersion: 1 }).expect(409);
    expect(stale.body).toEqual({ error: { code: 'CONFLICT', message: '该申请已被他人更新，请刷新后再操作。', fields: {} } });
  });

  it('a stale expectedVersion is a conflict', async () => {
    const { id } = await desk.register('2025-03-03');
    await desk.step(id, { type: 'consultation_started', on: '2025-03-04', party: 'agency', expectedVersion: 1 }).expect(201);
    const res = await desk.step(id, { type: 'consultation_ended', on: '2025-03-05', expectedVersion: 1 }).expect(409);
    expect(res.body.error.code).toBe('CONFLICT');
  });

  it('explains the due date on the request and, in plain words, to the citizen', async () => {
    t.clock.setNow('2026-05-31T02:00:00Z');
    const { id, trackingNumber, accessCode } = await desk.file({ applicant: applicant('natural_person', '孙八', { phone: '13700137000' }), description: '某项目环评' });
    t.clock.setNow('2026-06-15T02:00:00Z');
    await desk.step(id, { type: 'receipt_confirmed', on: '2026-06-01' }).expect(201);
    const res = await desk.step(id, { type: 'consultation_started', on: '2026-06-02', party: 'third_party' }).expect(201);
    await desk.step(id, { type: 'consultation_ended', on: '2026-06-05' }).expect(201);
    const detail = await request(t.http).get(`/api/v1/requests/${id}`).set(auth).expect(200);
    expect(res.body.dueExplanationText.join('')).toContain('征求第三方意见');
    expect(detail.body.dueExplanation).toMatchObject({ startOn: '2026-06-01', excluded: [{ from: '2026-06-02', to: '2026-06-05', workingDays: 3 }], holidaysSkipped: ['2026-06-19'] });
    const citizen = await request(t.http).get(`/api/v1/public/requests/${trackingNumber}`).set('X-Access-Code', accessCode).expect(200);
    expect(citizen.body.dueExplanation.join('')).toMatch(/3 个工作日依法不计算/);
    expect(citizen.body.dueOn).toBe(detail.body.dueOn);
  });

  describe('calendar', () => {
    it('a 2027 deadline is provisional, and is recomputed with a timeline entry when 2027 is loaded', async () => {
      t.clock.setNow('2026-12-22T02:00:00Z');
      const fresh = await request(t.http).post('/api/v1/auth/token').send(CLERK).expect(200);
      const saved = auth;
      auth = { Authorization: `Bearer ${fresh.body.token}` };
      // The calendar is the administrator's; the clerk registers.
      const admin = { Authorization: `Bearer ${(await request(t.http).post('/api/v1/auth/token').send(ADMIN).expect(200)).body.token}` };
      const { id } = await desk.register('2026-12-21');
      const before = await request(t.http).get(`/api/v1/requests/${id}`).set(auth).expect(200);
      expect(before.body).toMatchObject({ dueOn: '2027-01-19', dueIsProvisional: true });
      expect((await request(t.http).get('/api/v1/calendar/2027').set(auth).expect(200)).body.origin).toBe('provisional');

      const recomputedEvents = async () => Number((await t.dataSource.query(`SELECT COUNT(*) AS n FROM request_event WHERE type = 'due_recomputed'`))[0].n);
      const recomputedBefore = await recomputedEvents();
      const put = await request(t.http)
        .put('/api/v1/calendar/2027')
        .set(admin)
        .send({ holidays: ['2027-01-01', '2027-01-02', '2027-01-03', '2027-01-04'], makeUpWorkdays: [], source: '国办发明电〔2026〕99号（测试）' })
        .expect(200);
      expect(put.body).toMatchObject({ year: 2027, origin: 'stored', recomputed: expect.any(Number) });
      // One due_recomputed event per request whose deadline moved, this one among them (below).
      expect(put.body.recomputed).toBe((await recomputedEvents()) - recomputedBefore);
      const after = await request(t.http).get(`/api/v1/requests/${id}`).set(auth).expect(200);
      expect(after.body).toMatchObject({ dueOn: '2027-01-20', dueIsProvisional: false });
      const recomputed = after.body.events.find((e: { type: string }) => e.type === 'due_recomputed');
      expect(recomputed.data).toMatchObject({ fromDueOn: '2027-01-19', toDueOn: '2027-01-20', fromProvisional: true, toProvisional: false });

      const reset = await request(t.http).delete('/api/v1/calendar/2027').set(admin).expect(200);
      expect(reset.body.origin).toBe('provisional');
      expect((await request(t.http).get(`/api/v1/requests/${id}`).set(auth)).body).toMatchObject({ dueOn: '2027-01-19', dueIsProvisional: true });
      // A recompute replays only the events that change state (a request moved by every calendar
      // change gathers one entry each time), and numbers its own entry after the last one.
      const store = t.app.get(RequestStore);
      const calendar = await t.app.get(CalendarService).current();
      const [{ n: total }] = await t.dataSource.query<Array<{ n: string | number }>>(`SELECT COUNT(*) AS n FROM request_event WHERE request_id = '${id}'`);
      const lean = (await store.currentStates(t.dataSource.manager, [id], calendar, '2026-12-22', false, true)).get(id)!;
      const full = (await store.currentStates(t.dataSource.manager, [id], calendar, '2026-12-22', false)).get(id)!;
      expect(full.events.filter((e) => e.type === 'due_recomputed')).toHaveLength(2);
      expect(lean.events.map((e) => e.type)).toEqual(full.events.map((e) => e.type).filter((type) => type !== 'due_recomputed'));
      expect([lean.eventCount, lean.state]).toEqual([Number(total), full.state]);
      await request(t.http)
        .put('/api/v1/calendar/2027')
        .set(admin)
        .send({ holidays: ['2027-01-01', '2027-01-02', '2027-01-03', '2027-01-04'], makeUpWorkdays: [], source: '国办发明电〔2026〕99号（测试）' })
        .expect(200);
      expect((await request(t.http).get(`/api/v1/requests/${id}`).set(auth)).body.events.filter((e: { type: string }) => e.type === 'due_recomputed')).toHaveLength(3);
      await request(t.http).delete('/api/v1/calendar/2027').set(admin).expect(200);
      t.clock.setNow('2026-06-15T02:00:00Z');
      auth = saved;
    });

    it('stored entries win over the package: a correction of 2025 moves deadlines', async () => {
      const { id } = await desk.register('2025-09-26');
      expect((await request(t.http).get(`/api/v1/requests/${id}`).set(auth)).body.dueOn).toBe('2025-10-30');
      const year = (await request(t.http).get('/api/v1/calendar/2025').set(auth).expect(200)).body;
      expect(year.origin).toBe('package');
      // Hypothetical correction: 10-09 also a holiday.
      await request(t.http)
        .put('/api/v1/calendar/2025')
        .set(adminAuth)
        .send({ holidays: [...year.holidays, '2025-10-09'], makeUpWorkdays: year.makeUpWorkdays, source: '更正（测试）' })
        .expect(200);
      expect((await request(t.http).get(`/api/v1/requests/${id}`).set(auth)).body.dueOn).toBe('2025-10-31');
      await request(t.http).delete('/api/v1/calendar/2025').set(adminAuth).expect(200);
    });

    it.each([
      [{ holidays: ['2028-01-01'], makeUpWorkdays: [], source: 'x号' }, 'holidays'],
      [{ holidays: [], makeUpWorkdays: ['2027-03-03'], source: 'x号' }, 'makeUpWorkdays'],
      [{ holidays: ['2027-13-01'], makeUpWorkdays: [], source: 'x号' }, 'holidays'],
      [{ holidays: [], makeUpWorkdays: [] }, 'source'],
    ])('refuses a bad calendar %#', async (body, field) => {
      const res = await request(t.http).put('/api/v1/calendar/2027').set(adminAuth).send(body).expect(400);
      expect(Object.keys(res.body.error.fields)).toContain(field);
    });
  });

  describe('notices by e-mail', () => {
    it('sends the correction notice, the extension notice and the reply, each with remedies', async () => {
      while ((await t.app.get(MailWorker).runOnce()) > 0);
      const { id } = await desk.register('2026-06-01');
      const tn = (await request(t.http).get(`/api/v1/requests/${id}`).set(auth)).body.trackingNumber;
      await desk.step(id, { type: 'correction_requested', on: '2026-06-02', correctionDueOn: '2026-06-12', note: '请写明许可证编号' }).expect(201);
      await desk.step(id, { type: 'correction_received', on: '2026-06-05' }).expect(201);
      await desk.step(id, { type: 'extension_granted', on: '2026-06-08', extraWorkingDays: 10, approvedBy: '李主任', reason: '需向档案馆调取' }).expect(201);
      await desk.step(id, { type: 'decided', on: '2026-06-12', outcome: 'withheld_process_info', reason: '属于内部讨论记录' }).expect(201);
      sink.messages.length = 0;
      while ((await t.app.get(MailWorker).runOnce()) > 0);
      const byTitle = (title: string) => sink.messages.find((m) => m.subject?.includes(title) && m.subject?.includes(tn));
      const correction = byTitle('补正申请告知书')!;
      expect(correction.text).toContain('请写明许可证编号');
      expect(correction.text).toContain('请于2026年6月12日前补正');
      expect(correction.text).toContain('自收到本告知书之日起六十日内依法向行政复议机关申请行政复议');
      expect(correction.text).toContain('测试市自然资源局');
      const extension = byTitle('延期答复告知书')!;
      expect(extension.text).toContain('答复期限延长10个工作日');
      expect(extension.text).toContain('需向档案馆调取');
      const reply = byTitle('申请答复告知书')!;
      expect(reply.text).toContain('讨论记录、过程稿、磋商信函、请示报告等过程性信息');
      expect(reply.text).toContain('属于内部讨论记录');
      // D16: a 2026 decision not to disclose goes to review first (行政复议法 2023 Art. 23(1)(四)).
      expect(reply.text).toContain('的规定先申请行政复议');
      expect(reply.text).not.toContain('六个月');
      for (const m of sink.messages) expect(m.text).not.toContain(validResidentId());
    });
  });

  describe('repeat detection', () => {
    it('shows an earlier answered request of the same applicant for the same information', async () => {
      const { id: first } = await desk.register('2025-03-03', { description: '申请公开 某小区 规划许可证及附图。' });
      await desk.step(first, { type: 'decided', on: '2025-03-20', outcome: 'granted' }).expect(201);
      const { id: other } = await desk.register('2025-03-03', { applicant: { type: 'natural_person', name: '别人', idDocumentNumber: '310101199003075514' } });
      const { id: second } = await desk.register('2025-05-06');
      const detail = await request(t.http).get(`/api/v1/requests/${second}`).set(auth).expect(200);
      const ids = detail.body.possibleRepeats.map((r: { id: string }) => r.id);
      expect(ids).toContain(first);
      expect(ids).not.toContain(other);
      const done = await desk.step(second, { type: 'decided', on: '2025-05-07', outcome: 'not_processed_repeat' }).expect(201);
      expect(done.body.outcome).toBe('not_processed_repeat');
      const { id: unrelated } = await desk.register('2025-05-06', { description: '申请公开本局2024年度政府采购合同' });
      expect((await request(t.http).get(`/api/v1/requests/${unrelated}`).set(auth)).body.possibleRepeats.map((r: { id: string }) => r.id)).not.toContain(first);
    });
  });

  describe('assignment and the daily digest', () => {
    it('assigns a request and filters by assignee', async () => {
      const { id, trackingNumber } = await desk.register('2026-06-10');
      const unassigned = await request(t.http).get(`/api/v1/requests?assignee=none&q=${trackingNumber}`).set(auth).expect(200);
      expect(unassigned.body).toMatchObject({ items: [{ id }], total: 1 });
      const me = (await t.dataSource.query(`SELECT id FROM staff_user WHERE username = '${CLERK.username}'`))[0].id;
      const res = await request(t.http).post(`/api/v1/requests/${id}/assignment`).set(auth).send({ assigneeId: me }).expect(200);
      expect(res.body.assigneeId).toBe(me);
      expect(res.body.events.at(-1)).toMatchObject({ type: 'assigned', data: { assignee: CLERK_NAME } });
      const mine = await request(t.http).get(`/api/v1/requests?assignee=${me}`).set(auth).expect(200);
      expect(mine.body.items.map((i: { id: string }) => i.id)).toEqual([id]);
    });

    it('sends one digest per day to staff with e-mail, without applicant data', async () => {
      await t.dataSource.query(`UPDATE staff_user SET email = 'officer@agency.test' WHERE username = '${CLERK.username}'`);
      t.clock.setNow('2026-06-15T00:30:00Z');
      const { id: overdueId } = await desk.register('2026-05-06');
      const { id: soonId } = await desk.register('2026-05-19');
      const { id: lapsedId } = await desk.register('2026-06-01');
      await desk.step(lapsedId, { type: 'correction_requested', on: '2026-06-02', correctionDueOn: '2026-06-10' }).expect(201);
      const digest = t.app.get(DailyDigestService);
      const first = await digest.sendDailyDigest();
      expect(first).toMatchObject({ ran: true, recipients: 1 });
      expect(await digest.sendDailyDigest()).toMatchObject({ ran: false });
      sink.messages.length = 0;
      while ((await t.app.get(MailWorker).runOnce()) > 0);
      const mail = sink.messages.find((m) => m.subject?.includes('每日提醒'))!;
      const tn = async (id: string) => (await request(t.http).get(`/api/v1/requests/${id}`).set(auth)).body.trackingNumber as string;
      const [overdueTn, soonTn, lapsedTn] = [await tn(overdueId), await tn(soonId), await tn(lapsedId)];
      const [overduePart, rest] = mail.text!.split('3 个工作日内到期');
      expect(overduePart).toContain(overdueTn);
      const [soonPart, lapsedPart] = rest.split('可一键办结');
      expect(soonPart).toContain(soonTn);
      expect(lapsedPart).toContain(lapsedTn);
      expect(mail.text).not.toContain('钱七');
      expect(mail.text).not.toContain(validResidentId());
    });
  });
});
