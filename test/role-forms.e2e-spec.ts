import request from 'supertest';
import { Role } from '../src/auth/roles';
import { applicant, bearer, Desk } from './support/builders';
import { createRoleUsers } from './support/roles';
import { createTestApp, TestApp } from './support/test-app';

type Users = Awaited<ReturnType<typeof createRoleUsers>>;

/** The step types a rendered request page offers (its hidden `type` inputs). */
const offeredSteps = (html: string): string[] => [...html.matchAll(/name="type" value="([a-z_]+)"/g)].map((m) => m[1]);
/** The values of the reply form's outcome select. */
const outcomeOptions = (html: string): string[] => {
  const select = /<select id="decided-outcome"[^>]*>([\s\S]*?)<\/select>/.exec(html)?.[1] ?? '';
  return [...select.matchAll(/<option value="([a-z_]+)"/g)].map((m) => m[1]);
};

describe('The request page gives each role its own forms', () => {
  let t: TestApp;
  let users: Users;
  let desk: Desk;

  const page = (role: Role, id: string, query = '') => users[role].agent.get(`/staff/requests/${id}${query}`).expect(200);
  const post = (role: Role, id: string, form: Record<string, string>) =>
    users[role].agent
      .post(`/staff/requests/${id}/events`)
      .type('form')
      .send({ _csrf: users[role].csrf, ...form });

  beforeAll(async () => {
    t = await createTestApp();
    t.clock.setNow('2026-06-15T02:00:00Z');
    users = await createRoleUsers(t);
    desk = new Desk(t, bearer(await t.token()), {
      applicant: applicant('natural_person', '张三', { email: 'zhang@example.com' }),
      description: '申请公开2025年行政处罚决定书目录',
      items: [{ description: '处罚决定书目录' }, { description: '听证笔录' }],
    });
  });
  afterAll(() => t.close());

  it('offers receipt confirmation to the registrar only, and processing steps to the handler only', async () => {
    const filed = await desk.file();
    expect(offeredSteps((await page('registrar', filed.id)).text)).toEqual(['receipt_confirmed']);
    expect(offeredSteps((await page('handler', filed.id)).text)).not.toContain('receipt_confirmed');
    expect(offeredSteps((await page('approver', filed.id)).text)).toEqual([]);

    const { id } = await desk.register('2026-06-10');
    const handler = offeredSteps((await page('handler', id)).text);
    const approver = offeredSteps((await page('approver', id)).text);
    expect(handler).toEqual(expect.arrayContaining(['correction_requested', 'consultation_started', 'decided']));
    expect(handler).not.toContain('extension_granted');
    expect(approver).toContain('extension_granted');
    expect(approver).not.toContain('correction_requested');
    expect(offeredSteps((await page('registrar', id)).text)).toEqual([]);
  });

  it('offers in the reply only the outcomes the account may record, and says who records the others', async () => {
    const { id } = await desk.register('2026-06-10');
    const handler = (await page('handler', id)).text;
    const approver = (await page('approver', id)).text;
    expect(outcomeOptions(handler)).toContain('granted');
    expect(outcomeOptions(handler).filter((o) => o.startsWith('withheld_') || o === 'partially_granted')).toEqual([]);
    expect(handler).toContain('其他答复结果须由审核人员办理');
    expect(handler).not.toContain('name="itemOutcome[1]"');
    expect(handler).toContain('各项答复结果不同的，须由审核人员办理');
    expect(outcomeOptions(approver)).toEqual(expect.arrayContaining(['partially_granted', 'withheld_state_secret']));
    expect(outcomeOptions(approver)).not.toContain('granted');
    expect(approver).toContain('name="itemOutcome[1]"');
  });

  it('names the role that may take a refused step, and keeps what was typed', async () => {
    const { id } = await desk.register('2026-06-10');
    const refused = await post('handler', id, { type: 'extension_granted', on: '2026-06-15', extraWorkingDays: '7', reason: '需逐件审查卷宗' }).expect(403);
    expect(refused.text).toContain('该步骤须由审核人员办理');
    // A form refused for a wrong entry comes back with the entry in it.
    const invalid = await post('handler', id, { type: 'fee_notice_issued', on: '2026-06-15', amountYuan: '-5', note: '复印费' });
    expect(invalid.status).toBeGreaterThanOrEqual(400);
    expect(invalid.text).toContain('复印费</textarea>');
    expect(invalid.text).toMatch(/id="fee_notice_issued-amountYuan" name="amountYuan" type="number" value="-5"/);

    const byApprover = await post('approver', id, { type: 'correction_requested', on: '2026-06-15', correctionDueOn: '2026-06-30', note: '请写明年份' }).expect(403);
    expect(byApprover.text).toContain('该步骤须由承办人员办理');
    expect(byApprover.text).not.toContain('须由审核人员办理');

    const withheld = await post('handler', id, { type: 'decided', on: '2026-06-15', outcome: 'withheld_state_secret', reason: '属于国家秘密' }).expect(403);
    expect(withheld.text).toContain('该步骤须由审核人员办理');
    expect(withheld.text).toContain('属于国家秘密</textarea>');
    const confirm = await post('handler', (await desk.file()).id, { type: 'receipt_confirmed', on: '2026-06-15' }).expect(403);
    expect(confirm.text).toContain('该步骤须由登记人员办理');
  });

  it('confirms each step on the page it returns to, from the stored record and never from the address', async () => {
    const filed = await desk.file();
    const confirmed = await post('registrar', filed.id, { type: 'receipt_confirmed', on: '2026-06-15' }).expect(303);
    expect(confirmed.headers.location).toBe(`/staff/requests/${filed.id}?done=receipt_confirmed`);
    expect((await page('registrar', filed.id, '?done=receipt_confirmed')).text).toContain('已确认收到，答复期限为 2026年7月14日。');

    const corrected = await post('handler', filed.id, { type: 'correction_requested', on: '2026-06-15', correctionDueOn: '2026-06-30', note: '请写明年份' }).expect(303);
    expect((await users.handler.agent.get(corrected.headers.location).expect(200)).text).toContain('已发出补正告知，补正期限为 2026年6月30日');

    // A code the record does not bear out, or text in the address, shows nothing.
    for (const done of ['decided', '%3Cb%3E%E5%B7%B2%E6%89%B9%E5%87%86%3C%2Fb%3E', 'constructor']) {
      const html = (await page('handler', filed.id, `?done=${done}`)).text;
      expect(html).not.toContain('role="status"');
      expect(html).not.toContain('已批准');
    }
  });

  it('lists as assignees only the accounts that can handle requests, and refuses another', async () => {
    const { id } = await desk.register('2026-06-10');
    const html = (await page('handler', id)).text;
    const select = /<select id="assigneeId"[^>]*>([\s\S]*?)<\/select>/.exec(html)![1];
    const values = [...select.matchAll(/<option value="([^"]*)"/g)].map((m) => m[1]).filter(Boolean);
    expect(values).toContain(users.handler.id);
    for (const role of ['registrar', 'approver', 'report_officer', 'administrator'] as Role[]) expect(values).not.toContain(users[role].id);

    const assign = (assigneeId: string) => users.handler.agent.post(`/staff/requests/${id}/assign`).type('form').send({ _csrf: users.handler.csrf, assigneeId });
    expect((await assign(users.approver.id)).status).toBe(400);
    const done = await assign(users.handler.id).expect(303);
    expect((await users.handler.agent.get(done.headers.location).expect(200)).text).toContain('已指定承办人：handler 用户。');
    const list = (await request(t.http).get(`/api/v1/requests/${id}`).set(bearer(users.handler.token)).expect(200)).body;
    expect(list.assigneeId).toBe(users.handler.id);
  });
});
