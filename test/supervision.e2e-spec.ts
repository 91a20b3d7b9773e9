import request from 'supertest';
import { AgenciesService } from '../src/agencies/agencies.service';
import { AuthService } from '../src/auth/auth.service';
import { Role } from '../src/auth/roles';
import { DailyDigestService } from '../src/notifications/daily-digest.service';
import { MailOutboxEntity } from '../src/notifications/entities/mail-outbox.entity';
import { pdfBytes } from './support/files';
import { Agent, applicant, Auth, bearer, CLERK_PASSWORD, signIn } from './support/builders';
import { registeredRoutes } from './support/roles';
import { createTestApp, openForm, TestApp, validResidentId } from './support/test-app';

const OUT_OF_AUDIT =
  /^(POST \/apply|POST \/status|POST \/staff\/login|POST \/api\/v1\/public\/|POST \/api\/v1\/auth\/token|DELETE \/api\/v1\/auth\/token|POST \/api\/v1\/auth\/password|POST \/staff\/logout|POST \/staff\/password|POST \/staff\/supervision\/notes|POST \/api\/v1\/agencies\/:code\/requests\/:id\/supervision-notes)/;

/**
 * Issue 16, phase 2 (D22): a supervisor of a node reads the node's subtree and never writes; the
 * roll-up pages, exports and publications; 督办 notes on the timeline and in the digest.
 * Tree: main ─ zx (县住建局, the supervisor's) ─ zxa (县住建局下属中心); main ─ sib (县教育局).
 */
describe('Supervision (issue 16 phase 2)', () => {
  let t: TestApp;
  let admin: Auth;
  let sup: Auth;
  let supAgent: Agent;
  const ids = { own: '', child: '', sibling: '', attachment: '' };
  const token = async (username: string) => bearer((await request(t.http).post('/api/v1/auth/token').send({ username, password: CLERK_PASSWORD }).expect(200)).body.token as string);
  const account = async (username: string, roles: Role[], agency: string, email: string | null = null) => {
    const found = await t.app.get(AgenciesService).byCode(agency);
    await t.app.get(AuthService).createUser(username, `${username} 用户`, CLERK_PASSWORD, roles, email, found!.id);
    return token(username);
  };
  const register = async (auth: Auth, name: string, receivedOn = '2026-03-02') =>
    (
      await request(t.http)
        .post('/api/v1/requests')
        .set(auth)
        .send({ channel: 'in_person', receivedOn, applicant: applicant('natural_person', name, { idDocumentNumber: validResidentId(), phone: '13900000007' }), description: `${name}的申请` })
        .expect(201)
    ).body.id as string;

  beforeAll(async () => {
    t = await createTestApp();
    admin = bearer(await t.adminToken());
    for (const [code, name, parent] of [
      ['zx', '某县住房和城乡建设局', 'main'],
      ['zxa', '某县住房保障中心', 'zx'],
      ['sib', '某县教育局', 'main'],
    ])
      await request(t.http).post('/api/v1/agencies').set(admin).send({ code, name, parent }).expect(201);
    const zxClerk = await account('zx_clerk', ['registrar', 'handler', 'approver'], 'zx', 'zx@example.test');
    const zxaClerk = await account('zxa_clerk', ['registrar', 'handler', 'approver'], 'zxa', 'zxa@example.test');
    const sibClerk = await account('sib_clerk', ['registrar', 'handler', 'approver'], 'sib', 'sib@example.test');
    await account('zxa_report', ['report_officer'], 'zxa');
    sup = await account('zx_sup', ['supervisor'], 'zx');
    supAgent = await signIn(t, { username: 'zx_sup', password: CLERK_PASSWORD });
    ids.own = await register(zxClerk, '本局申请人');
    ids.child = await register(zxaClerk, '下级申请人');
    ids.sibling = await register(sibClerk, '兄弟局申请人');
    await request(t.http).post(`/api/v1/requests/${ids.child}/events`).set(zxaClerk).send({ type: 'decided', on: '2026-04-20', outcome: 'granted' }).expect(201);
    ids.attachment = (
      await request(t.http)
        .post(`/api/v1/requests/${ids.own}/attachments`)
        .set(zxClerk)
        .field('kind', 'internal')
        .field('visibleToApplicant', 'false')
        .field('title', '内部材料')
        .attach('file', pdfBytes(1500), 'a.pdf')
        .expect(201)
    ).body.id;
  }, 60_000);
  afterAll(() => t.close());

  const api = (path: string, auth: Auth = sup) => request(t.http).get(path).set(auth);

  it('a supervisor reads its subtree (reports, roll-ups, requests with personal data masked); anything outside answers 404', async () => {
    for (const code of ['zx', 'zxa']) {
      await api(`/api/v1/agencies/${code}/reports/2026/section3`).expect(200);
      await api(`/api/v1/agencies/${code}/reports/2026/section4`).expect(200);
    }
    const rollup = (await api('/api/v1/agencies/zx/rollup/2026/section3').expect(200)).body;
    expect(rollup.agencies.map((a: { code: string }) => a.code)).toEqual(['zx', 'zxa']);
    expect(rollup.rows.new_received[6]).toBe(2);
    expect(rollup.rows.granted[6]).toBe(1);
    const list = (await api('/api/v1/agencies/zxa/requests').expect(200)).body;
    expect(list.total).toBe(1);
    const detail = (await api(`/api/v1/agencies/zxa/requests/${ids.child}`).expect(200)).body;
    expect(detail.applicant.idDocumentNumber).not.toMatch(/^\d{17}[\dX]$/);
    expect(detail.applicant.phone).not.toBe('13900000007');
    for (const path of [
      '/api/v1/agencies/main/reports/2026/section3',
      '/api/v1/agencies/sib/reports/2026/section3',
      '/api/v1/agencies/main/rollup/2026/section3',
      '/api/v1/agencies/sib/rollup/2026/section4',
      '/api/v1/agencies/main/rollup/2026/section3/cells/new_received/total',
      '/api/v1/agencies/sib/requests',
      `/api/v1/agencies/sib/requests/${ids.sibling}`,
      `/api/v1/agencies/zxa/requests/${ids.sibling}`,
      '/api/v1/agencies/main/supervision',
      '/api/v1/agencies/nope/rollup/2026/section3',
    ])
      expect([path, (await api(path)).status]).toEqual([path, 404]);
    await request(t.http).post(`/api/v1/agencies/zx/requests/${ids.sibling}/supervision-notes`).set(sup).send({ note: '越权督办' }).expect(404);
    for (const path of ['/staff/rollup/main/2026', '/staff/rollup/sib/2026', '/staff/supervision?node=sib', '/staff/supervision/sib/requests', `/staff/supervision/zxa/requests/${ids.sibling}`])
      expect([path, (await supAgent.get(path)).status]).toEqual([path, 404]);
    // An agency's own report officer reads its own agency by code, not its parent's.
    const officer = await token('zxa_report');
    await api('/api/v1/agencies/zxa/rollup/2026/section3', officer).expect(200);
    await api('/api/v1/agencies/zx/reports/2026/section3', officer).expect(404);
  });

  it('a supervisor never writes: every write route answers 403 and nothing in the database changes', async () => {
    const snapshot = async () => {
      const out: Record<string, number> = {};
      for (const meta of t.dataSource.entityMetadatas) out[meta.tableName] = Number((await t.dataSource.query(`SELECT COUNT(*) AS n FROM "${meta.tableName}"`))[0].n);
      out.versions = Number((await t.dataSource.query('SELECT SUM(version) AS n FROM information_request'))[0].n);
      return out;
    };
    const before = await snapshot();
    const { csrf } = await openForm(supAgent, '/staff/password');
    const params: Record<string, string> = {
      id: ids.own,
      attachmentId: ids.attachment,
      year: '2026',
      code: 'zxa',
      number: '1',
      kind: 'reply',
      row: 'granted',
      column: 'total',
      group: 'review',
      type: 'json',
    };
    const bodies: Record<string, Record<string, unknown>> = {
      events: { type: 'decided', on: '2026-04-20', outcome: 'granted' },
      transfer: { agency: 'sib' },
      conclusion: { result: 'upheld', concludedOn: '2026-06-15' },
      publish: {},
    };
    const answers: string[] = [];
    // Every write route the app registers, read from the router (a new one is audited without being listed).
    for (const route of registeredRoutes(t)) {
      const [method, path] = route.split(' ');
      // Public routes; its own password and sign-out (the account's, not a record); the 督办 note, the supervisor's one write (below).
      if (method === 'GET' || OUT_OF_AUDIT.test(route)) continue;
      const url = path.replace(/:(\w+)/g, (_, name: string) => params[name] ?? 'x');
      const isApi = path.startsWith('/api/');
      const body = bodies[path.split('/').pop()!] ?? {};
      let req = (isApi ? request(t.http) : supAgent)[method.toLowerCase() as 'post'](url);
      if (isApi) req = req.set(sup);
      const res = await req.type(isApi ? 'json' : 'form').send(isApi ? body : { _csrf: csrf, ...body });
      answers.push(`${route}: ${res.status}`);
    }
    expect(answers.filter((a) => !a.endsWith(': 403'))).toEqual([]);
    expect(answers.length).toBeGreaterThan(30);
    expect(await snapshot()).toEqual(before);
  }, 60_000);

  it('a 督办 note lands on the request’s timeline (the replay ignores it) and in that agency’s next digest, once', async () => {
    const before = (await api(`/api/v1/agencies/zxa/requests/${ids.child}`).expect(200)).body;
    await request(t.http).post(`/api/v1/agencies/zx/requests/${ids.child}/supervision-notes`).set(sup).send({ note: '请核查答复是否已送达。' }).expect(201);
    const { csrf } = await openForm(supAgent, '/staff/supervision');
    const form = await supAgent
      .post('/staff/supervision/notes')
      .type('form')
      .send({ _csrf: csrf, node: 'zx', request: before.trackingNumber.replace('-', ''), note: '请在本周内补齐送达凭证。' });
    expect(form.status).toBe(303);
    const after = (await api(`/api/v1/agencies/zxa/requests/${ids.child}`).expect(200)).body;
    const notes = after.events.filter((e: { type: string }) => e.type === 'supervision_note');
    expect(notes.map((e: { data: { supervisionNote: string } }) => e.data.supervisionNote)).toEqual(['请核查答复是否已送达。', '请在本周内补齐送达凭证。']);
    expect({ ...after, events: undefined, version: undefined }).toEqual({ ...before, events: undefined, version: undefined });
    const page = await supAgent.get(`/staff/supervision/zxa/requests/${ids.child}`).expect(200);
    expect(page.text).toContain('请在本周内补齐送达凭证。');
    await t.app.get(DailyDigestService).sendDailyDigest();
    const mails = await t.dataSource.manager.find(MailOutboxEntity, { where: { kind: 'digest' } });
    const zxa = mails.find((m) => m.recipient === 'zxa@example.test')!;
    expect(zxa.subject).toContain('督办意见 2 条');
    expect(zxa.textBody).toContain('请核查答复是否已送达。');
    expect(mails.find((m) => m.recipient === 'zx@example.test')!.textBody).not.toContain('督办');
    t.clock.advance(24 * 3600 * 1000);
    await t.app.get(DailyDigestService).sendDailyDigest();
    const next = (await t.dataSource.manager.find(MailOutboxEntity, { where: { kind: 'digest', recipient: 'zxa@example.test' } })).filter((m) => m.id !== zxa.id);
    expect(next).toHaveLength(1);
    expect(next[0].textBody).not.toContain('请核查答复是否已送达。');
    t.clock.advance(-24 * 3600 * 1000);
  });

  it('the 督办 page ranks the subtree’s agencies with bars; the roll-up page shows the official layout, the agencies and the drill-down', async () => {
    const page = await supAgent.get('/staff/supervision').expect(200);
    expect(page.text).toContain('某县住房保障中心');
    expect(page.text).not.toContain('某县教育局');
    expect(page.text).toMatch(/class="bar w\d+"/);
    for (const format of ['2019', '2021']) {
      const rollup = await supAgent.get(`/staff/rollup/zx/2026?format=${format}`).expect(200);
      expect(rollup.text).toContain('三、收到和处理政府信息公开申请情况');
      expect(rollup.text).toContain('各机关情况');
      expect(rollup.text).toContain('某县住房保障中心');
      expect(rollup.text).toContain(`/staff/rollup/zx/2026/cells/new_received/total?format&#x3D;${format}`);
    }
    const cell = await supAgent.get('/staff/rollup/zx/2026/cells/new_received/total?format=2021').expect(200);
    expect(cell.text).toContain('共 2 件');
    const one = await supAgent.get('/staff/rollup/zx/2026/cells/new_received/total?format=2021&agency=zxa').expect(200);
    expect(one.text).toContain(`/staff/supervision/zxa/requests/${ids.child}`);
  });

  it('roll-up exports (XLSX, DOCX, CSV, JSON) carry the summed tables and each agency’s settings', async () => {
    const json = JSON.parse((await api('/api/v1/agencies/zx/rollup/2026/export/json').expect(200)).text);
    expect(json.section3.rows.new_received[6]).toBe(2);
    expect(json.section3.agencies.map((a: { code: string }) => a.code)).toEqual(['zx', 'zxa']);
    const csv = await supAgent.get('/staff/rollup/zx/2026/export/csv').expect(200);
    expect(csv.headers['content-disposition']).toContain('ogi-rollup-zx-2026');
    expect(csv.text).toContain('某县住房和城乡建设局2026年度政府信息公开工作年度报告汇总（本级及所属1个机关）');
    expect(csv.text).toContain('某县住房保障中心：第四部分');
    for (const type of ['xlsx', 'docx']) {
      const res = await api(`/api/v1/agencies/zx/rollup/2026/export/${type}`)
        .buffer(true)
        .parse((r, cb) => {
          const chunks: Buffer[] = [];
          r.on('data', (c: Buffer) => chunks.push(c));
          r.on('end', () => cb(null, Buffer.concat(chunks)));
        });
      expect(res.status).toBe(200);
      expect((res.body as Buffer).subarray(0, 2).toString()).toBe('PK');
    }
  });

  it('publishing a roll-up keeps every publication (D20): numbered, signed, frozen, a reason from the second on', async () => {
    const officer = await account('zx_report', ['report_officer'], 'zx');
    await request(t.http).post('/api/v1/agencies/zx/rollup/2026/publish').set(sup).send({}).expect(403);
    await request(t.http).post('/api/v1/agencies/main/rollup/2026/publish').set(officer).send({}).expect(404);
    const first = (await request(t.http).post('/api/v1/agencies/zx/rollup/2026/publish').set(officer).send({ format: '2021' }).expect(201)).body;
    expect(first).toMatchObject({ number: 1, reason: null, format: '2021' });
    expect((await request(t.http).post('/api/v1/agencies/zx/rollup/2026/publish').set(officer).send({}).expect(400)).body.error.fields).toHaveProperty('reason');
    // A record changes after the first publication; the frozen one does not.
    await register(await token('zxa_clerk'), '发布后申请人', '2026-05-06');
    const second = (await request(t.http).post('/api/v1/agencies/zx/rollup/2026/publish').set(officer).send({ reason: '补录一件申请' }).expect(201)).body;
    expect(second).toMatchObject({ number: 2, reason: '补录一件申请' });
    const list = (await api('/api/v1/agencies/zx/rollup/2026/publications').expect(200)).body.items;
    expect(list.map((p: { number: number }) => p.number)).toEqual([1, 2]);
    const p1 = (await api('/api/v1/agencies/zx/rollup/2026/publications/1').expect(200)).body;
    const p2 = (await api('/api/v1/agencies/zx/rollup/2026/publications/2').expect(200)).body;
    expect(p1.section3.rows.new_received[6]).toBe(2);
    expect(p2.section3.rows.new_received[6]).toBe(3);
    expect(p2.section3.agencies.find((a: { code: string }) => a.code === 'zxa').rows.new_received[6]).toBe(2);
    const page = await supAgent.get('/staff/rollup/zx/2026').expect(200);
    expect(page.text).toContain('第 2 次');
    await supAgent.get('/staff/rollup/zx/2026/publications/1').expect(200);
  });

  it('the database itself refuses to change or remove a published roll-up (D20)', async () => {
    const where = `agency_id = (SELECT id FROM agency WHERE code = 'zx') AND year = 2026`;
    const before = await t.dataSource.query(`SELECT number, section3, published_by FROM rollup_publication WHERE ${where} ORDER BY number`);
    expect(before).toHaveLength(2);
    await expect(t.dataSource.query(`UPDATE rollup_publication SET section3 = '{}' WHERE ${where}`)).rejects.toThrow(/frozen/);
    await expect(t.dataSource.query(`UPDATE rollup_publication SET published_by = '他人' WHERE ${where} AND number = 1`)).rejects.toThrow(/frozen/);
    await expect(t.dataSource.query(`DELETE FROM rollup_publication WHERE ${where} AND number = 1`)).rejects.toThrow(/frozen/);
    expect(await t.dataSource.query(`SELECT number, section3, published_by FROM rollup_publication WHERE ${where} ORDER BY number`)).toEqual(before);
    expect((await api('/api/v1/agencies/zx/rollup/2026/publications').expect(200)).body.items).toHaveLength(2);
  });
});
