import ExcelJS from 'exceljs';
import type { Browser, Page } from 'playwright-core';
import { AuthService } from '../src/auth/auth.service';
import { axeViolations, chromiumAvailable, CHROMIUM, launchBrowser, listen, screenshot } from './support/browser';
import { ADMIN, CLERK, createTestApp, TestApp, validResidentId } from './support/test-app';

if (!chromiumAvailable) {
  console.warn(`Browser suite SKIPPED: Chromium not found at ${CHROMIUM}. Install it with: apt-get install -y --no-install-recommends chromium fonts-wqy-zenhei`);
}
const describeInBrowser = chromiumAvailable ? describe : describe.skip;

describeInBrowser('In a real browser (Debian Chromium)', () => {
  let t: TestApp;
  let base: string;
  let browser: Browser;
  let tracking = '';
  let accessCode = '';

  beforeAll(async () => {
    t = await createTestApp();
    t.clock.setNow('2026-06-15T02:00:00Z');
    base = await listen(t);
    browser = await launchBrowser();
    await t.app.get(AuthService).createUser('nianbao', '年报专员', 'Report-pass-2026', ['report_officer']);
    await t.clerk();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  async function signIn(page: Page, username: string, password: string) {
    await page.goto(`${base}/staff/login`);
    await page.fill('#username', username);
    await page.fill('#password', password);
    await page.click('form button[type=submit]');
    await page.waitForURL(`${base}/staff`);
  }

  it('a citizen files on a 375 px phone, fixes two mistakes, gets the codes and looks the status up', async () => {
    const page = await browser.newPage({ viewport: { width: 375, height: 740 }, locale: 'zh-CN', isMobile: true, hasTouch: true });
    await page.goto(`${base}/`);
    expect(await page.getAttribute('html', 'lang')).toBe('zh-CN');
    await page.check('input[name="applicant[type]"][value="natural_person"]');
    await page.fill('#applicant-name', '手机用户');
    await page.fill('#applicant-id', '110105194912310021'); // wrong check digit
    await page.fill('#applicant-email', 'not-an-email'); // mistake two
    await page.fill('#description', '申请公开本区2025年老旧小区改造项目清单');
    await page.fill('#item-0', '项目清单');
    await page.fill('#item-1', '资金安排');
    await page.click('form.card button[type=submit]');
    await page.waitForSelector('[role=alert]');
    await screenshot(page, '01-citizen-phone-errors');
    for (const [field, message] of [
      ['#applicant-id', '居民身份证号码无效'],
      ['#applicant-email', '电子邮箱格式无效'],
    ]) {
      expect(await page.getAttribute(field, 'aria-invalid')).toBe('true');
      const describedBy = await page.getAttribute(field, 'aria-describedby');
      expect(await page.textContent(`#${describedBy}`)).toContain(message);
    }
    expect(await page.inputValue('#description')).toBe('申请公开本区2025年老旧小区改造项目清单');
    expect(await axeViolations(page)).toEqual([]);
    await page.fill('#applicant-id', validResidentId());
    await page.fill('#applicant-email', 'phone@example.com');
    await page.click('form.card button[type=submit]');
    await page.waitForSelector('#tracking-number');
    tracking = (await page.textContent('#tracking-number'))!.trim();
    accessCode = (await page.textContent('#access-code'))!.trim();
    expect(tracking).toMatch(/^2026-\d{6}$/);
    expect(await page.textContent('main')).toContain('确认之日为收到申请之日');
    await screenshot(page, '02-citizen-phone-filed');
    expect(await axeViolations(page)).toEqual([]);
    await page.click('text=查询申请进度');
    await page.fill('#trackingNumber', tracking);
    await page.fill('#accessCode', accessCode);
    await page.click('form button[type=submit]');
    await page.waitForSelector('text=申请进度');
    expect(await page.textContent('main')).toContain('待确认收到');
    await screenshot(page, '03-citizen-phone-status');
    expect(await axeViolations(page)).toEqual([]);
    const box = await page.evaluate(() => document.documentElement.scrollWidth);
    expect(box).toBeLessThanOrEqual(375);
    await page.close();
  });

  it('the filing works with the keyboard alone', async () => {
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 }, locale: 'zh-CN' });
    await page.goto(`${base}/`);
    const values: Record<string, string> = {
      'applicant[name]': '键盘用户',
      'applicant[idDocumentNumber]': validResidentId(),
      'applicant[phone]': '13800138000',
      description: '只用键盘提交的申请',
    };
    let submitted = false;
    for (let i = 0; i < 60 && !submitted; i++) {
      await page.keyboard.press('Tab');
      const active = await page.evaluate(() => {
        const el = document.activeElement as HTMLInputElement | null;
        return { tag: el?.tagName, name: el?.name ?? '', type: el?.type ?? '', text: el?.textContent ?? '' };
      });
      if (active.name === 'applicant[type]') await page.keyboard.press('Space');
      else if (values[active.name]) await page.keyboard.type(values[active.name]);
      else if (active.tag === 'BUTTON' && active.text.includes('提交申请')) {
        await page.keyboard.press('Enter');
        submitted = true;
      }
    }
    expect(submitted).toBe(true);
    await page.waitForSelector('#tracking-number');
    expect(await page.textContent('#tracking-number')).toMatch(/^2026-\d{6}$/);
    await page.close();
  });

  it('staff confirm receipt, send and receive a correction, grant an extension, decide item by item, and print the reply', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, locale: 'zh-CN' });
    await signIn(page, CLERK.username, CLERK.password);
    await screenshot(page, '04-staff-dashboard');
    expect(await axeViolations(page)).toEqual([]);
    await page.click('nav >> text=待确认收到');
    const row = page.locator('tr', { hasText: tracking });
    await row.locator('button', { hasText: '确认收到' }).click();
    await page.waitForURL(/\/staff\/awaiting\?done=receipt_confirmed&request=/);
    expect(await page.textContent('[role=status]')).toContain(`申请 ${tracking}：已确认收到，答复期限为 `);
    await page.click('nav >> text=申请列表');
    await page.click(`a:has-text("${tracking}")`);
    await page.waitForSelector('h1');
    expect(await page.textContent('h1')).toContain('办理中');
    const detailUrl = page.url();
    const step = async (type: string, fill: Record<string, string>, select: Record<string, string> = {}) => {
      await page.locator(`details:has(input[name=type][value=${type}])`).evaluate((d) => ((d as HTMLDetailsElement).open = true));
      for (const [id, v] of Object.entries(fill)) await page.fill(`#${type}-${id}`, v);
      for (const [id, v] of Object.entries(select)) await page.selectOption(`#${id}`, v);
      await page.locator(`details:has(input[name=type][value=${type}]) button[type=submit]`).click();
      await page.waitForURL(`${detailUrl}?done=${type}`);
      expect(await page.textContent('[role=status]')).toMatch(/^已/);
    };
    await step('correction_requested', { on: '2026-06-15', correctionDueOn: '2026-06-25', note: '请写明小区名称' });
    expect(await page.textContent('main')).toContain('正在等待申请人补正');
    await step('correction_received', { on: '2026-06-15' });
    await step('extension_granted', { on: '2026-06-15', extraWorkingDays: '10', approvedBy: '王主任', reason: '需调取档案' });
    expect(await page.textContent('main')).toContain('经批准延长 10 个工作日');
    await step('decided', { on: '2026-06-15', reason: '资金安排涉及内部讨论' }, { 'decided-outcome': 'partially_granted', 'item-outcome-0': 'granted', 'item-outcome-1': 'withheld_process_info' });
    expect(await page.textContent('h1')).toContain('已办结');
    expect(await page.textContent('main')).toContain('（二） 部分公开');
    await screenshot(page, '05-staff-request-concluded');
    expect(await axeViolations(page)).toEqual([]);
    const [notice] = await Promise.all([page.waitForEvent('popup'), page.click('text=政府信息公开申请答复告知书')]);
    await notice.waitForLoadState();
    expect(await notice.textContent('article')).toContain('资金安排涉及内部讨论');
    expect(await notice.textContent('article')).toContain('自收到本告知书之日起六十日内依法向行政复议机关申请行政复议');
    expect(await notice.textContent('article')).toContain('二、');
    await screenshot(notice, '06-reply-notice');
    const pdf = await notice.pdf({ format: 'A4' });
    expect((pdf.toString('latin1').match(/\/Type\s*\/Page[^s]/g) ?? []).length).toBe(1);
    await page.close();
  });

  it('the report officer opens the report, clicks a number, sees the requests behind it, and downloads the XLSX', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'zh-CN', acceptDownloads: true });
    const page = await context.newPage();
    await signIn(page, 'nianbao', 'Report-pass-2026');
    expect(await page.locator('nav a', { hasText: '登记申请' }).count()).toBe(0);
    await page.click('nav >> text=年度报表');
    await page.goto(`${base}/staff/reports/2026`);
    await screenshot(page, '07-report');
    expect(await axeViolations(page)).toEqual([]);
    const cell = page.locator('a[href*="/cells/partially_granted/total"]');
    expect((await cell.textContent())!.trim()).toBe('1');
    await cell.click();
    await page.waitForSelector(`text=${tracking}`);
    expect(await page.textContent('main')).toContain('共 1 件');
    await screenshot(page, '08-report-cell');
    await page.goBack();
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('.toolbar >> text=Excel 表格')]);
    const file = await download.path();
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(file);
    const values = wb.worksheets[0]
      .getSheetValues()
      .flat()
      .filter((v) => v !== undefined && v !== null);
    expect(values).toContain('（二）部分公开（区分处理的，只计这一情形，不计其他情形）');
    await page.goto(`${base}/staff?year=2026`);
    await screenshot(page, '09-dashboard-report-officer');
    await context.close();
  });

  it('has no serious or critical axe violations on the other main pages', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, locale: 'zh-CN' });
    for (const path of ['/', '/status']) {
      await page.goto(`${base}${path}`);
      expect([path, await axeViolations(page)]).toEqual([path, []]);
    }
    // The administrator's pages, then the clerk's (separation of duties).
    const admin = await browser.newPage({ viewport: { width: 1280, height: 900 }, locale: 'zh-CN' });
    await signIn(admin, ADMIN.username, ADMIN.password);
    for (const path of ['/staff/calendar', '/staff/accounts', '/staff/password']) {
      await admin.goto(`${base}${path}`);
      expect([path, await axeViolations(admin)]).toEqual([path, []]);
    }
    await admin.close();
    await signIn(page, CLERK.username, CLERK.password);
    for (const path of ['/staff/requests', '/staff/requests/new', '/staff/awaiting', '/staff/review-cases', '/staff/import', '/staff/password']) {
      await page.goto(`${base}${path}`);
      expect([path, await axeViolations(page)]).toEqual([path, []]);
    }
    await page.goto(`${base}/staff/requests/new`);
    await page.click('form.card button[type=submit]');
    await page.waitForSelector('[role=alert]');
    await screenshot(page, '10-staff-register-errors');
    expect(await axeViolations(page)).toEqual([]);
    await page.close();
  });
});
