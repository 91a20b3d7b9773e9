import type { Browser, Page } from 'playwright-core';
import request from 'supertest';
import { bearer } from './support/builders';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromiumAvailable, launchBrowser, listen, screenshot, SCREENSHOT_DIR } from './support/browser';
import { ADMIN, createTestApp, TestApp } from './support/test-app';

const describeInBrowser = chromiumAvailable ? describe : describe.skip;

/**
 * Issue 16, newcomer run: the 督办 page and the roll-up page were wider than a phone (390 px):
 * their tables pushed the page to 620 px and 577 px and agency names wrapped one character per line.
 */
describeInBrowser('Roll-up and 督办 pages on a phone', () => {
  let t: TestApp;
  let base: string;
  let browser: Browser;

  beforeAll(async () => {
    t = await createTestApp({ AGENCY_CODE: 'xzf', AGENCY_NAME: '某县人民政府办公室' });
    base = await listen(t);
    browser = await launchBrowser();
    const admin = bearer(await t.adminToken());
    for (const [code, name] of [
      ['zjj', '某县住房和城乡建设局（某县人民防空办公室）'],
      ['zrzy', '某县自然资源和规划局'],
      ['scjg', '某县市场监督管理局'],
    ]) {
      await request(t.http).post('/api/v1/agencies').set(admin).send({ code, name, parent: 'xzf' }).expect(201);
    }
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  async function phone(): Promise<Page> {
    const page = await browser.newPage({ locale: 'zh-CN', viewport: { width: 390, height: 844 } });
    page.setDefaultTimeout(8000);
    await page.goto(`${base}/staff/login`);
    await page.fill('#username', ADMIN.username);
    await page.fill('#password', ADMIN.password);
    await page.click('form button[type=submit]');
    await page.waitForURL(`${base}/staff`);
    return page;
  }

  /** The page's width, and the narrowest agency-name cell's text width in characters (em) of its own font. */
  const measure = (page: Page, selector: string) =>
    page.evaluate((sel) => {
      const cells = [...document.querySelectorAll(sel)] as HTMLElement[];
      const ems = cells.map((c) => {
        const st = getComputedStyle(c);
        return (c.clientWidth - parseFloat(st.paddingLeft) - parseFloat(st.paddingRight)) / parseFloat(st.fontSize);
      });
      return { width: document.documentElement.scrollWidth, ems: Math.min(...ems), cells: cells.length };
    }, selector);
  /** The section holding the table, as the phone shows it. */
  const shoot = async (page: Page, selector: string, name: string) => {
    mkdirSync(SCREENSHOT_DIR, { recursive: true });
    await page.locator(selector).screenshot({ path: join(SCREENSHOT_DIR, `${name}.png`) });
  };

  it('the 督办 page fits 390 px; its table scrolls inside its box and names keep their width', async () => {
    const page = await phone();
    await page.goto(`${base}/staff/supervision`);
    await screenshot(page, '60-supervision-390');
    await shoot(page, 'section:has(table.supervision)', '60-supervision-390-table');
    const m = await measure(page, 'table.supervision tbody th');
    expect(m.cells).toBe(4);
    expect(m.width).toBeLessThanOrEqual(390);
    expect(m.ems).toBeGreaterThanOrEqual(8);
    await page.close();
  });

  it('the roll-up page fits 390 px; its tables scroll inside their boxes and names keep their width', async () => {
    const page = await phone();
    await page.goto(`${base}/staff/rollup/xzf/2026`);
    await screenshot(page, '61-rollup-390');
    await shoot(page, 'section:has(table.rollup-lines)', '61-rollup-390-agencies');
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: join(SCREENSHOT_DIR, '61-rollup-390-top.png') });
    const m = await measure(page, 'table.rollup-lines tbody th');
    expect(m.cells).toBe(4);
    expect(m.width).toBeLessThanOrEqual(390);
    expect(m.ems).toBeGreaterThanOrEqual(8);
    await page.close();
  });

  it('the filing page’s agency filter matches an agency’s code as well as its name', async () => {
    const page = await browser.newPage({ locale: 'zh-CN', viewport: { width: 390, height: 844 } });
    page.setDefaultTimeout(8000);
    await page.goto(`${base}/`);
    const shown = () => page.$$eval('#agency option', (os) => os.filter((o) => !(o as HTMLOptionElement).hidden && (o as HTMLOptionElement).value).map((o) => (o as HTMLOptionElement).value));
    expect(await page.getAttribute('#agency-filter', 'placeholder')).toBe('输入机关名称或代码筛选');
    await page.fill('#agency-filter', 'SCJG');
    expect(await shown()).toEqual(['scjg']);
    await page.fill('#agency-filter', '自然资源');
    expect(await shown()).toEqual(['zrzy']);
    await page.close();
  });
});
