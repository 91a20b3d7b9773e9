import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { AuthService } from '../src/auth/auth.service';
import { formatShanghaiDateTime } from '../src/common/format';
import { section3Rows } from '../src/domain/report';
import { section3Grid, section4Grid } from '../src/domain/report/report-grid';
import { ADMIN, CLERK_NAME, createTestApp, openForm, TestApp } from './support/test-app';
import { applicant, Auth, Desk, signIn } from './support/builders';
import { readDocxTables, readXlsx } from './support/office';

describe('Annual report', () => {
  let t: TestApp;
  let auth: Auth;
  let desk: Desk;

  const at = async (iso: string) => {
    t.clock.setNow(iso);
    auth = {
      Authorization: `Bearer ${
        (
          await request(t.http)
            .post('/api/v1/auth/token')
            .send(await t.clerk())
        ).body.token
      }`,
    };
  };
  const s3 = async (year: number, format?: string) =>
    (
      await request(t.http)
        .get(`/api/v1/reports/${year}/section3${format ? `?format=${format}` : ''}`)
        .set(auth)
        .expect(200)
    ).body;

  beforeAll(async () => {
    t = await createTestApp();
    await at('2026-06-15T02:00:00Z');
    desk = new Desk(t, () => auth, { applicant: applicant('natural_person', '吴十'), description: '某信息' });
  });
  afterAll(() => t.close());

  it('renders an empty year exactly in the layout of the published sample report (2019 format), cell by cell', async () => {
    const agent = await signIn(t, ADMIN);
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
    const { id: online } = await desk.file({ applicant: applicant('research_institution', '某研究院', { phone: '13800138000' }), description: '跨年申请' });
    await at('2025-12-31T03:00:00Z');
    const dec31 = (await desk.register('2025-12-31', { applicant: applicant('social_welfare_org', '某基金会') })).id;
    await at('2026-01-04T03:00:00Z');
    await desk.step(online, { type: 'receipt_confirmed', on: '2026-01-04' }).expect(201);
    await at('2026-01-05T03:00:00Z');
    await desk.step(dec31, { type: 'decided', on: '2026-01-02', outcome: 'granted' }).expect(201);
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
      const id = (await desk.register(`2024-0${i + 3}-04`, { applicant: applicant(['natural_person', 'commercial_enterprise', 'legal_service_org', 'other_org'][i], '吴十') })).id;
      await desk.step(id, { type: 'decided', on: `2024-0${i + 3}-10`, outcome, reason: '理由' }).expect(201);
    }
    const withdrawn = (await desk.register('2024-08-01')).id;
    await desk.step(withdrawn, { type: 'withdrawn', on: '2024-08-02' }).expect(201);
    await desk.register('2024-11-11', { applicant: applicant('commercial_enterprise', '吴十') });

    const api = await s3(2024);
    expect(api.rows.granted[0]).toBe(1);
    expect(api.rows.other_other[0]).toBe(1);
    expect(api.rows.carried_to_next_year[6]).toBe(1);
    const export2019 = await s3(2024, '2019');
    expect(export2019.rows.other[6]).toBe(1);

    // Drill-down: the sum of the records behind each row's total equals the cell.
    for (const [row, values] of Object.entries<number[]>(api.rows)) {
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
    const csvRows = csv.text
      .replace(/^\uFEFF/, '')
      .split('\r\n')
      .map((l) => l.split(','));
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
    const { id } = await desk.register('2022-03-01', { applicant: applicant('other_org', '吴十') });
    await desk.step(id, { type: 'decided', on: '2022-03-15', outcome: 'granted' }).expect(201);
    const late = (await desk.register('2022-12-20', { applicant: applicant('other_org', '吴十') })).id;
    const published = await request(t.http).post('/api/v1/reports/2022/publish').set(auth).send({}).expect(201);
    expect(published.body).toMatchObject({ year: 2022, format: '2021', publishedBy: CLERK_NAME });
    const clean = await request(t.http).get('/api/v1/reports/2022/diff').set(auth).expect(200);
    expect(clean.body.cells).toEqual([]);

    // A back-entered step changes a published cell.
    await desk.step(late, { type: 'decided', on: '2022-12-28', outcome: 'unable_not_held' }).expect(201);
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

  describe('every publication kept (D20)', () => {
    // 2017 is published by these tests only.
    const YEAR = 2017;
    let officer: { id: string; auth: Auth };
    let first: { number: number; publishedAt: string };
    let live1: { section3: unknown; section4: unknown };
    let decidedLater: string;
    const publications = () => request(t.http).get(`/api/v1/reports/${YEAR}/publications`).set(auth).expect(200);

    beforeAll(async () => {
      await at('2026-06-15T02:00:00Z');
      const user = await t.app.get(AuthService).createUser('nianbao_d20', '年报专员', 'Report-pass-2026', ['report_officer']);
      const token = (await request(t.http).post('/api/v1/auth/token').send({ username: 'nianbao_d20', password: 'Report-pass-2026' }).expect(200)).body.token;
      officer = { id: user.id, auth: { Authorization: `Bearer ${token}` } };
    });

    it('publishing twice keeps two publications, numbered and signed; the first keeps its figures; a reason is required from the second', async () => {
      const granted = (await desk.register(`${YEAR}-03-01`)).id;
      await desk.step(granted, { type: 'decided', on: `${YEAR}-03-10`, outcome: 'granted' }).expect(201);
      decidedLater = (await desk.register(`${YEAR}-12-20`, { applicant: applicant('commercial_enterprise', '吴十') })).id;
      live1 = {
        section3: (await request(t.http).get(`/api/v1/reports/${YEAR}/section3?format=2021`).set(auth).expect(200)).body,
        section4: (await request(t.http).get(`/api/v1/reports/${YEAR}/section4`).set(auth).expect(200)).body,
      };

      const p1 = await request(t.http).post(`/api/v1/reports/${YEAR}/publish`).set(officer.auth).send({ format: '2021' }).expect(201);
      expect(p1.body).toMatchObject({ number: 1, publishedBy: '年报专员', publishedById: officer.id, format: '2021', reason: null });
      expect(new Date(p1.body.publishedAt).toISOString()).toBe(p1.body.publishedAt);
      expect(Math.abs(new Date(p1.body.publishedAt).getTime() - t.clock.now().getTime())).toBeLessThan(60_000);
      first = p1.body;
      const frozen1 = (await request(t.http).get(`/api/v1/reports/${YEAR}/publications/1`).set(auth).expect(200)).body;
      expect(frozen1).toMatchObject({ year: YEAR, number: 1, publishedAt: first.publishedAt, publishedBy: '年报专员', format: '2021', reason: null });
      expect(frozen1.section3).toEqual(live1.section3);
      expect(frozen1.section4).toEqual(live1.section4);

      // A record changes after publishing: a back-entered reply.
      await desk.step(decidedLater, { type: 'decided', on: `${YEAR}-12-28`, outcome: 'withheld_state_secret', reason: '属于国家秘密' }).expect(201);
      const refused = await request(t.http).post(`/api/v1/reports/${YEAR}/publish`).set(officer.auth).send({ format: '2021' }).expect(400);
      expect(refused.body.error.code).toBe('VALIDATION_FAILED');
      expect(refused.body.error.fields.reason).toMatch(/更正说明/);
      await request(t.http).post(`/api/v1/reports/${YEAR}/publish`).set(officer.auth).send({ format: '2021', reason: '   ' }).expect(400);
      expect((await publications()).body.items).toHaveLength(1);

      const live2 = (await request(t.http).get(`/api/v1/reports/${YEAR}/section3?format=2019`).set(auth).expect(200)).body;
      const p2 = await request(t.http).post(`/api/v1/reports/${YEAR}/publish`).set(officer.auth).send({ format: '2019', reason: '补录 12 月 28 日的不予公开答复' }).expect(201);
      expect(p2.body).toMatchObject({ number: 2, publishedBy: '年报专员', publishedById: officer.id, format: '2019', reason: '补录 12 月 28 日的不予公开答复' });

      // The first publication is untouched; the second froze the records as they are now, in its own format.
      expect((await request(t.http).get(`/api/v1/reports/${YEAR}/publications/1`).set(auth).expect(200)).body).toEqual(frozen1);
      const frozen2 = (await request(t.http).get(`/api/v1/reports/${YEAR}/publications/2`).set(auth).expect(200)).body;
      expect(frozen2.section3).toEqual(live2);
      expect(Object.keys(frozen2.section3.rows)).toEqual(section3Rows('2019').map((r) => r.key));
      expect(frozen1.section3.rows.withheld_state_secret[1]).toBe(0);
      expect(frozen2.section3.rows.withheld_state_secret[1]).toBe(1);
      expect(frozen1.section3.rows.carried_to_next_year[6]).toBe(1);
      expect(frozen2.section3.rows.carried_to_next_year[6]).toBe(0);
    });

    it('lists the publications of a year and answers one by number; an unknown number is 404', async () => {
      const list = (await publications()).body;
      expect(list.items).toEqual([
        { year: YEAR, number: 1, publishedAt: first.publishedAt, publishedBy: '年报专员', publishedById: officer.id, format: '2021', reason: null },
        { year: YEAR, number: 2, publishedAt: expect.any(String), publishedBy: '年报专员', publishedById: officer.id, format: '2019', reason: '补录 12 月 28 日的不予公开答复' },
      ]);
      for (const n of ['3', '0', '-1', 'abc', '1.5']) {
        const res = await request(t.http).get(`/api/v1/reports/${YEAR}/publications/${n}`).set(auth).expect(404);
        expect(res.body.error.message).toMatch(/发布/);
      }
      expect((await request(t.http).get(`/api/v1/reports/2016/publications`).set(auth).expect(200)).body).toEqual({ items: [] });
      await request(t.http).get(`/api/v1/reports/${YEAR}/publications`).expect(401);
    });

    it('the database itself refuses to change or remove a publication or its entries', async () => {
      await expect(t.dataSource.query(`UPDATE report_publication SET section3 = '{}' WHERE year = ${YEAR}`)).rejects.toThrow(/frozen/);
      await expect(t.dataSource.query(`DELETE FROM report_publication WHERE year = ${YEAR} AND number = 1`)).rejects.toThrow(/frozen/);
      await expect(t.dataSource.query(`UPDATE report_publication_entry SET cells = '' WHERE year = ${YEAR}`)).rejects.toThrow(/frozen/);
      await expect(t.dataSource.query(`DELETE FROM report_publication_entry WHERE year = ${YEAR}`)).rejects.toThrow(/frozen/);
      expect((await publications()).body.items).toHaveLength(2);
    });

    it('the diff compares the records with the publication chosen: the latest by default, or any by number', async () => {
      const latest = (await request(t.http).get(`/api/v1/reports/${YEAR}/diff`).set(auth).expect(200)).body;
      expect(latest).toMatchObject({ number: 2, format: '2019', cells: [], records: [] });
      const against1 = (await request(t.http).get(`/api/v1/reports/${YEAR}/diff?publication=1`).set(auth).expect(200)).body;
      expect(against1).toMatchObject({ number: 1, format: '2021', publishedAt: first.publishedAt });
      expect(against1.cells).toEqual(
        expect.arrayContaining([
          { section: 3, row: 'withheld_state_secret', column: 'commercial_enterprise', published: 0, current: 1 },
          { section: 3, row: 'carried_to_next_year', column: 'total', published: 1, current: 0 },
        ]),
      );
      expect(against1.records.map((r: { id: string }) => r.id)).toEqual([decidedLater]);
      await request(t.http).get(`/api/v1/reports/${YEAR}/diff?publication=7`).set(auth).expect(404);

      // A further change shows against both publications.
      const added = (await desk.register(`${YEAR}-06-01`, { applicant: applicant('research_institution', '吴十') })).id;
      const newCell = { section: 3, row: 'new_received', column: 'research_institution', published: 0, current: 1 };
      const now2 = (await request(t.http).get(`/api/v1/reports/${YEAR}/diff?publication=2`).set(auth).expect(200)).body;
      expect(now2.cells).toEqual(expect.arrayContaining([newCell]));
      expect(now2.cells).not.toEqual(expect.arrayContaining([against1.cells[0]]));
      expect(now2.records.map((r: { id: string }) => r.id)).toEqual([added]);
      const now1 = (await request(t.http).get(`/api/v1/reports/${YEAR}/diff?publication=1`).set(auth).expect(200)).body;
      expect(now1.cells).toEqual(expect.arrayContaining([newCell, { section: 3, row: 'withheld_state_secret', column: 'commercial_enterprise', published: 0, current: 1 }]));
      expect(now1.records.map((r: { id: string }) => r.id).sort()).toEqual([added, decidedLater].sort());
    });

    it('the report page lists the history, shows each frozen publication, diffs against the one chosen, and asks for the reason', async () => {
      const agent = await signIn(t, { username: 'nianbao_d20', password: 'Report-pass-2026' });
      const page = await agent.get(`/staff/reports/${YEAR}`).expect(200);
      const history = page.text.slice(page.text.indexOf('id="history"'), page.text.indexOf('id="diff"'));
      const rows = (history.match(/<tr[^>]*>\s*<td>[\s\S]*?<\/tr>/g) ?? []).map((r) => (r.match(/<td>[\s\S]*?<\/td>/g) ?? []).map((c) => c.replace(/<[^>]+>/g, '').trim()));
      expect(rows.map((r) => r.slice(0, 5))).toEqual([
        ['第 1 次', formatShanghaiDateTime(first.publishedAt), '年报专员', '2021 年格式', '—'],
        ['第 2 次', expect.stringMatching(/^2026-06-15 10:0\d$/), '年报专员', '2019 年试行格式', '补录 12 月 28 日的不予公开答复'],
      ]);
      expect(history).toContain(`href="/staff/reports/${YEAR}/publications/1"`);
      expect(history).toContain(`href="/staff/reports/${YEAR}/publications/2"`);
      expect(page.text).toContain('当前记录与第 2 次发布的比对（最近一次发布）');

      // The diff against publication 1: each changed cell with its row label, column, published and current value.
      const diffPage = await agent.get(`/staff/reports/${YEAR}?against=1`).expect(200);
      expect(diffPage.text).toContain('当前记录与第 1 次发布的比对');
      const label = (key: string) => section3Rows('2021').find((r) => r.key === key)!;
      const secret = label('withheld_state_secret');
      expect(diffPage.text).toContain(`<tr><td>第三部分 ${secret.group} ${secret.label}</td><td>商业企业</td><td>0</td><td>1</td></tr>`);
      expect(diffPage.text).toContain(`<tr><td>第三部分 ${label('carried_to_next_year').label}</td><td>商业企业</td><td>1</td><td>0</td></tr>`);
      await agent.get(`/staff/reports/${YEAR}?against=9`).expect(404);

      // A frozen publication, as published: the same numbers as its JSON, linked to no live records.
      const frozen1 = (await request(t.http).get(`/api/v1/reports/${YEAR}/publications/1`).set(auth).expect(200)).body;
      const view1 = await agent.get(`/staff/reports/${YEAR}/publications/1`).expect(200);
      const table = view1.text.match(/<table class="official">[\s\S]*?<\/table>/)![0];
      const cells = (table.match(/<t[hd][^>]*>[\s\S]*?<\/t[hd]>/g) ?? []).map((c) => c.replace(/<[^>]+>/g, '').trim());
      const expected = section3Grid({ ...frozen1.section3, checks: [] }).flatMap((r) => r.filter((c) => c.kind !== 'covered').map((c) => c.text));
      expect(cells).toEqual(expected);
      expect(table).not.toContain('<a ');
      expect(view1.text).toContain(frozen1.section3.basis.unit);
      const xlsx = await agent.get(`/staff/reports/${YEAR}/publications/1/export/xlsx`).buffer(true).parse(binary).expect(200);
      const grid = section3Grid({ ...frozen1.section3, checks: [] }).map((r) => r.filter((c) => c.kind !== 'covered').map((c) => (c.kind === 'number' ? c.value! : c.text)));
      expect((await readXlsx(xlsx.body)).rows.slice(1, 1 + grid.length)).toEqual(grid);
      await agent.get(`/staff/reports/${YEAR}/publications/5`).expect(404);

      // Publishing again from the page: without a reason the form comes back with the error, nothing is written.
      const { csrf, html } = await openForm(agent, `/staff/reports/${YEAR}`);
      expect(html).toMatch(/<textarea id="reason" name="reason"[^>]*required/);
      const token = /name="submissionToken" value="([^"]+)"/.exec(html)![1];
      const refused = await agent.post(`/staff/reports/${YEAR}/publish`).type('form').send({ _csrf: csrf, submissionToken: token, format: '2021', reason: '' }).expect(400);
      expect(refused.text).toContain('再次发布须填写更正说明');
      expect(refused.text).toContain('role="alert"');
      expect((await publications()).body.items).toHaveLength(2);
      const ok = await agent.post(`/staff/reports/${YEAR}/publish`).type('form').send({ _csrf: csrf, submissionToken: token, format: '2021', reason: '补录 6 月 1 日收到的申请' }).expect(303);
      expect(ok.headers.location).toBe(`/staff/reports/${YEAR}?format=2021&published=3`);
      // The same form sent twice (a double click) publishes once.
      await agent.post(`/staff/reports/${YEAR}/publish`).type('form').send({ _csrf: csrf, submissionToken: token, format: '2021', reason: '补录 6 月 1 日收到的申请' }).expect(303);
      expect((await publications()).body.items.map((p: { number: number }) => p.number)).toEqual([1, 2, 3]);
      const after = await agent.get(ok.headers.location).expect(200);
      expect(after.text).toContain('已发布第 3 次并冻结本年度报表');
      expect(after.text).toContain('补录 6 月 1 日收到的申请');
    });

    it('an Idempotency-Key publishes once', async () => {
      const once = { 'Idempotency-Key': 'publish-2016-first' };
      const a = await request(t.http).post('/api/v1/reports/2016/publish').set(officer.auth).set(once).send({ format: '2021' }).expect(201);
      const b = await request(t.http).post('/api/v1/reports/2016/publish').set(officer.auth).set(once).send({ format: '2021' }).expect(201);
      expect(b.body).toEqual(a.body);
      expect((await request(t.http).get('/api/v1/reports/2016/publications').set(auth).expect(200)).body.items).toHaveLength(1);
    });

    it('twelve publications of one year at once: all succeed, numbered distinctly, each read inside its own transaction', async () => {
      const year = 2015;
      // Twelve at once: on PostgreSQL each holds a pooled connection for its transaction, so a
      // publication that read anything outside it would wait for a connection that never frees up.
      const results = await Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          request(t.http)
            .post(`/api/v1/reports/${year}/publish`)
            .set(officer.auth)
            .send({ format: '2021', reason: `第 ${i + 1} 次并发更正` }),
        ),
      );
      expect(results.map((r) => r.status)).toEqual(Array(12).fill(201));
      expect(results.map((r) => r.body.number).sort((x: number, y: number) => x - y)).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
      const items = (await request(t.http).get(`/api/v1/reports/${year}/publications`).set(auth).expect(200)).body.items;
      expect(items.map((p: { number: number }) => p.number)).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
    });
  });

  it('the staff report page shows the tables, checks, basis, format switch, exports and the difference', async () => {
    const agent = await signIn(t, await t.clerk());
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
    await agent.post('/staff/reports/2022/publish').type('form').send({ _csrf: csrf, format: '2021', reason: '补录 12 月 28 日的答复' }).expect(303);
    const after = await agent.get('/staff/reports/2022').expect(200);
    expect(after.text).toContain('当前记录与第 2 次发布的数字一致');
  });

  it('bulk import: validates every row first, writes all or nothing, through the upload page', async () => {
    const agent = await signIn(t, await t.clerk());
    const { csrf } = await openForm(agent, '/staff/import');
    const sample = readFileSync(join(__dirname, '../docs/ledger-sample.csv'));
    const before = await t.count('information_request');
    const bad = Buffer.from(sample.toString('utf8').replace('2023-03-20', '2023-02-20').replace('fax,2023-12-28', 'pigeon,2023-12-28'));
    const refused = await agent.post('/staff/import').field('_csrf', csrf).attach('ledger', bad, 'ledger.csv').expect(400);
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
    expect(y2023.rows.partially_granted).toEqual([0, 1, 0, 0, 0, 0, 1]);
    expect(y2023.rows.other_overdue_correction).toEqual([1, 0, 0, 0, 0, 0, 1]);
  });
});

function binary(res: request.Response, callback: (err: Error | null, body: Buffer) => void): void {
  const stream = res as unknown as NodeJS.ReadableStream;
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  stream.on('end', () => callback(null, Buffer.concat(chunks)));
}
