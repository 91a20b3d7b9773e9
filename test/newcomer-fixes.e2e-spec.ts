import request from 'supertest';
import { applicant, CLERK_PASSWORD, Desk, signIn, staffWithToken } from './support/builders';
import { createTestApp, openForm, TestApp } from './support/test-app';

/**
 * What a newcomer run in Chromium found: the list's date and outcome filters (linked from the
 * staff home and the digest) had no fields, so 筛选 dropped them; a registrar was shown the
 * assign form and refused on submit; the status page printed the report's row number to a
 * citizen; the look-up after filing started empty.
 */
describe('Newcomer findings', () => {
  let t: TestApp;
  let desk: Desk;

  beforeAll(async () => {
    t = await createTestApp();
    t.clock.setNow('2026-06-15T02:00:00Z');
    const clerk = await staffWithToken(t, 'nc.clerk', ['registrar', 'handler', 'approver']);
    await staffWithToken(t, 'nc.registrar', ['registrar'], '王登记');
    desk = new Desk(t, clerk.auth, { applicant: applicant('natural_person', '周九', { phone: '13900000000' }), description: '申请公开某公交线路调整方案' });
  });
  afterAll(() => t.close());

  it('the list keeps a received, concluded and due date range and an outcome in its form, so 筛选 does not drop them', async () => {
    const agent = await signIn(t, { username: 'nc.clerk', password: CLERK_PASSWORD });
    const page = await agent
      .get('/staff/requests')
      .query({ receivedFrom: '2026-06-01', receivedTo: '2026-06-30', concludedFrom: '2026-01-01', concludedTo: '2026-12-31', dueBefore: '2026-07-01', outcome: 'granted' })
      .expect(200);
    for (const [name, value] of [
      ['receivedFrom', '2026-06-01'],
      ['receivedTo', '2026-06-30'],
      ['concludedFrom', '2026-01-01'],
      ['concludedTo', '2026-12-31'],
      ['dueBefore', '2026-07-01'],
    ]) {
      expect(page.text).toContain(`name="${name}" value="${value}"`);
    }
    expect(page.text).toMatch(/<option value="granted" selected>（一） 予以公开<\/option>/);
  });

  it('the assign form is shown to those who may assign, not to a registrar', async () => {
    const { id } = await desk.register('2026-06-10');
    const clerk = await signIn(t, { username: 'nc.clerk', password: CLERK_PASSWORD });
    expect((await clerk.get(`/staff/requests/${id}`).expect(200)).text).toContain(`action="/staff/requests/${id}/assign"`);
    const registrar = await signIn(t, { username: 'nc.registrar', password: CLERK_PASSWORD });
    expect((await registrar.get(`/staff/requests/${id}`).expect(200)).text).not.toContain(`action="/staff/requests/${id}/assign"`);
  });

  it("the citizen's status page names the outcome in words, without the report's row number", async () => {
    const f = await desk.file();
    await desk.step(f.id, { type: 'receipt_confirmed', on: '2026-06-15' }).expect(201);
    await desk.step(f.id, { type: 'decided', on: '2026-06-15', outcome: 'granted' }).expect(201);
    const agent = request.agent(t.http);
    const form = await openForm(agent, '/status');
    const page = await agent.post('/status').type('form').send({ _csrf: form.csrf, trackingNumber: f.trackingNumber, accessCode: f.accessCode }).expect(200);
    expect(page.text).toContain('<dd>予以公开（<span class="nowrap">2026-06-15</span>）</dd>');
    expect(page.text).not.toContain('（一） 予以公开');
  });

  it('the look-up linked from the filing confirmation starts with the tracking number (never anything else from the address)', async () => {
    expect((await request(t.http).get('/status').query({ trackingNumber: '2026-000042' }).expect(200)).text).toContain('value="2026-000042"');
    const odd = await request(t.http).get('/status').query({ trackingNumber: '"><script>x</script>' }).expect(200);
    expect(odd.text).not.toContain('script>x');
  });
});
