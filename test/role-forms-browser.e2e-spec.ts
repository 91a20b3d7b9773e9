import type { Browser, Page } from 'playwright-core';
import { AuthService } from '../src/auth/auth.service';
import { bearer, Desk } from './support/builders';
import { chromiumAvailable, launchBrowser, listen, screenshot } from './support/browser';
import { ADMIN, createTestApp, TestApp, validResidentId } from './support/test-app';

const describeInBrowser = chromiumAvailable ? describe : describe.skip;
const PASSWORD = 'Role-pass-2026';

describeInBrowser('Role-specific forms and the staff list in a real browser', () => {
  let t: TestApp;
  let base: string;
  let browser: Browser;

  beforeAll(async () => {
    t = await createTestApp();
    t.clock.setNow('2026-06-15T02:00:00Z');
    base = await listen(t);
    browser = await launchBrowser();
    const auth = t.app.get(AuthService);
    await auth.createUser('chengban', '承办员', PASSWORD, ['handler']);
    await auth.createUser('shenhe', '审核员', PASSWORD, ['approver']);
    // Enough accounts, with long names, for the list to be a real one.
    for (let i = 0; i < 6; i++) await auth.createUser(`staff_member_with_long_name_${i}`, `政务公开科工作人员${i}号`, PASSWORD, ['registrar', 'handler', 'approver', 'report_officer']);
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  async function signIn(page: Page, username: string, password: string): Promise<void> {
    await page.goto(`${base}/staff/login`);
    await page.fill('#username', username);
    await page.fill('#password', password);
    await page.click('form button[type=submit]');
    await page.waitForURL(`${base}/staff`);
  }

  const stepTypes = (page: Page) => page.$$eval('form.step-form input[name="type"]', (inputs) => inputs.map((i) => (i as HTMLInputElement).value));

  it('shows the approver and the handler different step forms, and confirms the step taken', async () => {
    const desk = new Desk(t, bearer(await t.token()), {
      applicant: { type: 'natural_person', name: '张三', idDocumentNumber: validResidentId() },
      description: '申请公开2025年行政处罚决定书目录',
    });
    const { id } = await desk.register('2026-06-10');

    const handler = await browser.newPage({ locale: 'zh-CN' });
    handler.setDefaultTimeout(8000);
    await signIn(handler, 'chengban', PASSWORD);
    await handler.goto(`${base}/staff/requests/${id}`);
    const handlerSteps = await stepTypes(handler);
    expect(handlerSteps).toContain('correction_requested');
    expect(handlerSteps).not.toContain('extension_granted');
    const handlerOutcomes = await handler.$$eval('#decided-outcome option', (os) => os.map((o) => (o as HTMLOptionElement).value).filter(Boolean));
    expect(handlerOutcomes).toContain('granted');
    expect(handlerOutcomes).not.toContain('withheld_state_secret');
    await screenshot(handler, '20-handler-steps');

    const approver = await browser.newPage({ locale: 'zh-CN' });
    approver.setDefaultTimeout(8000);
    await signIn(approver, 'shenhe', PASSWORD);
    await approver.goto(`${base}/staff/requests/${id}`);
    const approverSteps = await stepTypes(approver);
    expect(approverSteps).toContain('extension_granted');
    expect(approverSteps).not.toContain('correction_requested');
    expect(approverSteps).not.toEqual(handlerSteps);

    // The approver grants an extension from the form and sees the confirmation with the new deadline.
    await approver.$eval('details:has(input[name="type"][value="extension_granted"])', (d) => ((d as HTMLDetailsElement).open = true));
    await approver.fill('#extension_granted-extraWorkingDays', '10');
    await approver.fill('#extension_granted-reason', '需逐件审查卷宗');
    await approver.click('form.step-form:has(input[value="extension_granted"]) button[type=submit]');
    await approver.waitForSelector('[role=status]');
    expect(await approver.textContent('[role=status]')).toMatch(/^已延期答复 10 个工作日，答复期限为 2026年\d+月\d+日。$/);
    await screenshot(approver, '21-approver-confirmation');
    await handler.close();
    await approver.close();
  });

  it('fits the staff accounts list on a 375 px phone without horizontal scrolling', async () => {
    const page = await browser.newPage({ viewport: { width: 375, height: 740 }, locale: 'zh-CN', isMobile: true, hasTouch: true });
    await signIn(page, ADMIN.username, ADMIN.password);
    await page.goto(`${base}/staff/accounts`);
    await screenshot(page, '22-accounts-phone');
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    // Every account's name and its controls are inside the screen, not cut off.
    const outside = await page.$$eval('table.accounts td, table.accounts button', (els) => els.filter((e) => e.getBoundingClientRect().right > window.innerWidth + 0.5).length);
    expect(outside).toBe(0);
    expect(await page.textContent('table.accounts')).toContain('政务公开科工作人员5号');
    await page.close();
  });
});
