import request from 'supertest';
import { bearer, Desk, signIn } from './support/builders';
import { ADMIN, CLERK, createTestApp, openForm, TestApp, validResidentId } from './support/test-app';

type Agent = ReturnType<typeof request.agent>;

describe('Lifecycle through the staff pages', () => {
  let t: TestApp;
  let staff: Agent;
  let csrf: string;
  let desk: Desk;

  const post = (id: string, form: Record<string, string>) =>
    staff
      .post(`/staff/requests/${id}/events`)
      .type('form')
      .send({ _csrf: csrf, ...form });

  beforeAll(async () => {
    t = await createTestApp();
    t.clock.setNow('2026-06-15T02:00:00Z');
    desk = new Desk(t, bearer(await t.token()), {
      applicant: { type: 'legal_service_org', name: '某某律师事务所', organisationCode: '91350100M000100Y43', email: 'law@example.com' },
      channel: 'mail',
      description: '申请公开2025年行政处罚决定书<b>目录</b>',
      items: [{ description: '处罚决定书目录' }, { description: '听证笔录' }],
    });
    staff = await signIn(t, await t.clerk());
    csrf = (await openForm(staff, '/staff')).csrf;
  });
  afterAll(() => t.close());

  it('runs a request from receipt to reply with the forms, offering only the allowed steps', async () => {
    const { id } = await desk.register('2026-05-04');
    let page = await staff.get(`/staff/requests/${id}`).expect(200);
    expect(page.text).toContain('发出补正告知');
    expect(page.text).not.toContain('value="correction_received"');
    expect(page.text).toContain('申请公开2025年行政处罚决定书&lt;b&gt;目录&lt;/b&gt;');

    await post(id, { type: 'correction_requested', on: '2026-05-06', correctionDueOn: '2026-05-20', note: '请说明处罚决定书的年份范围', expectedVersion: '1' }).expect(303);
    page = await staff.get(`/staff/requests/${id}`).expect(200);
    expect(page.text).toContain('value="correction_received"');
    expect(page.text).not.toContain('value="correction_requested"');
    expect(page.text).toContain('正在等待申请人补正');

    await post(id, { type: 'correction_received', on: '2026-05-11' }).expect(303);
    await post(id, { type: 'consultation_started', on: '2026-05-12', party: 'third_party', note: '涉及被处罚企业' }).expect(303);
    await post(id, { type: 'consultation_ended', on: '2026-05-15' }).expect(303);
    await post(id, { type: 'extension_granted', on: '2026-05-18', extraWorkingDays: '5', approvedBy: '周主任', reason: '需逐件审查' }).expect(303);
    page = await staff.get(`/staff/requests/${id}`).expect(200);
    expect(page.text).toContain('征求第三方意见');
    expect(page.text).toContain('经批准延长 5 个工作日');
    expect(page.text).toContain('2026-05-11 收到补正后的申请');

    // D1: the reply's outcome must follow the items; "granted" with a withheld item is refused with the reason.
    const contradiction = await post(id, {
      type: 'decided',
      on: '2026-06-10',
      outcome: 'granted',
      reason: '听证笔录涉及第三方商业秘密',
      'itemOutcome[0]': '',
      'itemOutcome[1]': 'withheld_third_party_rights',
    }).expect(422);
    expect(contradiction.text).toContain('应按“（二） 部分公开”统计');
    await post(id, {
      type: 'decided',
      on: '2026-06-10',
      outcome: 'partially_granted',
      reason: '听证笔录涉及第三方商业秘密',
      'itemOutcome[0]': 'granted',
      'itemOutcome[1]': 'withheld_third_party_rights',
      'itemReason[1]': '听证笔录涉及第三方商业秘密',
    }).expect(303);
    page = await staff.get(`/staff/requests/${id}`).expect(200);
    expect(page.text).toContain('（二） 部分公开');
    expect(page.text).not.toContain('value="withdrawn"');
    // After conclusion the only step left is recording delivery (D17).
    expect(page.text.match(/name="type" value="([a-z_]+)"/g)).toEqual(['name="type" value="delivered"']);
    for (const label of ['登记收到申请', '发出补正告知', '收到补正材料', '发出征求意见', '征求意见结束', '延期答复', '作出答复']) expect(page.text).toContain(label);

    // Printable notices, one per step, never with identity numbers.
    for (const [kind, title, phrase] of [
      ['receipt', '政府信息公开申请登记回执', '收到申请之日为2026年5月4日'],
      ['correction', '补正申请告知书', '请说明处罚决定书的年份范围'],
      ['consultation', '政府信息公开征求意见书', '15个工作日'],
      ['extension', '延期答复告知书', '答复期限延长5个工作日'],
      ['reply', '政府信息公开申请答复告知书', '听证笔录涉及第三方商业秘密'],
    ]) {
      const notice = await staff.get(`/staff/requests/${id}/notices/${kind}`).expect(200);
      expect(notice.text).toContain(title);
      expect(notice.text).toContain(phrase);
      expect(notice.text).toContain('print.css');
      expect(notice.text).not.toContain('91350100M000100Y43');
    }
    // D16: partly withheld in 2026: review first for the withheld part, either remedy for the rest.
    const reply = (await staff.get(`/staff/requests/${id}/notices/reply`)).text;
    expect(reply).toContain('的规定先申请行政复议');
    expect(reply).toContain('自收到本告知书之日起六个月内依法向有管辖权的人民法院提起行政诉讼');
    await staff.get(`/staff/requests/${id}/notices/fee`).expect(404);
    await staff.get(`/staff/requests/${id}/notices/bogus`).expect(404);
  });

  it.each([
    [
      'fee notice → payment',
      [
        { type: 'fee_notice_issued', on: '2026-05-06', amountYuan: '500' },
        { type: 'fee_paid', on: '2026-05-08' },
      ],
      '缴纳信息处理费',
      'fee',
    ],
    ['Art. 35 delay', [{ type: 'deadline_set', on: '2026-05-06', dueOn: '2026-08-31', reason: '一次申请 300 件' }], '延迟答复期限', 'delay'],
    ['withdrawal', [{ type: 'withdrawn', on: '2026-05-06' }], '撤回', 'reply'],
  ])('%s through the forms', async (_name, steps, phrase, notice) => {
    const { id } = await desk.register('2026-05-04');
    for (const s of steps) await post(id, s as Record<string, string>).expect(303);
    const page = await staff.get(`/staff/requests/${id}`).expect(200);
    expect(page.text).toContain(phrase);
    await staff.get(`/staff/requests/${id}/notices/${notice}`).expect(200);
  });

  it('re-renders the page with the reason when a step is refused', async () => {
    const { id } = await desk.register('2026-05-04');
    const future = await post(id, { type: 'decided', on: '2026-07-01', outcome: 'granted' }).expect(422);
    expect(future.text).toContain('晚于今天');
    const noReason = await post(id, { type: 'decided', on: '2026-05-10', outcome: 'withheld_state_secret' }).expect(400);
    expect(noReason.text).toContain('必须说明理由');
    await post(id, { type: 'decided', on: '2026-05-10', outcome: 'granted' }).expect(303);
    const after = await post(id, { type: 'withdrawn', on: '2026-05-11' }).expect(409);
    expect(after.text).toContain('已于 2026-05-10 办结');
    const { id: stale } = await desk.register('2026-05-04');
    await post(stale, { type: 'consultation_started', on: '2026-05-05', party: 'agency', expectedVersion: '1' }).expect(303);
    const conflict = await post(stale, { type: 'consultation_ended', on: '2026-05-06', expectedVersion: '1' }).expect(409);
    expect(conflict.text).toContain('已被他人更新');
  });

  it('marks overdue and due-soon requests in the queue and offers one-click conclusion of lapsed corrections', async () => {
    const { id: overdue } = await desk.register('2026-05-06');
    const { id: soon } = await desk.register('2026-05-19');
    const { id: lapsed } = await desk.register('2026-06-01');
    await post(lapsed, { type: 'correction_requested', on: '2026-06-02', correctionDueOn: '2026-06-10' }).expect(303);
    const page = await staff.get('/staff').expect(200);
    const row = (id: string) => new RegExp(`<tr class="([^"]*)">\\s*<td><a href="/staff/requests/${id}">`).exec(page.text)?.[1];
    expect(row(overdue)).toContain('overdue');
    expect(row(soon)).toContain('due-soon');
    expect(page.text).toContain('期限已过，可一键办结');
    const lapsedTn = (await staff.get(`/staff/requests/${lapsed}`)).text.match(/申请 (\d{4}-\d{6})/)![1];
    expect(page.text).toContain(lapsedTn);
    await post(lapsed, { type: 'correction_lapsed', on: '2026-06-15' }).expect(303);
    const detail = await staff.get(`/staff/requests/${lapsed}`).expect(200);
    expect(detail.text).toContain('申请人无正当理由逾期不补正');
  });

  it('assigns a request to a staff member and filters the list by assignee', async () => {
    const { id } = await desk.register('2026-06-01');
    const me = (await t.dataSource.query(`SELECT id FROM staff_user WHERE username = '${CLERK.username}'`))[0].id;
    await staff.post(`/staff/requests/${id}/assign`).type('form').send({ _csrf: csrf, assigneeId: me }).expect(303);
    const mine = await staff.get('/staff/requests?assignee=me').expect(200);
    expect(mine.text).toContain(`/staff/requests/${id}`);
    expect(mine.text).toContain('共 1 件');
  });

  it('administers the holiday calendar and recomputes open deadlines', async () => {
    t.clock.setNow('2026-12-22T02:00:00Z');
    const fresh = await signIn(t, ADMIN);
    const page = await openForm(fresh, '/staff/calendar?year=2027');
    expect(page.html).toContain('未载入（暂定）');
    const id = await (async () => {
      const token = (await request(t.http).post('/api/v1/auth/token').send(CLERK)).body.token;
      return (
        await request(t.http)
          .post('/api/v1/requests')
          .set('Authorization', `Bearer ${token}`)
          .send({ applicant: { type: 'natural_person', name: '周九', idDocumentNumber: validResidentId() }, channel: 'in_person', receivedOn: '2026-12-21', description: '某文件' })
      ).body.id;
    })();
    const bad = await fresh.post('/staff/calendar/2027').type('form').send({ _csrf: page.csrf, holidays: '2027-01-01\n2027-03-03', makeUpWorkdays: '2027-03-04', source: '测试' }).expect(400);
    expect(bad.text).toContain('不是周末');
    const saved = await fresh.post('/staff/calendar/2027').type('form').send({ _csrf: page.csrf, holidays: '2027-01-01\n2027-01-04', makeUpWorkdays: '', source: '国办发明电（测试）' }).expect(303);
    expect(saved.headers.location).toMatch(/saved=\d+/);
    const detail = await fresh.get(`/staff/requests/${id}`).expect(200);
    expect(detail.text).toContain('答复期限由 2027-01-19 调整为 2027-01-20');
    t.clock.setNow('2026-06-15T02:00:00Z');
  });
});
