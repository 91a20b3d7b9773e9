import ExcelJS from 'exceljs';
import { encode } from 'iconv-lite';
import type { Browser, Page } from 'playwright-core';
import { AuthService } from '../src/auth/auth.service';
import { chromiumAvailable, launchBrowser, listen, screenshot } from './support/browser';
import { createTestApp, TestApp } from './support/test-app';

const describeInBrowser = chromiumAvailable ? describe : describe.skip;
const HEADER = ['申请人类型', '申请人姓名或名称', '申请方式', '收到申请日期', '申请内容', '办理结果', '办结日期', '理由说明'];

describeInBrowser('Importing Chinese ledgers in a real browser (Debian Chromium)', () => {
  let t: TestApp;
  let base: string;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    t = await createTestApp();
    t.clock.setNow('2026-06-15T02:00:00Z');
    base = await listen(t);
    browser = await launchBrowser();
    await t.app.get(AuthService).createUser('taizhang', '台账录入员', 'Ledger-pass-2026', ['registrar', 'handler', 'approver']);
    page = await browser.newPage({ viewport: { width: 1280, height: 900 }, locale: 'zh-CN' });
    await page.goto(`${base}/staff/login`);
    await page.fill('#username', 'taizhang');
    await page.fill('#password', 'Ledger-pass-2026');
    await page.click('form button[type=submit]');
    await page.waitForURL(`${base}/staff`);
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  async function importFile(name: string, mimeType: string, buffer: Buffer): Promise<string> {
    await page.goto(`${base}/staff/import`);
    await page.setInputFiles('#ledger', { name, mimeType, buffer });
    await page.click('#import-form button[type=submit]');
    await page.waitForSelector('.alert');
    return (await page.textContent('main'))!;
  }

  it('imports an Excel workbook with Chinese headings, values and date cells', async () => {
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('台账');
    sheet.addRow(HEADER);
    sheet.addRow(['自然人', '表格甲', '当面', new Date(Date.UTC(2025, 2, 7)), '申请公开某项目批复', '予以公开', new Date(Date.UTC(2025, 2, 19))]);
    sheet.addRow(['商业企业', '表格乙有限公司', '邮寄', '2025年3月10日', '申请公开某合同', '属于国家秘密', '2025/4/1', '该合同经确定为国家秘密']);
    sheet.getColumn(4).numFmt = 'yyyy/m/d';
    sheet.getColumn(7).numFmt = 'yyyy/m/d';
    const text = await importFile('台账.xlsx', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', Buffer.from(await workbook.xlsx.writeBuffer()));
    await screenshot(page, 'import-01-xlsx');
    expect(text).toContain('已导入 2 件申请');
    expect(text).toMatch(/编号 2025-\d{6} 至 2025-\d{6}/);
    expect(text).toContain('已读取 Excel 工作簿的第一个工作表');
    const names = await t.dataSource.query("SELECT name FROM applicant WHERE name LIKE '表格%' ORDER BY name");
    expect(names.map((r: { name: string }) => r.name)).toEqual(['表格乙有限公司', '表格甲']);
  });

  it('imports a GBK CSV (Excel\'s "CSV (逗号分隔)") with Chinese headings and values, the names intact', async () => {
    const csv = `${HEADER.join(',')}\r\n自然人,欧阳娜娜,当面,2025年3月7日,申请公开某街道的拆迁补偿方案,予以公开,2025年3月20日\r\n`;
    const text = await importFile('台账.csv', 'text/csv', encode(csv, 'gbk'));
    await screenshot(page, 'import-02-gbk');
    expect(text).toContain('已导入 1 件申请');
    expect(text).toContain('文件按 GBK/GB18030 编码读取');
    expect(text).not.toContain('\uFFFD');
    const [row] = await t.dataSource.query("SELECT a.name AS name, r.tracking_number AS number FROM applicant a JOIN information_request r ON r.applicant_id = a.id WHERE a.name = '欧阳娜娜'");
    expect(row.number).toMatch(/^2025-/);
  });

  it('shows a bad row of a Chinese ledger by line, in Chinese, and writes nothing', async () => {
    const before = await t.count('information_request');
    const csv = `${HEADER.join(',')}\r\n公司,某人,当面,2025-03-07,某信息,,\r\n`;
    const text = await importFile('台账.csv', 'text/csv', encode(csv, 'gbk'));
    expect(text).toContain('申请人类型 无效：公司。可填：自然人');
    expect(await t.count('information_request')).toBe(before);
  });
});
