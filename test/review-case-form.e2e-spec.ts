import { applicant, bearer, Desk, signIn } from './support/builders';
import { createTestApp, openForm, TestApp } from './support/test-app';

/** The message shown beside one field of the review-case form. */
const besideField = (html: string, field: string): string | undefined => new RegExp(`<p class="error" id="err-${field}">([^<]*)</p>`).exec(html)?.[1];

describe('The review-case form', () => {
  let t: TestApp;
  let tracking: string;

  beforeAll(async () => {
    t = await createTestApp();
    t.clock.setNow('2026-06-15T02:00:00Z');
    const desk = new Desk(t, bearer(await t.token()), { applicant: applicant('natural_person', '张三'), description: '申请公开某项目环评批复' });
    tracking = (await desk.register('2026-06-01')).trackingNumber;
  });
  afterAll(() => t.close());

  it('takes the tracking number as people type it (full-width dash or none) and lists the case under it', async () => {
    const staff = await signIn(t, await t.clerk());
    for (const typed of [tracking.replace('-', '－'), tracking.replace('-', '')]) {
      const { csrf } = await openForm(staff, '/staff/review-cases');
      const saved = await staff.post('/staff/review-cases').type('form').send({ _csrf: csrf, kind: 'administrative_review', filedOn: '2026-06-10', trackingNumber: typed });
      expect(saved.status).toBe(303);
    }
    const page = await staff.get('/staff/review-cases').expect(200);
    expect(page.text.split(tracking).length - 1).toBeGreaterThanOrEqual(2);
    expect(page.text).toContain('所涉申请编号');
    expect(page.text).not.toContain('申请 id');
  });

  it('answers in Chinese sentences beside the fields, never with codes', async () => {
    const staff = await signIn(t, await t.clerk());
    const { csrf } = await openForm(staff, '/staff/review-cases');
    const unknown = await staff.post('/staff/review-cases').type('form').send({ _csrf: csrf, kind: 'administrative_review', filedOn: '2026-06-10', trackingNumber: '2026－999999' });
    expect(unknown.status).toBe(400);
    expect(besideField(unknown.text, 'trackingNumber')).toBe('没有编号为 2026－999999 的申请，请核对申请编号（如 2026-000001）。');
    expect(unknown.text).toContain('value="2026－999999"');

    const noKind = await staff.post('/staff/review-cases').type('form').send({ _csrf: csrf, filedOn: '2026-06-10', trackingNumber: tracking });
    expect(noKind.status).toBe(400);
    const message = besideField(noKind.text, 'kind')!;
    expect(message).toContain('行政复议');
    expect(message).not.toMatch(/[a-z_]{4,}/);
    expect(noKind.text).toContain(`value="${tracking}"`);
    const alert = /<div class="alert alert-error"[\s\S]*?<\/div>/.exec(noKind.text)![0];
    expect(alert).not.toMatch(/administrative_review|litigation_direct/);
  });
});
