import ExcelJS from 'exceljs';
import { encode } from 'iconv-lite';
import request from 'supertest';
import { AuthService } from '../src/auth/auth.service';
import { createTestApp, openForm, rowCounts, TestApp } from './support/test-app';

type Agent = ReturnType<typeof request.agent>;

const HEADER = '申请人类型,申请人姓名或名称,身份证件号码,联系电话,申请方式,收到申请日期,申请内容,获取信息方式,延期日期,延长工作日数,延期批准人,延期理由,办理结果,办结日期,理由说明';

/** Binary responses (xlsx) as a Buffer. */
function binary(res: request.Response, callback: (err: Error | null, body: Buffer) => void): void {
  const stream = res as unknown as NodeJS.ReadableStream;
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  stream.on('end', () => callback(null, Buffer.concat(chunks)));
}

describe('Ledgers as offices keep them: Chinese headings and values, GBK, .xlsx, the receipt year', () => {
  let t: TestApp;
  let who: { agent: Agent; csrf: string };

  async function upload(file: Buffer, name: string): Promise<{ status: number; text: string }> {
    const res = await who.agent.post('/staff/import').set('X-CSRF-Token', who.csrf).attach('ledger', file, name);
    if (res.status !== 303) return { status: res.status, text: res.text };
    for (;;) {
      await new Promise((r) => setTimeout(r, 200));
      const page = await who.agent.get(res.headers.location).expect(200);
      if (!page.headers.refresh) return { status: 303, text: page.text };
    }
  }

  async function stored(name: string): Promise<{ name: string; phone: string | null; tracking_number: string; received_on: string; outcome: string | null; channel: string }> {
    const rows = await t.dataSource.query(
      'SELECT a.name AS name, a.phone AS phone, r.tracking_number AS tracking_number, r.received_on AS received_on, r.outcome AS outcome, r.channel AS channel FROM information_request r JOIN applicant a ON a.id = r.applicant_id WHERE a.name = $1',
      [name],
    );
    return rows[0];
  }

  beforeAll(async () => {
    t = await createTestApp();
    t.clock.setNow('2026-06-15T02:00:00Z');
    await t.app.get(AuthService).createUser('taizhang', '台账录入员', 'Ledger-pass-2026', ['registrar', 'handler', 'approver']);
    const agent = request.agent(t.http);
    const login = await openForm(agent, '/staff/login');
    await agent.post('/staff/login').type('form').send({ _csrf: login.csrf, username: 'taizhang', password: 'Ledger-pass-2026' }).expect(303);
    const { csrf } = await openForm(agent, '/staff/import');
    who = { agent, csrf };
  }, 60_000);

  afterAll(async () => {
    await t.close();
  });

  it('the page says everything in Chinese and lists the accepted values of each column', async () => {
    const page = await who.agent.get('/staff/import').expect(200);
    expect(page.text).toContain('Excel 工作簿（.xlsx）读取第一个工作表');
    expect(page.text).toMatch(/申请人类型<br><small>（applicant_type）<\/small><\/th><td>必填<\/td><td>自然人（natural_person）、商业企业（commercial_enterprise）/);
    expect(page.text).toContain('当面提交（in_person）');
    expect(page.text).toContain('予以公开（granted）');
    expect(page.text).toContain('2025年3月7日');
    expect(page.text).toContain('href="/staff/import/sample.xlsx"');
  });

  it('imports a GBK CSV with Chinese headings and values: names intact, codes and dates read, a 2025 receipt numbered 2025', async () => {
    const text = [
      HEADER,
      '自然人,欧阳娜娜,１１０１０５１９４９１２３１００２Ｘ,138 1234 5678,当面,2025/3/7,申请公开某街道的拆迁补偿方案,纸质文本邮寄,,,,,予以公开,2025年3月20日,',
      '商业企业,某某建设有限公司,,,邮寄,2025年12月30日,申请公开某地块出让合同,电子邮件,2026-01-28,10,王主任,需征求第三方意见,1.属于国家秘密,2026-02-11,涉及国家秘密',
    ].join('\r\n');
    const res = await upload(encode(`${text}\r\n`, 'gbk'), '台账.csv');
    expect(res.text).toContain('已导入 2 件');
    expect(res.status).toBe(201);
    expect(res.text).toContain('文件按 GBK/GB18030 编码读取');
    const first = await stored('欧阳娜娜');
    expect(first).toMatchObject({ phone: '13812345678', received_on: '2025-03-07', outcome: 'granted', channel: 'in_person' });
    // Received in 2025, entered in 2026: a 2025 number.
    expect(first.tracking_number).toMatch(/^2025-\d{6}$/);
    const second = await stored('某某建设有限公司');
    expect(second).toMatchObject({ received_on: '2025-12-30', outcome: 'withheld_state_secret', channel: 'mail' });
    expect(second.tracking_number).toMatch(/^2025-\d{6}$/);
    const all = await t.dataSource.query('SELECT a.name AS name, r.description AS description FROM information_request r JOIN applicant a ON a.id = r.applicant_id');
    expect(JSON.stringify(all)).not.toContain('\uFFFD');
  });

  it('names the bad row and column in Chinese and writes nothing', async () => {
    const before = await rowCounts(t);
    const text = [HEADER, '自然人,司马光,,,当面,2025-03-07,某信息,,,,,,予以公开,2025-03-19,', '公司,王安石,,,当面,2025-03-07,某信息,,,,,,,,'].join('\n');
    const res = await upload(encode(text, 'gbk'), '台账.csv');
    expect(res.status).toBe(400);
    expect(res.text).toContain('<td>3</td><td>申请人类型 无效：公司。可填：自然人（natural_person）');
    expect(await rowCounts(t)).toEqual(before);
  });

  it('imports the Chinese sample downloaded from the page (UTF-8 with BOM)', async () => {
    const sample = await who.agent.get('/staff/import/sample.csv').expect(200);
    expect(sample.headers['content-disposition']).toContain("filename*=UTF-8''%E5%8F%B0%E8%B4%A6%E7%A4%BA%E4%BE%8B.csv");
    const body = Buffer.from(sample.text, 'utf8');
    expect(sample.text.split(/\r?\n/)[0]).toMatch(/^\uFEFF?申请人类型,申请人姓名或名称/);
    const res = await upload(body, '台账示例.csv');
    expect(res.status).toBe(201);
    expect(res.text).toContain('已导入 6 件');
    // Each numbered in its own receipt year.
    expect((await stored('李四')).tracking_number).toMatch(/^2023-/);
    expect((await stored('某村民委员会')).tracking_number).toMatch(/^2024-/);
  });

  it('imports an .xlsx workbook (first sheet): Excel date cells, dates typed as text, numbers as cells', async () => {
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('2025年台账');
    sheet.addRow(HEADER.split(','));
    sheet.addRow([
      '自然人',
      '诸葛亮',
      '11010519491231002X',
      13800138000,
      '当面提交',
      new Date(Date.UTC(2025, 2, 7)),
      '申请公开某水利工程验收报告',
      '',
      '',
      '',
      '',
      '',
      '予以公开',
      new Date(Date.UTC(2025, 2, 19)),
      '',
    ]);
    sheet.addRow([
      '科研机构',
      '某研究院',
      '',
      '010-12345678',
      '传真',
      '2025年4月1日',
      '申请公开2024年度考核结果',
      '电子数据（网上查阅或下载）',
      '',
      '',
      '',
      '',
      '本机关不掌握相关政府信息',
      '2025/4/25',
      '本机关未制作该信息',
    ]);
    sheet.getColumn(6).numFmt = 'yyyy/m/d';
    sheet.getColumn(14).numFmt = 'yyyy"年"m"月"d"日"';
    workbook.addWorksheet('说明').addRow(['这一页不是台账']);
    const file = Buffer.from(await workbook.xlsx.writeBuffer());
    const res = await upload(file, '台账.xlsx');
    expect(res.text).toContain('已导入 2 件');
    expect(res.status).toBe(201);
    expect(res.text).toContain('已读取 Excel 工作簿的第一个工作表');
    expect(await stored('诸葛亮')).toMatchObject({ phone: '13800138000', received_on: '2025-03-07', outcome: 'granted' });
    expect((await stored('诸葛亮')).tracking_number).toMatch(/^2025-/);
    expect(await stored('某研究院')).toMatchObject({ received_on: '2025-04-01', outcome: 'unable_not_held', channel: 'fax' });
  });

  it('refuses a bad .xlsx row by its Excel row number, writing nothing; a damaged workbook gets a Chinese message', async () => {
    const before = await rowCounts(t);
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('台账');
    sheet.addRow(HEADER.split(','));
    sheet.addRow(['自然人', '甲', '', '', '当面', '2025-03-07', '某信息']);
    sheet.addRow([]);
    sheet.addRow(['自然人', '乙', '', '', '当面', '2025年13月7日', '某信息']);
    const res = await upload(Buffer.from(await workbook.xlsx.writeBuffer()), '台账.xlsx');
    expect(res.status).toBe(400);
    expect(res.text).toContain('<td>4</td><td>收到申请日期 不是有效日期：2025年13月7日');
    const damaged = await upload(Buffer.concat([Buffer.from('PK\u0003\u0004'), Buffer.alloc(200, 7)]), '台账.xlsx');
    expect(damaged.status).toBe(400);
    expect(damaged.text).toContain('无法读取该 Excel 工作簿（.xlsx）');
    expect(await rowCounts(t)).toEqual(before);
  });

  it('imports the sample workbook downloaded from the page', async () => {
    const res = await who.agent.get('/staff/import/sample.xlsx').buffer(true).parse(binary).expect(200);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(res.body);
    const sheet = workbook.worksheets[0];
    expect(sheet.getRow(1).getCell(1).value).toBe('申请人类型');
    expect(sheet.getRow(2).getCell(9).value).toBeInstanceOf(Date);
    const before = await t.count('information_request');
    const imported = await upload(res.body as Buffer, '台账示例.xlsx');
    expect(imported.status).toBe(201);
    expect(imported.text).toContain('已导入 6 件');
    expect(await t.count('information_request')).toBe(before + 6);
  });

  it('a 2025 number allocated today follows the 2025 numbers already issued, even without their counter', async () => {
    const issued: Array<{ tracking_number: string }> = await t.dataSource.query("SELECT tracking_number FROM information_request WHERE tracking_number LIKE '2025-%' ORDER BY tracking_number");
    expect(issued.length).toBeGreaterThan(0);
    // As after restoring requests without the counter table: the year's counter is gone.
    await t.dataSource.query('DELETE FROM tracking_sequence WHERE year = 2025');
    const res = await upload(Buffer.from(`${HEADER}\n自然人,后补录,,,当面,2025-11-03,某信息,,,,,,,,\n`), '台账.csv');
    expect(res.status).toBe(201);
    const number = (await stored('后补录')).tracking_number;
    expect(number > issued[issued.length - 1].tracking_number).toBe(true);
    expect(number).toBe(`2025-${String(Number(issued[issued.length - 1].tracking_number.slice(5)) + 1).padStart(6, '0')}`);
  });
});
