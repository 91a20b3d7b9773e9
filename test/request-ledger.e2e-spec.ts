import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import JSZip from 'jszip';
import request from 'supertest';
import { RequestLedgerService } from '../src/requests/request-ledger.service';
import { applicant, CLERK_PASSWORD, Desk, Registered, signIn, staffWithToken } from './support/builders';
import { readXlsx } from './support/office';
import { createTestApp, TestApp, validResidentId } from './support/test-app';

const HEADERS = ['申请编号', '收到申请之日', '提交渠道', '申请人类型', '申请人姓名或名称', '申请内容', '答复期限', '延期（工作日数/批准日期）', '办结日期', '办理结果', '是否按期', '送达日期'];

/** Personal data given at registration that must never appear in a ledger file. */
const SECRETS = [validResidentId(), '13800001111', 'sun@example.com', '某市某区某路1号', '91350100M000100Y43', '0591-87654321', 'corp@example.com', '某市某区某路2号'];

function binary(res: request.Response, callback: (err: Error | null, body: Buffer) => void): void {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => callback(null, Buffer.concat(chunks)));
}

/** The CSV as a spreadsheet would read it: BOM dropped, RFC 4180 fields. */
function readCsv(body: Buffer): string[][] {
  expect([...body.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
  const rows: string[][] = parse(body.subarray(3).toString('utf8'), { relax_column_count: false });
  return rows;
}

/** An href as the browser reads it from the page. */
function hrefOf(html: string, id: string): string {
  const raw = new RegExp(`id="${id}" href="([^"]+)"`).exec(html)![1];
  return raw.replace(/&#x3D;/g, '=').replace(/&amp;/g, '&');
}

/** Every text entry of the XLSX zip, as one string: what a scan for leaked data must read. */
async function xlsxText(body: Buffer): Promise<string> {
  const zip = await JSZip.loadAsync(body);
  const parts = await Promise.all(Object.values(zip.files).map((f) => f.async('string')));
  return parts.join('\n');
}

/** Item 9: the request ledger (依申请公开台账), over the API and from the request list. */
describe('Request ledger export', () => {
  let t: TestApp;
  let auth: { Authorization: string };
  let desk: Desk;
  /** Every request of the ledger, by a name for what it shows. */
  const filed: Record<string, Registered> = {};

  const exportApi = (query: string) => request(t.http).get(`/api/v1/requests/export?${query}`).set(auth).buffer(true).parse(binary);

  beforeAll(async () => {
    t = await createTestApp();
    t.clock.setNow('2025-06-16T02:00:00Z');
    ({ auth } = await staffWithToken(t, 'ledger_clerk'));
    desk = new Desk(t, auth, {
      applicant: applicant('natural_person', '孙八', { phone: '13800001111', email: 'sun@example.com', address: '某市某区某路1号' }),
      description: '申请公开某道路工程批复',
    });

    // Concluded late: due 2025-03-31, replied 2025-04-20, one item released and one withheld.
    filed.late = await desk.register('2025-03-03', { items: [{ description: '工程批复' }, { description: '施工单位人员名单' }] });
    await desk
      .step(filed.late.id, {
        type: 'decided',
        on: '2025-04-20',
        outcome: 'partially_granted',
        itemOutcomes: [
          { item: 0, outcome: 'granted' },
          { item: 1, outcome: 'withheld_third_party_rights', reason: '涉及个人隐私' },
        ],
      })
      .expect(201);
    // Extended, replied in time and delivered by post.
    filed.delivered = await desk.register('2025-05-06', {
      applicant: { type: 'commercial_enterprise', name: '某某科技有限公司', organisationCode: '91350100M000100Y43', phone: '0591-87654321', email: 'corp@example.com', address: '某市某区某路2号' },
      channel: 'mail',
      description: '申请公开某项目环评批复',
    });
    await desk.step(filed.delivered.id, { type: 'extension_granted', on: '2025-05-20', extraWorkingDays: 10, approvedBy: '王主任', reason: '需调取档案' }).expect(201);
    await desk.step(filed.delivered.id, { type: 'decided', on: '2025-06-10', outcome: 'granted' }).expect(201);
    await desk.step(filed.delivered.id, { type: 'delivered', on: '2025-06-12', method: 'post', reference: 'EMS1098765432' }).expect(201);
    await desk.step(filed.delivered.id, { type: 'delivered', on: '2025-06-13', method: 'email' }).expect(201);
    // Open, in time; open past its due date; received the year before; an unconfirmed online submission.
    filed.open = await desk.register('2025-06-09', { description: '申请公开某桥梁检测报告' });
    filed.openLate = await desk.register('2025-04-01', { description: '申请公开某隧道竣工验收文件' });
    filed.lastYear = await desk.register('2024-12-20');
    filed.awaiting = await desk.file({ applicant: applicant('natural_person', '周九', { phone: '13800001111' }), description: '申请公开某公交线路调整方案' });
    // Text an attacker would type: a formula, quotes, a comma, a line break.
    filed.formula = await desk.register('2025-06-10', {
      applicant: { type: 'natural_person', name: '=HYPERLINK("http://evil.example","点我")', idDocumentNumber: validResidentId(), phone: '13800001111' },
      description: '@SUM(1+1)，"引号",逗号\n第二行',
    });
  }, 60_000);
  afterAll(() => t.close());

  it('lists the applications received in the year, one line each, with the Chinese headers and their values', async () => {
    const res = await exportApi('year=2025&format=csv').expect(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toMatch(/^attachment; filename="request-ledger-2025\.csv"; filename\*=UTF-8''/);
    expect(res.headers['cache-control']).toBe('no-store');
    const [header, ...rows] = readCsv(res.body);
    expect(header).toEqual(HEADERS);
    const byNumber = new Map(rows.map((r) => [r[0], r]));
    expect([...byNumber.keys()].sort()).toEqual(
      [filed.late.trackingNumber, filed.delivered.trackingNumber, filed.open.trackingNumber, filed.openLate.trackingNumber, filed.formula.trackingNumber].sort(),
    );
    // Ordered by receipt date.
    expect(rows.map((r) => r[1])).toEqual([...rows.map((r) => r[1])].sort());

    expect(byNumber.get(filed.late.trackingNumber)).toEqual([
      filed.late.trackingNumber,
      '2025-03-03',
      '当面提交',
      '自然人',
      '孙八',
      '申请公开某道路工程批复',
      '2025-03-31',
      '',
      '2025-04-20',
      '（二）部分公开',
      '逾期',
      '',
    ]);
    const delivered = await desk.detail(filed.delivered.id);
    expect(byNumber.get(filed.delivered.trackingNumber)).toEqual([
      filed.delivered.trackingNumber,
      '2025-05-06',
      '邮寄（需签收）',
      '商业企业',
      '某某科技有限公司',
      '申请公开某项目环评批复',
      delivered.dueOn,
      '10/2025-05-20',
      '2025-06-10',
      '（一）予以公开',
      '按期',
      '2025-06-12',
    ]);
    const open = await desk.detail(filed.open.id);
    expect(byNumber.get(filed.open.trackingNumber)).toEqual([filed.open.trackingNumber, '2025-06-09', '当面提交', '自然人', '孙八', '申请公开某桥梁检测报告', open.dueOn, '', '', '', '未办结', '']);
    expect(byNumber.get(filed.openLate.trackingNumber)!.slice(8, 12)).toEqual(['', '', '逾期', '']);

    // 是否按期 says what the API's `overdue` says, row by row.
    for (const [key, { id }] of Object.entries(filed).filter(([k]) => k !== 'lastYear' && k !== 'awaiting')) {
      const d = await desk.detail(id);
      expect([key, byNumber.get(d.trackingNumber)![10] === '逾期']).toEqual([key, d.overdue]);
      expect([key, byNumber.get(d.trackingNumber)![6]]).toEqual([key, d.dueOn]);
    }
  });

  it('quotes per RFC 4180 and defuses formulas with a leading apostrophe', async () => {
    const res = await exportApi('year=2025').expect(200);
    const text = res.body.toString('utf8');
    expect(text).toContain('\r\n');
    const row = readCsv(res.body).find((r) => r[0] === filed.formula.trackingNumber)!;
    expect(row[4]).toBe(`'=HYPERLINK("http://evil.example","点我")`);
    expect(row[5]).toBe(`'@SUM(1+1)，"引号",逗号\n第二行`);
    expect(text).not.toMatch(/(^|,)[=+@-]/m);
  });

  it('writes an XLSX that opens: bold frozen header, column widths, dates as text, no formulas', async () => {
    const res = await exportApi('year=2025&format=xlsx').expect(200);
    expect(res.headers['content-type']).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    const { rows } = await readXlsx(res.body);
    expect(rows[0]).toEqual(HEADERS);
    expect(rows.find((r) => r[0] === filed.late.trackingNumber)).toEqual([
      filed.late.trackingNumber,
      '2025-03-03',
      '当面提交',
      '自然人',
      '孙八',
      '申请公开某道路工程批复',
      '2025-03-31',
      '2025-04-20',
      '（二）部分公开',
      '逾期',
    ]);
    expect(rows.find((r) => r[0] === filed.delivered.trackingNumber)).toContain('2025-06-12');
    // Typed text cells: the formula an applicant typed stays text, exactly as typed.
    expect(rows.find((r) => r[0] === filed.formula.trackingNumber)![4]).toBe('=HYPERLINK("http://evil.example","点我")');
    expect(await xlsxText(res.body)).not.toMatch(/<f>/);

    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(res.body);
    const ws = wb.worksheets[0];
    expect(ws.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
    expect(ws.getRow(1).getCell(1).font?.bold).toBe(true);
    expect(ws.getColumn(6).width).toBeGreaterThan(ws.getColumn(1).width!);
    expect(typeof ws.getRow(2).getCell(2).value).toBe('string');
    expect(ws.rowCount).toBe(6);
  });

  it('never holds identity numbers, phone numbers, e-mail or postal addresses or organisation codes', async () => {
    const csv = (await exportApi('year=2025&format=csv').expect(200)).body.toString('utf8');
    const xlsx = await xlsxText((await exportApi('year=2025&format=xlsx').expect(200)).body);
    const page = await signIn(t, { username: 'ledger_clerk', password: CLERK_PASSWORD });
    const filtered = (await page.get('/staff/requests/export?format=csv').buffer(true).parse(binary).expect(200)).body.toString('utf8');
    for (const secret of SECRETS) {
      expect([secret, csv.includes(secret), xlsx.includes(secret), filtered.includes(secret)]).toEqual([secret, false, false, false]);
    }
    expect(csv).toContain('孙八');
  });

  it('answers 400 with fields.year and fields.format for bad input', async () => {
    const both = await request(t.http).get('/api/v1/requests/export?year=20x5&format=pdf').set(auth).expect(400);
    expect(Object.keys(both.body.error.fields).sort()).toEqual(['format', 'year']);
    expect((await request(t.http).get('/api/v1/requests/export?format=csv').set(auth).expect(400)).body.error.fields).toHaveProperty('year');
    expect((await request(t.http).get('/api/v1/requests/export?year=1999').set(auth).expect(400)).body.error.fields).toHaveProperty('year');
    expect((await request(t.http).get('/api/v1/requests/export?year=2025&status=lost').set(auth).expect(400)).body.error.fields).toHaveProperty('status');
    await request(t.http).get('/api/v1/requests/export?year=2025').expect(401);
  });

  it('takes the list filters on the API too', async () => {
    const res = await exportApi('year=2025&status=open').expect(200);
    expect(
      readCsv(res.body)
        .slice(1)
        .map((r) => r[0])
        .sort(),
    ).toEqual([filed.open.trackingNumber, filed.openLate.trackingNumber, filed.formula.trackingNumber].sort());
  });

  it('the request list exports what its current filter shows, every page of it', async () => {
    const agent = await signIn(t, { username: 'ledger_clerk', password: CLERK_PASSWORD });
    const page = await agent.get('/staff/requests?status=open&overdue=true').expect(200);
    const href = hrefOf(page.text, 'export-csv');
    expect(href).toBe('/staff/requests/export?status=open&overdue=true&format=csv');
    expect(hrefOf(page.text, 'export-xlsx')).toBe('/staff/requests/export?status=open&overdue=true&format=xlsx');
    const shown = (await request(t.http).get('/api/v1/requests?status=open&overdue=true').set(auth).expect(200)).body.items.map((i: { trackingNumber: string }) => i.trackingNumber);
    const exported = readCsv((await agent.get(href).buffer(true).parse(binary).expect(200)).body).slice(1);
    expect(exported.map((r) => r[0])).toEqual([filed.lastYear.trackingNumber, filed.openLate.trackingNumber]);
    expect(exported.map((r) => r[0]).sort()).toEqual([...shown].sort());

    const search = await agent.get('/staff/requests?q=%E6%A1%A5%E6%A2%81').expect(200); // q=桥梁
    const searchHref = hrefOf(search.text, 'export-xlsx');
    const { rows } = await readXlsx((await agent.get(searchHref).buffer(true).parse(binary).expect(200)).body);
    expect(rows.slice(1).map((r) => r[0])).toEqual([filed.open.trackingNumber]);

    // Not-yet-received submissions are exported when the filter shows them, after the received ones.
    const all = readCsv((await agent.get('/staff/requests/export').buffer(true).parse(binary).expect(200)).body).slice(1);
    expect(all).toHaveLength(Object.keys(filed).length);
    expect(all.at(-1)!.slice(0, 2)).toEqual([filed.awaiting.trackingNumber, '']);
    expect(all.at(-1)![10]).toBe('未办结');
    expect((await agent.get('/staff/requests/export?format=doc').expect(400)).text).toContain('导出格式只能是 csv 或 xlsx');
  });

  it('reads in chunks by keyset: small chunks give the same rows as one big one', async () => {
    // More applications received on one day than a chunk holds, so a chunk boundary falls inside that day.
    for (let i = 0; i < 5; i++) filed[`same${i}`] = await desk.register('2025-06-11');
    const ledger = t.app.get(RequestLedgerService);
    const collect = async (it: AsyncIterable<string[][]>) => {
      const chunks: string[][][] = [];
      for await (const c of it) chunks.push(c);
      return chunks;
    };
    for (const query of [{ year: 2025 }, {}]) {
      const whole = (await collect(ledger.rows(query))).flat();
      const small = await collect(ledger.rows(query, 2));
      expect(small.every((c) => c.length <= 2)).toBe(true);
      expect(small.flat()).toEqual(whole);
      expect(new Set(whole.map((r) => r[0])).size).toBe(whole.length);
    }
  });
});
