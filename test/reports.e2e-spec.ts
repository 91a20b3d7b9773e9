import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { section3Rows } from '../src/domain/report';
import { section3Grid, section4Grid } from '../src/domain/report/report-grid';
import { ADMIN, createTestApp, openForm, TestApp, validResidentId } from './support/test-app';
import { readDocxTables, readXlsx } from './support/office';
import { ROLE_PASSWORD } from './support/roles';
import { AuthService } from '../src/auth/auth.service';

type Auth = { Authorization: string };

describe('Annual report', () => {
  let t: TestApp;
  let auth: Auth;

  const at = async (iso: string) => {
    t.clock.setNow(iso);
    auth = { Authorization: `Bearer ${(await request(t.http).post('/api/v1/auth/token').send(ADMIN)).body.token}` };
  };
  const register = async (receivedOn: string, type = 'natural_person', name = '吴十') =>
    (
      await request(t.http)
        .post('/api/v1/requests')
        .set(auth)
        .send({ applicant: { type, name, idDocumentNumber: validResidentId() }, channel: 'in_person', receivedOn, description: '某信息' })
        .expect(201)
    ).body.id as string;
  const step = (id: string, body: Record<string, unknown>) => request(t.http).post(`/api/v1/requests/${id}/events`).set(auth).send(body).expect(201);
  const s3 = async (year: number, format?: string) => (await request(t.http).get(`/api/v1/reports/${year}/section3${format ? `?format=${format}` : ''}`).set(auth).expect(200)).body;

  beforeAll(async () => {
    t = await createTestApp();
    await at('2026-06-15T02:00:00Z');
  });
  afterAll(() => t.close());

  it('renders an empty year exactly in the layout of the published sample report (2019 format), cell by cell', async () => {
    const agent = request.agent(t.http);
    const login = await openForm(agent, '/staff/login');
    await agent.post('/staff/login').type('form').send({ _csrf: login.csrf, ...ADMIN }).expect(303);
    const page = await agent.get('/staff/reports/2020').expect(200);
    const tables = page.text.match(/<table class="official">[\s\S]*?<\/table>/g)!;
    const cells = (html: string) => (html.match(/<t[hd][^>]*>[\s\S]*?<\/t[hd]>/g) ?? []).map((c) => c.replace(/<[^>]+>/g, '').trim()).filter(Boolean);
    const ours = [...cells(tables[0]), ...cells(tables[1])];
    const sample = readFileSync(join(__dirname, 'fixtures/sample-report-2020.txt'), 'utf8');
    const part = sample.slice(sample.indexOf('三、收到和处理政府信息公开申请情况'), sample.indexOf('五、存在的主要问题及改进情况'));
    const theirs = part
      .split('\n')
      .slice(1)
      .map((l) => l.trim())
      .filter((l) => l && l !== '四、政府信息公开行政复议、行政诉讼情况');
    expect(ours).toEqual(theirs);
    expect(ours).toHaveLength(theirs.length);
  });

  it('answers section3 in the contract shape, with format by year (D12) and on request', async () => {
    const r2023 = await s3(2023);
    expect(r2023.format).toBe('2021');
    expect(r2023.columns).toEqual(['natural_person', 'commercial_enterprise', 'research_institution', 'social_welfare_org', 'legal_service_org', 'other_org', 'total']);
    expect(Object.keys(r2023.rows)).toEqual(section3Rows('2021').map((s) => s.key));
    expect(Object.keys(r2023.rows)).toHaveLength(25);
    expect(Object.values(r2023.rows).every((v) => Array.isArray(v) && (v as number[]).length === 7)).toBe(true);
    expect(r2023.checks.map((c: { rule: string }) => c.rule)).toEqual(['R1', 'R2', 'R3', 'R4', 'R5', 'R6']);
    expect(Object.values(r2023.basis).join('')).toContain('统计单位');
    expect((await s3(2020)).format).toBe('2019');
    const r2020in2021 = await s3(2020, '2021');
    expect(Object.keys(r2020in2021.rows)).toHaveLength(25);
    expect(Object.keys((await s3(2023, '2019')).rows)).toHaveLength(23);
    await request(t.http).get('/api/v1/reports/2023/section3?format=2020').set(auth).expect(400);
    await request(t.http).get('/api/v1/reports/1999/section3').set(auth).expect(400);
    await request(t.http).get('/api/v1/reports/2023/section3').expect(401);
  });

  it('counts the year boundaries right: confirmed after New Year, and received 31 Dec answered 2 Jan', async () => {
    await at('2025-12-30T03:00:00Z');
    const filed = await request(t.http).post('/api/v1/public/requests').send({ applicant: { type: 'research_institution', name: '某研究院', idDocumentNumber: validResidentId(), phone: '13800138000' }, description: '跨年申请' }).expect(201);
    await at('2025-12-31T03:00:00Z');
    const dec31 = await register('2025-12-31', 'social_welfare_org', '某基金会');
    await at('2026-01-04T03:00:00Z');
    const online = (await request(t.http).get(`/api/v1/requests?q=${filed.body.trackingNumber}`).set(auth)).body.items[0].id;
    await step(online, { type: 'receipt_confirmed', on: '2026-01-04' });
    await at('2026-01-05T03:00:00Z');
    await step(dec31, { type: 'decided', on: '2026-01-02', outcome: 'granted' });
    await at('2026-06-15T02:00:00Z');

    const y2025 = await s3(2025);
    const y2026 = await s3(2026);
    const col = (type: string) => y2025.columns.indexOf(type);
    expect(y2025.rows.new_received[col('research_institution')]).toBe(0);
    expect(y2026.rows.new_received[col('research_institution')]).toBe(1);
    expect(y2025.rows.new_received[col('social_welfare_org')]).toBe(1);
    expect(y2025.rows.carried_to_next_year[col('social_welfare_org')]).toBe(1);
    expect(y2026.rows.carried_over_from_last_year[col('social_welfare_org')]).toBe(1);
    expect(y2026.rows.granted[col('social_welfare_org')]).toBe(1);
    expect(y2025.checks.every((c: { ok: boolean }) => c.ok)).toBe(true);
    expect(y2026.checks.every((c: { ok: boolean }) => c.ok)).toBe(true);

    const cell = await request(t.http).get('/api/v1/reports/2026/section3/cells/carried_over_from_last_year/social_welfare_org').set(auth).expect(200);
    expect(cell.body).toEqual({ items: [{ id: dec31, trackingNumber: expect.any(String) }], total: 1 });
    await request(t.http).get('/api/v1/reports/2026/section3/cells/nonsense/total').set(auth).expect(404);
    await request(t.http).get('/api/v1/reports/2026/section3/cells/granted/aliens').set(auth).expect(404);
  });

  it('every number of the page, the API and the exports agree, and every number clicks through to its records', async () => {
    const outcomes = ['granted', 'withheld_state_secret', 'unable_not_held', 'not_processed_repeat'];
    for (const [i, outcome] of outcomes.entries()) {
      const id = await register(`2024-0${i + 3}-04`, ['natural_person', 'commercial_enterprise', 'legal_service_org', 'other_org'][i]);
      await step(id, { type: 'decided', on: `2024-0${i + 3}-10`, outcome, reason: '理由' });
    }
    const withdrawn = await register('2024-08-01', 'natural_person');
    await step(withdrawn, { type: 'withdrawn', on: '2024-08-02' });
    await register('2024-11-11', 'commercial_enterprise');

    const api = await s3(2024);
    expect(api.rows.granted[0]).toBe(1);
    expect(api.rows.other_other[0]).toBe(1);
    expect(api.rows.carried_to_next_year[6]).toBe(1);
    const export2019 = await s3(2024, '2019');
    expect(export2019.rows.other[6]).toBe(1);

    // Drill-down: the sum of the records behind each row's total equals the cell.
    for (const [row, values] of Object.entries(api.rows) as Array<[string, number[]]>) {
      const cell = await request(t.http).get(`/api/v1/reports/2024/section3/cells/${row}/total`).set(auth).expect(200);
      expect(cell.body.total).toBe(values[6]);
    }

    const xlsx = await request(t.http).get('/api/v1/reports/2024/export/xlsx').set(auth).buffer(true).parse(binary).expect(200);
    expect(xlsx.headers['content-type']).toContain('spreadsheetml');
    const sheet = await readXlsx(xlsx.body);
    expect(sheet.numbers).toBe(true);
    const grid = section3Grid({ year: 2024, format: '2021', columns: api.columns, rows: api.rows, checks: [] });
    const expectedRows = grid.map((r) => r.filter((c) => c.kind !== 'covered').map((c) => (c.kind === 'number' ? c.value! : c.text)));
    expect(sheet.rows.slice(1, 1 + expectedRows.length)).toEqual(expectedRows);
    expect(sheet.merges).toEqual(expect.arrayContaining(['A2:C4', 'D2:J2', 'E3:I3', 'A7:A28']));

    const docx = await request(t.http).get('/api/v1/reports/2024/export/docx').set(auth).buffer(true).parse(binary).expect(200);
    const [docTable3, docTable4] = await readDocxTables(docx.body);
    expect(docTable3).toEqual(expectedRows.map((r) => r.map(String)));
    const s4 = (await request(t.http).get('/api/v1/reports/2024/section4').set(auth)).body;
    expect(docTable4).toEqual(section4Grid(s4).map((r) => r.filter((c) => c.kind !== 'covered').map((c) => c.text)));

    const csv = await request(t.http).get('/api/v1/reports/2024/export/csv').set(auth).expect(200);
    const csvRows = csv.text.replace(/^\uFEFF/, '').split('\r\n').map((l) => l.split(','));
    const granted = csvRows.find((r) => r[0].endsWith('（一）予以公开'))!;
    expect(granted.slice(1).map(Number)).toEqual(api.rows.granted);
    expect(csv.text).not.toContain('吴十');
    expect(csv.text).toContain('统计口径');
    await request(t.http).get('/api/v1/reports/2024/export/pdf').set(auth).expect(404);
  });

  it('Section 4: register cases, conclude them, D8 setting and D9 co-defendant rule', async () => {
    const create = (body: Record<string, unknown>) => request(t.http).post('/api/v1/review-cases').set(auth).send(body);
    const a = (await create({ kind: 'administrative_review', filedOn: '2024-05-10', caseNumber: '某府复决〔2024〕1号' }).expect(201)).body;
    expect(a).toMatchObject({ kind: 'administrative_review', result: null, counted: true });
    await create({ kind: 'litigation_direct', filedOn: '2024-06-01', agencyRole: 'co_defendant_review_organ' }).expect(201);
    const b = (await create({ kind: 'litigation_after_review', filedOn: '2024-09-01' }).expect(201)).body;
    const c = (await create({ kind: 'administrative_review', filedOn: '2023-12-20' }).expect(201)).body;
    await request(t.http).post(`/api/v1/review-cases/${a.id}/conclusion`).set(auth).send({ concludedOn: '2024-07-01', result: 'corrected' }).expect(200);
    await request(t.http).post(`/api/v1/review-cases/${a.id}/conclusion`).set(auth).send({ concludedOn: '2024-07-02', result: 'upheld' }).expect(409);
    await request(t.http).post(`/api/v1/review-cases/${c.id}/conclusion`).set(auth).send({ concludedOn: '2024-02-01', result: 'upheld' }).expect(200);
    await request(t.http).post(`/api/v1/review-cases/${b.id}/conclusion`).set(auth).send({ concludedOn: '2024-08-01', result: 'upheld' }).expect(422);
    await create({ kind: 'bogus', filedOn: '2024-01-01' }).expect(400);
    await create({ kind: 'administrative_review', filedOn: '2030-01-01' }).expect(422);

    const filed = (await request(t.http).get('/api/v1/reports/2024/section4').set(auth).expect(200)).body;
    expect(filed.review).toEqual({ upheld: 0, corrected: 1, other: 0, pending: 0, total: 1 });
    expect(filed.litigation_direct.total).toBe(0);
    expect(filed.litigation_after_review).toEqual({ upheld: 0, corrected: 0, other: 0, pending: 1, total: 1 });
    expect(filed.basis.yearBasis).toContain('本年度受理的案件');

    await request(t.http).put('/api/v1/settings/report').set(auth).send({ section4Basis: 'concluded_or_pending' }).expect(200);
    const concluded = (await request(t.http).get('/api/v1/reports/2024/section4').set(auth).expect(200)).body;
    expect(concluded.review).toEqual({ upheld: 1, corrected: 1, other: 0, pending: 0, total: 2 });
    expect(concluded.basis.yearBasis).toContain('本年度审结的案件');
    const cell = await request(t.http).get('/api/v1/reports/2024/section4/cells/review/upheld').set(auth).expect(200);
    expect(cell.body.items.map((i: { id: string }) => i.id)).toEqual([c.id]);
    await request(t.http).put('/api/v1/settings/report').set(auth).send({ section4Basis: 'filed_in_year' }).expect(200);
    await request(t.http).put('/api/v1/settings/report').set(auth).send({ section4Basis: 'whatever' }).expect(400);
  });

  it('publishing freezes the tables; a later change shows as a difference with the requests that caused it (D13), and R5 compares with it', async () => {
    const id = await register('2022-03-01', 'other_org');
    await step(id, { type: 'decided', on: '2022-03-15', outcome: 'granted' });
    const late = await register('2022-12-20', 'other_org');
    const published = await request(t.http).post('/api/v1/reports/2022/publish').set(auth).send({}).expect(201);
    expect(published.body).toMatchObject({ year: 2022, format: '2021', publishedBy: '系统管理员' });
    const clean = await request(t.http).get('/api/v1/reports/2022/diff').set(auth).expect(200);
    expect(clean.body.cells).toEqual([]);

    // A back-entered step changes a published cell.
    await step(late, { type: 'decided', on: '2022-12-28', outcome: 'unable_not_held' });
    const diff = await request(t.http).get('/api/v1/reports/2022/diff').set(auth).expect(200);
    expect(diff.body.cells).toEqual(
      expect.arrayContaining([
        { section: 3, row: 'unable_not_held', column: 'other_org', published: 0, current: 1 },
        { section: 3, row: 'carried_to_next_year', column: 'total', published: 1, current: 0 },
      ]),
    );
    expect(diff.body.records.map((r: { id: string }) => r.id)).toEqual([late]);
    const r5 = (await s3(2023)).checks.find((c: { rule: string }) => c.rule === 'R5');
    expect(r5).toMatchObject({ ok: false, severity: 'warning' });
    expect(r5.detail).toContain('已发布');
    await request(t.http).get('/api/v1/reports/2021/diff').set(auth).expect(404);
  });

  it('the staff report page shows the tables, checks, basis, format switch, exports and the difference', async () => {
    const agent = request.agent(t.http);
    const login = await openForm(agent, '/staff/login');
    await agent.post('/staff/login').type('form').send({ _csrf: login.csrf, ...ADMIN }).expect(303);
    const page = await agent.get('/staff/reports/2022').expect(200);
    expect(page.text).toContain('（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）');
    expect(page.text).toContain('统计口径');
    expect(page.text).toContain('发布后记录有变动');
    expect(page.text.replace(/&#x3D;/g, '=')).toContain('/staff/reports/2022/cells/unable_not_held/other_org?format=2021');
    const cell = await agent.get('/staff/reports/2022/cells/unable_not_held/other_org?format=2021').expect(200);
    expect(cell.text).toContain('共 1 件');
    const xlsx = await agent.get('/staff/reports/2022/export/xlsx?format=2019').buffer(true).parse(binary).expect(200);
    expect((await readXlsx(xlsx.body)).rows.length).toBeGreaterThan(20);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.text)![1];
    await agent.post('/staff/reports/2022/publish').type('form').send({ _csrf: csrf, format: '2021' }).expect(303);
    const after = await agent.get('/staff/reports/2022').expect(200);
    expect(after.text).toContain('当前记录与已发布的数字一致');
  });

  it('bulk import: validates every row first, writes all or nothing, through the upload page', async () => {
    // The sample's steps (registration, replies, an extension, a partial reply) need these roles, as live entry does.
    await t.app.get(AuthService).createUser('u_ledger', '补录员', ROLE_PASSWORD, ['registrar', 'handler', 'approver']);
    const agent = request.agent(t.http);
    const login = await openForm(agent, '/staff/login');
    await agent.post('/staff/login').type('form').send({ _csrf: login.csrf, username: 'u_ledger', password: ROLE_PASSWORD }).expect(303);
    const { csrf } = await openForm(agent, '/staff/import');
    const sample = readFileSync(join(__dirname, '../docs/ledger-sample.csv'));
    const before = await t.count('information_request');
    const bad = Buffer.from(sample.toString('utf8').replace('2023-03-20', '2023-02-20').replace('fax,2023-12-28', 'pigeon,2023-12-28'));
    const refused = await agent.post(`/staff/import?_csrf=${csrf}`).attach('ledger', bad, 'ledger.csv').expect(400);
    expect(refused.text).toContain('2 行有误');
    expect(refused.text).toMatch(/<td>2<\/td><td>[^<]*早于/);
    expect(refused.text).toMatch(/<td>5<\/td><td>channel 无效/);
    expect(await t.count('information_request')).toBe(before);
    await agent.post('/staff/import').attach('ledger', sample, 'ledger.csv').expect(403);
    const ok = await agent.post('/staff/import').set('X-CSRF-Token', csrf).attach('ledger', sample, 'ledger.csv').expect(201);
    expect(ok.text).toContain('已导入 6 件');
    expect(await t.count('information_request')).toBe(before + 6);
    const y2023 = await s3(2023);
    expect(y2023.checks.filter((c: { rule: string; ok: boolean }) => c.rule !== 'R5').every((c: { ok: boolean }) => c.ok)).toBe(true);
    expect(y2023.rows.partially_granted[1]).toBeGreaterThanOrEqual(1);
    expect(y2023.rows.other_overdue_correction[0]).toBeGreaterThanOrEqual(1);
  });
});

function binary(res: request.Response, callback: (err: Error | null, body: Buffer) => void): void {
  const stream = res as unknown as NodeJS.ReadableStream;
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  stream.on('end', () => callback(null, Buffer.concat(chunks)));
}
