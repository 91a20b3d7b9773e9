import ExcelJS from 'exceljs';
import JSZip from 'jszip';
import { simpleParser } from 'mailparser';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { AgenciesService } from '../src/agencies/agencies.service';
import { AuthService } from '../src/auth/auth.service';
import { MailWorker } from '../src/notifications/mail-worker';
import { Role } from '../src/auth/roles';
import { applicant, Auth, bearer, CLERK_PASSWORD, signIn } from './support/builders';
import { binary } from './support/files';
import { createTestApp, openForm, TestApp } from './support/test-app';

/**
 * Issue 16, what a newcomer run in Chromium found on a platform of several agencies: the roll-up
 * never showed that records changed after publishing, refiling could be repeated, roll-up exports
 * lacked the agencies, citizens were not told which agency they deal with, duplicate agency names.
 */
describe('Several agencies: newcomer findings', () => {
  let t: TestApp;
  let admin: Auth;
  const token = async (username: string) => bearer((await request(t.http).post('/api/v1/auth/token').send({ username, password: CLERK_PASSWORD }).expect(200)).body.token as string);
  const account = async (username: string, roles: Role[], agency: string): Promise<Auth> => {
    const found = await t.app.get(AgenciesService).byCode(agency);
    await t.app.get(AuthService).createUser(username, `${username} 用户`, CLERK_PASSWORD, roles, null, found!.id);
    return token(username);
  };
  const filing = (over: Record<string, unknown> = {}) => ({
    applicant: applicant('natural_person', '赵六', { phone: '13900000001', email: 'zhao@example.test' }),
    description: '申请公开某地块的国有建设用地使用权出让合同',
    ...over,
  });
  /** Files online with `agency`; staff of that agency (`auth`) find its id. */
  const file = async (agency: string, auth: Auth, over: Record<string, unknown> = {}) => {
    const filed = await request(t.http)
      .post('/api/v1/public/requests')
      .send(filing({ agency, ...over }))
      .expect(201);
    const id = (await request(t.http).get(`/api/v1/requests?q=${filed.body.trackingNumber}`).set(auth).expect(200)).body.items[0].id as string;
    return { id, trackingNumber: filed.body.trackingNumber as string, accessCode: filed.body.accessCode as string };
  };
  let xzf: Auth;
  let zrzy: Auth;
  let reports: Auth;

  beforeAll(async () => {
    t = await createTestApp({ AGENCY_CODE: 'xzf', AGENCY_NAME: '某县人民政府办公室' });
    admin = bearer(await t.adminToken());
    await request(t.http).post('/api/v1/agencies').set(admin).send({ code: 'zrzy', name: '某县自然资源局', parent: 'xzf' }).expect(201);
    await request(t.http).post('/api/v1/agencies').set(admin).send({ code: 'jyj', name: '某县教育局', parent: 'xzf' }).expect(201);
    xzf = await account('xzf.reg', ['registrar', 'handler', 'approver'], 'xzf');
    zrzy = await account('zrzy.reg', ['registrar', 'handler', 'approver'], 'zrzy');
    reports = await account('xzf.report', ['report_officer'], 'xzf');
  }, 60_000);
  afterAll(() => t.close());

  it('roll-up diff (D13, D20): after publishing, a changed record shows on GET …/rollup/{year}/diff and on the page, traced to its agency', async () => {
    const first = await file('zrzy', zrzy, { description: '申请公开某矿区的采矿权出让合同' });
    await request(t.http).post(`/api/v1/requests/${first.id}/events`).set(zrzy).send({ type: 'receipt_confirmed', on: '2026-06-15' }).expect(201);
    // Unpublished: nothing to compare with (404), and the page offers no comparison.
    expect((await request(t.http).get('/api/v1/agencies/xzf/rollup/2026/diff').set(reports).expect(404)).body.error.code).toBe('NOT_FOUND');
    await request(t.http).post('/api/v1/agencies/xzf/rollup/2026/publish').set(reports).send({ format: '2021' }).expect(201);
    const same = (await request(t.http).get('/api/v1/agencies/xzf/rollup/2026/diff').set(reports).expect(200)).body;
    expect(same).toMatchObject({ number: 1, format: '2021', reason: null, cells: [], agencies: [] });

    // A record of one agency changes after publishing.
    const second = await file('zrzy', zrzy, { description: '申请公开某地块的土地征收补偿方案' });
    await request(t.http).post(`/api/v1/requests/${second.id}/events`).set(zrzy).send({ type: 'receipt_confirmed', on: '2026-06-15' }).expect(201);
    const diff = (await request(t.http).get('/api/v1/agencies/xzf/rollup/2026/diff').set(reports).expect(200)).body;
    expect(diff.number).toBe(1);
    expect(diff.cells).toEqual(expect.arrayContaining([{ section: 3, row: 'new_received', column: 'total', published: 1, current: 2 }]));
    expect(diff.agencies.map((a: { code: string }) => a.code)).toEqual(['zrzy']);
    expect(diff.agencies[0].cells).toEqual(expect.arrayContaining([{ section: 3, row: 'new_received', column: 'natural_person', published: 1, current: 2 }]));
    // The publication chosen by number, as the agency report's diff takes it; an unknown one is 404.
    expect((await request(t.http).get('/api/v1/agencies/xzf/rollup/2026/diff?publication=1').set(reports).expect(200)).body.cells).toEqual(diff.cells);
    await request(t.http).get('/api/v1/agencies/xzf/rollup/2026/diff?publication=9').set(reports).expect(404);

    const page = await signIn(t, { username: 'xzf.report', password: CLERK_PASSWORD });
    const html = (await page.get('/staff/rollup/xzf/2026').expect(200)).text;
    expect(html).toContain('与当前记录比对');
    expect(html).toContain('<section class="card" id="diff">');
    expect(html).toContain('当前记录与第 1 次发布的比对（最近一次发布）');
    expect(html).toMatch(/<td>第三部分 一、本年新收政府信息公开申请数量<\/td><td>总计<\/td><td>1<\/td><td>2<\/td>/);
    expect(html).toContain('<a href="/staff/rollup/zrzy/2026?format&#x3D;2021">某县自然资源局</a>：');
  });

  it('refile after a referral (D21) happens once: a second attempt is 409 with a Chinese message, and the status page names the new application', async () => {
    const first = await file('xzf', xzf, { description: '申请公开某校舍改造项目的招标文件' });
    await request(t.http).post(`/api/v1/requests/${first.id}/events`).set(xzf).send({ type: 'receipt_confirmed', on: '2026-06-15' }).expect(201);
    await request(t.http)
      .post(`/api/v1/requests/${first.id}/events`)
      .set(xzf)
      .send({ type: 'decided', on: '2026-06-15', outcome: 'unable_not_held', referTo: { agency: '', agencyCode: 'jyj' } })
      .expect(201);
    const jyj = await account('jyj.reg', ['registrar'], 'jyj');
    const jyjTotal = async () => (await request(t.http).get('/api/v1/requests').set(jyj).expect(200)).body.total as number;
    const before = await jyjTotal();
    const agent = request.agent(t.http);
    const { csrf } = await openForm(agent, '/status');
    const look = () => agent.post('/status').type('form').send({ _csrf: csrf, trackingNumber: first.trackingNumber, accessCode: first.accessCode }).expect(200);
    const offered = await look();
    expect(offered.text).toContain('确认向某县教育局提出申请');
    const tokenOf = (html: string) => /name="submissionToken" value="([^"]+)"/.exec(html)![1];
    const send = (submissionToken: string) =>
      agent
        .post('/status/refile')
        .type('form')
        .send({ _csrf: csrf, trackingNumber: first.trackingNumber, accessCode: first.accessCode, submissionToken, description: '申请公开某校舍改造项目的招标文件' });
    // Two tabs: two tokens, sent at once; one new application.
    const [a, b] = await Promise.all([send(tokenOf(offered.text)), send(tokenOf((await look()).text))]);
    expect([a.status, b.status].sort()).toEqual([201, 409]);
    const refused = a.status === 409 ? a : b;
    const number = /id="tracking-number">([^<]+)</.exec((a.status === 201 ? a : b).text)![1];
    expect(refused.text).toContain(`您已改向某县教育局提出申请（编号 ${number}）`);
    expect(await jyjTotal()).toBe(before + 1);
    // Later: the page says so instead of offering it again; a third attempt is refused too.
    const after = await look();
    expect(after.text).toContain(`您已改向某县教育局提出申请（编号 ${number}）`);
    expect(after.text).not.toContain('确认向某县教育局提出申请');
    expect(after.text).not.toContain('id="refile"');
    await send('another-token').expect(409);
    expect(await jyjTotal()).toBe(before + 1);
  });

  it('roll-up exports (D22): XLSX, DOCX and CSV name the roll-up, its node and year, and carry the per-agency breakdown; no personal data', async () => {
    const get = (type: string) => request(t.http).get(`/api/v1/agencies/xzf/rollup/2026/export/${type}`).set(reports).buffer(true).parse(binary).expect(200);
    const title = '某县人民政府办公室2026年度政府信息公开工作年度报告汇总（本级及所属2个机关）';
    const rollup = (await request(t.http).get('/api/v1/agencies/xzf/rollup/2026/section3').set(reports).expect(200)).body as { agencies: Array<{ code: string; rows: Record<string, number[]> }> };
    const own = (code: string, key: string) => rollup.agencies.find((a) => a.code === code)!.rows[key].at(-1);
    expect(own('zrzy', 'new_received')).toBeGreaterThan(0);

    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load((await get('xlsx')).body);
    expect(wb.worksheets.map((w) => w.name)).toEqual(['第三部分', '第四部分', '各机关情况']);
    expect(wb.getWorksheet('第三部分')!.getCell('A1').value).toBe(title);
    expect(wb.getWorksheet('第四部分')!.getCell('A1').value).toBe(title);
    const sheet = wb.getWorksheet('各机关情况')!;
    expect(sheet.getCell('A1').value).toBe(title);
    const rows: unknown[][] = [];
    sheet.eachRow((row) => rows.push((row.values as unknown[]).slice(1)));
    expect(rows[2]).toEqual(['机关代码', '机关', '新收', '办结', '结转下年', '逾期答复', '按时答复率', '本机关校验', '本机关报表']);
    const zrzyRow = rows.find((r) => r[0] === 'zrzy')!;
    expect(zrzyRow.slice(1, 6)).toEqual(['\u3000某县自然资源局', own('zrzy', 'new_received'), own('zrzy', 'concluded_total'), own('zrzy', 'carried_to_next_year'), 0]);
    expect(rows.map((r) => r[0]).slice(3)).toEqual(['xzf', 'zrzy', 'jyj']);

    const docx = await JSZip.loadAsync((await get('docx')).body as Buffer);
    const xml = (await docx.file('word/document.xml')!.async('string')).replace(/<[^>]+>/g, '');
    expect(xml).toContain(title);
    expect(xml).toContain('各机关情况');
    expect(xml).toContain('某县自然资源局');
    expect(xml).toContain('某县教育局');

    const csv = ((await get('csv')).body as Buffer).toString('utf8');
    const lines = csv.replace(/^\uFEFF/, '').split('\r\n');
    expect(lines[0]).toBe(title);
    const header = lines.indexOf('机关代码,机关,新收,办结,结转下年,逾期答复,按时答复率,本机关校验,本机关报表');
    expect(header).toBeGreaterThan(0);
    expect(lines[header + 2]).toMatch(new RegExp(`^zrzy,\u3000某县自然资源局,${own('zrzy', 'new_received')},`));
    for (const text of [csv, xml, JSON.stringify(rows)]) {
      expect(text).not.toContain('赵六');
      expect(text).not.toContain('13900000001');
    }
  });

  it('citizens are told their agency (D22, D23): header on /a/{code}, the confirmation and status pages, a transfer stated, e-mails from the agency', async () => {
    // /a/{code}: the header names the agency filed with, not the platform's root.
    const fixed = await request(t.http).get('/a/zrzy').expect(200);
    expect(fixed.text).toContain('<span class="agency">某县自然资源局</span>');
    expect(fixed.text).toContain('可以向某县自然资源局申请获取政府信息');
    const agent = request.agent(t.http);
    const { csrf, submissionToken } = await openForm(agent, '/a/zrzy');
    const filed = await agent
      .post('/apply')
      .type('form')
      .send({
        _csrf: csrf,
        submissionToken,
        agency: 'zrzy',
        agencyFixed: '1',
        'applicant[type]': 'natural_person',
        'applicant[name]': '钱七',
        'applicant[idDocumentNumber]': (filing().applicant as { idDocumentNumber: string }).idDocumentNumber,
        'applicant[email]': 'qian@example.test',
        description: '申请公开某地块的规划条件',
      })
      .expect(201);
    expect(filed.text).toContain('<span class="agency">某县自然资源局</span>');
    expect(filed.text).toContain('已向 <strong>某县自然资源局</strong> 提出申请');
    expect(filed.text).toContain('以某县自然资源局与您双方确认之日为收到申请之日');

    // Filed with the root, transferred before receipt: the status page names the agency now handling it and the transfer.
    const wrong = await file('xzf', xzf, { description: '申请公开某矿区的采矿权出让合同（转送）' });
    await request(t.http).post(`/api/v1/requests/${wrong.id}/transfer`).set(xzf).send({ agency: 'zrzy' }).expect(200);
    const status = await agent.post('/status').type('form').send({ _csrf: csrf, trackingNumber: wrong.trackingNumber, accessCode: wrong.accessCode }).expect(200);
    expect(status.text).toContain('<span class="agency">某县自然资源局</span>');
    expect(status.text).toContain('<dt>受理机关</dt><dd id="status-agency">某县自然资源局</dd>');
    expect(status.text).toContain('某县人民政府办公室已于2026年6月15日转至某县自然资源局办理');
    expect(status.text).toContain('某县自然资源局尚未确认收到您的申请');
    expect(status.text).not.toContain('本机关尚未确认收到');

    // E-mails about a request come from its agency's name, at MAIL_FROM's address.
    while ((await t.app.get(MailWorker).runOnce()) > 0);
    const dir = join(t.dir, 'mail');
    const mails = await Promise.all(readdirSync(dir).map((f) => simpleParser(readFileSync(join(dir, f)))));
    const bySubject = (part: string) => mails.find((m) => m.subject?.includes(part))!;
    const ack = bySubject('已收到您在网上提交的政府信息公开申请');
    expect(ack.from!.value[0]).toEqual({ name: '某县自然资源局', address: 'no-reply@localhost' });
    const transfer = bySubject('已转送某县自然资源局');
    expect(transfer.from!.value[0]).toEqual({ name: '某县人民政府办公室', address: 'no-reply@localhost' });
    expect(transfer.text).toContain('您于2026年6月15日在网上提交的政府信息公开申请');
    expect(transfer.text).toContain('是向某县人民政府办公室提出的。经核实，所申请的信息应由某县自然资源局办理，某县人民政府办公室在确认收到之前已将您的申请转送某县自然资源局。');
  });

  it('agency admin: a duplicate name under one parent is 409 with a Chinese field message; the same name elsewhere and the code label', async () => {
    const dup = await request(t.http).post('/api/v1/agencies').set(admin).send({ code: 'zrzy2', name: '某县自然资源局', parent: 'xzf' }).expect(409);
    expect(dup.body.error.code).toBe('CONFLICT');
    expect(dup.body.error.fields.name).toMatch(/^某县人民政府办公室下已有名为“某县自然资源局”的机关/);
    // Trimmed as stored.
    await request(t.http).post('/api/v1/agencies').set(admin).send({ code: 'zrzy3', name: ' 某县自然资源局 ', parent: 'xzf' }).expect(409);
    // Under another parent the same name is another agency (e.g. a township's office).
    await request(t.http).post('/api/v1/agencies').set(admin).send({ code: 'zrzyjc', name: '某县教育局', parent: 'zrzy' }).expect(201);
    const page = await signIn(t, { username: 'admin', password: 'admin-password-1' });
    const form = await openForm(page, '/staff/agencies');
    expect(form.html).toContain('机关代码（以字母开头，2–8 位小写字母或数字）');
    const refused = await page.post('/staff/agencies').type('form').send({ _csrf: form.csrf, code: 'jyj2', name: '某县教育局', parent: 'xzf' }).expect(409);
    expect(refused.text).toContain('某县人民政府办公室下已有名为“某县教育局”的机关');
  });

  it('cosmetics: the reply form names the platform select in full; the 督办 form’s label is attached; filing without an agency shows one error', async () => {
    await t.app.get(AuthService).createUser('xzf.page', '县政府办', CLERK_PASSWORD, ['registrar', 'handler', 'approver'], null, (await t.app.get(AgenciesService).byCode('xzf'))!.id);
    const received = await file('xzf', xzf, { description: '申请公开某道路工程的竣工验收报告' });
    await request(t.http).post(`/api/v1/requests/${received.id}/events`).set(xzf).send({ type: 'receipt_confirmed', on: '2026-06-15' }).expect(201);
    const clerk = await signIn(t, { username: 'xzf.page', password: CLERK_PASSWORD });
    const detail = (await clerk.get(`/staff/requests/${received.id}`).expect(200)).text;
    expect(detail).toContain('如该机关也在本平台受理申请，请选择（可选）');
    expect(detail).not.toContain('该机关在本平台上的（可选）');

    const admin = await signIn(t, { username: 'admin', password: 'admin-password-1' });
    const overview = (await admin.get('/staff/supervision').expect(200)).text;
    expect(overview.match(/id="note"/g)).toHaveLength(1);
    expect(overview).toMatch(/<label for="note">督办意见<\/label>\s*<textarea id="note"/);

    const agent = request.agent(t.http);
    const { csrf, submissionToken } = await openForm(agent, '/');
    const sent = await agent
      .post('/apply')
      .type('form')
      .send({
        _csrf: csrf,
        submissionToken,
        'applicant[type]': 'natural_person',
        'applicant[name]': '钱七',
        'applicant[idDocumentNumber]': (filing().applicant as { idDocumentNumber: string }).idDocumentNumber,
        'applicant[phone]': '13900000002',
        description: '申请公开某校舍改造项目的招标文件',
      })
      .expect(400);
    expect(sent.text).toContain('id="agency-error"');
    // One box above the form (the summary of the fields to correct), not a second near-identical one.
    expect(sent.text.match(/class="alert alert-error"/g)).toHaveLength(1);
    expect(sent.text).not.toContain('请选择受理申请的机关。');
  });
});
