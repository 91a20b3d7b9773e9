import request from 'supertest';
import { signIn } from './support/builders';
import { createTestApp, TestApp, validResidentId } from './support/test-app';

/**
 * Issue 14, small defect: the staff home's "due soon" figure counted only the first page of the
 * queue (20 rows, earliest due first), so with 20 overdue requests ahead of them the requests due
 * within 3 working days were not counted at all.
 */
describe('Staff home: "due soon" counts every open request due within 3 working days', () => {
  let t: TestApp;
  let agent: ReturnType<typeof request.agent>;
  let auth: { Authorization: string };
  const register = (receivedOn: string) =>
    request(t.http)
      .post('/api/v1/requests')
      .set(auth)
      .send({ applicant: { type: 'natural_person', name: '吴十', idDocumentNumber: validResidentId(), phone: '13800000000' }, channel: 'in_person', receivedOn, description: '申请公开某街道改造方案' })
      .expect(201);

  beforeAll(async () => {
    t = await createTestApp();
    t.clock.setNow('2026-06-15T02:00:00Z');
    auth = { Authorization: `Bearer ${await t.token()}` };
    agent = await signIn(t, await t.clerk());
  });
  afterAll(() => t.close());

  it('21 overdue requests fill the first page; the two due soon are still counted', async () => {
    // Received 2026-04-01: due 20 working days later, long past on 2026-06-15.
    for (let i = 0; i < 21; i++) await register('2026-04-01');
    // Received 2026-05-19 and 2026-05-20: due 2026-06-16 and 2026-06-17, within 3 working days of 2026-06-15 (to 18 June; 19 June is the Dragon Boat Festival).
    const soon = [(await register('2026-05-19')).body.dueOn, (await register('2026-05-20')).body.dueOn];
    // Received 2026-06-01: due in July, not soon.
    await register('2026-06-01');
    expect(soon).toEqual(['2026-06-16', '2026-06-17']);
    const html = (await agent.get('/staff').expect(200)).text;
    expect(html).toContain('，2 件 3 个工作日内到期）');
  });
});
