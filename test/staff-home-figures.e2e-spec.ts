import request from 'supertest';
import { DashboardService } from '../src/dashboard/dashboard.service';
import { createTestApp, openForm, TestApp, validResidentId } from './support/test-app';

/**
 * Issue 15: the staff home does not compute the year's aggregates on every load. It shows a copy
 * at most a minute old, dated on the page, and computes the next one in the background; the
 * counts of now (open, overdue, awaiting confirmation) stay live.
 */
describe('Staff home: the year figures from a dated copy, the counts of now live', () => {
  let t: TestApp;
  let agent: ReturnType<typeof request.agent>;
  let auth: { Authorization: string };
  const at = (hhmmss: string) => t.clock.setNow(`2026-06-15T${hhmmss}Z`);
  const received = (html: string) => Number(/<span class="num">(\d+)<\/span><span>2026 年收到<\/span>/.exec(html)?.[1]);
  const openNow = (html: string) => Number(/<span class="num">(\d+)<\/span><span>办理中<\/span>/.exec(html)?.[1]);
  const asOf = (html: string) => /id="figures-as-of">全年数字截至 ([\d-]+ [\d:]+)/.exec(html)?.[1];
  const home = async () => (await agent.get('/staff').expect(200)).text;
  const register = () =>
    request(t.http)
      .post('/api/v1/requests')
      .set(auth)
      .send({
        applicant: { type: 'natural_person', name: '周九', idDocumentNumber: validResidentId(), phone: '13800000000' },
        channel: 'in_person',
        receivedOn: '2026-06-15',
        description: '申请公开某河道整治方案',
      })
      .expect(201);

  beforeAll(async () => {
    t = await createTestApp();
    at('02:00:00');
    auth = { Authorization: `Bearer ${await t.token()}` };
    agent = request.agent(t.http);
    const login = await openForm(agent, '/staff/login');
    await agent
      .post('/staff/login')
      .type('form')
      .send({ _csrf: login.csrf, ...(await t.clerk()) })
      .expect(303);
  });
  afterAll(() => t.close());

  it('a write shows in the live counts at once and in the year figures after the next refresh, which the page dates', async () => {
    await register();
    const first = await home();
    expect(received(first)).toBe(1);
    expect(asOf(first)).toBe('2026-06-15 10:00');

    await register();
    at('02:00:30');
    const cached = await home();
    // The year's figures are the copy of 10:00; the open count is read now.
    expect([received(cached), asOf(cached)]).toEqual([1, '2026-06-15 10:00']);
    expect(openNow(cached)).toBe(2);
    expect((await t.app.get(DashboardService).stats(2026)).receivedByMonth[5].total).toBe(2);

    // A minute on: the old copy is shown once more while the new one is computed, then the new one.
    at('02:01:05');
    expect(received(await home())).toBe(1);
    let html = '';
    for (let i = 0; i < 50 && received(html) !== 2; i++) {
      await new Promise((r) => setTimeout(r, 20));
      html = await home();
    }
    expect([received(html), asOf(html), openNow(html)]).toEqual([2, '2026-06-15 10:01', 2]);
  });
});
