import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { applicant, bearer, Desk } from './support/builders';
import { axeViolations, chromiumAvailable, launchBrowser, listen, screenshot } from './support/browser';
import { pdfBytes, sha256 } from './support/files';
import { createTestApp, TestApp } from './support/test-app';

const describeInBrowser = chromiumAvailable ? describe : describe.skip;

/** Issue 18 in a real browser: staff upload the reply on the request page, the applicant downloads it on a phone. */
describeInBrowser('The reply reaches the applicant, in a browser', () => {
  let t: TestApp;
  let base: string;
  let browser: Browser;

  beforeAll(async () => {
    t = await createTestApp();
    base = await listen(t);
    browser = await launchBrowser();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('staff upload the signed reply through the form; the citizen downloads it on a phone and delivery is recorded', async () => {
    const desk = new Desk(t, bearer(await t.token()), { applicant: applicant('natural_person', '手机用户', { phone: '13800000000' }), description: '申请公开某小区加装电梯的审批文件' });
    const filed = await desk.file();
    await desk.step(filed.id, { type: 'receipt_confirmed', on: '2026-06-15' }).expect(201);
    await desk.step(filed.id, { type: 'decided', on: '2026-06-15', outcome: 'granted' }).expect(201);
    const reply = pdfBytes(300_000, 'signed');
    const file = join(t.dir, '答复告知书（盖章）.pdf');
    writeFileSync(file, reply);

    const staff = await browser.newPage({ locale: 'zh-CN' });
    staff.setDefaultTimeout(8000);
    await staff.goto(`${base}/staff/login`);
    const clerk = await t.clerk();
    await staff.fill('#username', clerk.username);
    await staff.fill('#password', clerk.password);
    await staff.click('form button[type=submit]');
    await staff.waitForURL(`${base}/staff`);
    await staff.goto(`${base}/staff/requests/${filed.id}`);
    await staff.click('#attachments summary');
    await staff.fill('#attachment-title', '政府信息公开申请答复告知书');
    await staff.selectOption('#attachment-kind', 'reply');
    await staff.setInputFiles('#attachment-file', file);
    await staff.click('#attachments form[enctype] button[type=submit]');
    await staff.waitForURL(/done=attachment_added/);
    expect(await staff.textContent('.alert-ok')).toContain('文件已上传');
    expect(await staff.textContent('#attachments table')).toContain('答复告知书（盖章）.pdf');

    const phone = await browser.newContext({ locale: 'zh-CN', viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2, acceptDownloads: true });
    const page = await phone.newPage();
    page.setDefaultTimeout(8000);
    await page.goto(`${base}/status`);
    await page.fill('#trackingNumber', filed.trackingNumber);
    await page.fill('#accessCode', filed.accessCode);
    await page.click('form button[type=submit]');
    await page.waitForSelector('#attachments');
    expect(await page.textContent('#attachments')).toContain('政府信息公开申请答复告知书');
    // Nothing wider than the phone, and the button large enough to tap.
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
    const button = (await page.$('#attachments button'))!;
    const box = (await button.boundingBox())!;
    expect(box.height).toBeGreaterThanOrEqual(44);
    expect(box.x + box.width).toBeLessThanOrEqual(360);
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, '30-phone-status-attachments');

    const [download] = await Promise.all([page.waitForEvent('download'), button.tap()]);
    expect(download.suggestedFilename()).toBe('答复告知书（盖章）.pdf');
    expect(sha256(readFileSync(await download.path()))).toBe(sha256(reply));
    expect((await desk.detail(filed.id)).deliveries).toEqual([expect.objectContaining({ method: 'online', on: '2026-06-15' })]);

    // Staff see who downloaded, when.
    await staff.goto(`${base}/staff/requests/${filed.id}`);
    expect(await staff.textContent('#attachments table')).toContain('申请人网上下载');
    expect(await staff.textContent('#delivery')).toContain('网上下载');
    await screenshot(staff, '31-staff-attachments');
    await phone.close();
  }, 60_000);
});
