import request from 'supertest';
import { Permission, PERMISSION_MATRIX } from '../src/auth/permissions';
import { Reflector } from '@nestjs/core';
import { AuthService } from '../src/auth/auth.service';
import { Role, ROLES } from '../src/auth/roles';
import { AgenciesService } from '../src/agencies/agencies.service';
import { pdfBytes } from './support/files';
import { signIn } from './support/builders';
import { StaffAuthGuard } from '../src/auth/staff-auth.guard';
import { createRoleUsers, registeredRoutes, ROLE_PASSWORD } from './support/roles';
import { createTestApp, openForm, TestApp, validResidentId } from './support/test-app';

/** Routes anyone may use. Everything else must answer 401 (API) or send to sign-in (pages). */
const PUBLIC_ROUTES = [
  'GET /',
  'POST /apply',
  'GET /status',
  'POST /status',
  'POST /status/withdraw',
  'POST /status/refile',
  'GET /a/:code',
  'GET /staff/login',
  'POST /staff/login',
  'POST /api/v1/auth/token',
  'POST /api/v1/public/requests',
  'GET /api/v1/public/requests/:trackingNumber',
  'POST /api/v1/public/requests/:trackingNumber/withdrawal',
  'GET /api/v1/public/requests/:trackingNumber/attachments',
  'GET /api/v1/public/requests/:trackingNumber/attachments/:attachmentId',
  'POST /status/attachments/:attachmentId',
  'GET /api/docs-json',
  'GET /api/docs-yaml',
];

/** The permission each staff route needs: a new route not listed here fails this audit. */
const STAFF_ROUTES: Record<string, Permission> = {
  'DELETE /api/v1/auth/token': 'staff.self',
  'POST /api/v1/auth/password': 'staff.self',
  'POST /api/v1/accounts': 'accounts.manage',
  'GET /api/v1/accounts': 'accounts.manage',
  'PATCH /api/v1/accounts/:id': 'accounts.manage',
  'POST /api/v1/accounts/:id/password': 'accounts.manage',
  'POST /api/v1/requests': 'requests.register',
  'GET /api/v1/requests': 'requests.view',
  'GET /api/v1/requests/:id': 'requests.view',
  'GET /api/v1/requests/export': 'requests.view',
  'POST /api/v1/requests/:id/assignment': 'requests.process',
  'POST /api/v1/requests/:id/events': 'requests.view',
  'GET /api/v1/calendar/:year': 'requests.view',
  'PUT /api/v1/calendar/:year': 'calendar.manage',
  'DELETE /api/v1/calendar/:year': 'calendar.manage',
  'GET /api/v1/reports/:year/section3': 'reports.view',
  'GET /api/v1/reports/:year/section3/cells/:row/:column': 'reports.view',
  'GET /api/v1/reports/:year/section4': 'reports.view',
  'GET /api/v1/reports/:year/section4/cells/:group/:column': 'reports.view',
  'GET /api/v1/reports/:year/export/:type': 'reports.view',
  'POST /api/v1/reports/:year/publish': 'reports.publish',
  'GET /api/v1/reports/:year/diff': 'reports.view',
  'GET /api/v1/reports/:year/publications': 'reports.view',
  'GET /api/v1/reports/:year/publications/:number': 'reports.view',
  'GET /api/v1/settings/report': 'reports.view',
  'PUT /api/v1/settings/report': 'settings.manage',
  'GET /api/v1/settings/remedies': 'requests.view',
  'PUT /api/v1/settings/remedies': 'settings.manage',
  'GET /api/v1/requests/:id/notices/:kind': 'requests.view',
  'POST /api/v1/review-cases': 'review_cases.manage',
  'GET /api/v1/review-cases': 'reports.view',
  'GET /api/v1/review-cases/:id': 'reports.view',
  'POST /api/v1/review-cases/:id/conclusion': 'review_cases.manage',
  'POST /staff/logout': 'staff.self',
  'GET /staff': 'requests.view',
  'GET /staff/requests': 'requests.view',
  'GET /staff/awaiting': 'requests.view',
  'GET /staff/requests/new': 'requests.register',
  'POST /staff/requests': 'requests.register',
  'GET /staff/requests/:id': 'requests.view',
  'GET /staff/requests/export': 'requests.view',
  'GET /staff/requests/:id/notices/:kind': 'requests.view',
  'POST /staff/requests/:id/assign': 'requests.process',
  'POST /staff/requests/:id/events': 'requests.view',
  'GET /staff/calendar': 'calendar.manage',
  'POST /staff/calendar/:year': 'calendar.manage',
  'POST /staff/calendar/:year/reset': 'calendar.manage',
  'GET /staff/reports': 'reports.view',
  'GET /staff/reports/:year': 'reports.view',
  'GET /staff/reports/:year/cells/:row/:column': 'reports.view',
  'GET /staff/reports/:year/section4/:group/:column': 'reports.view',
  'GET /staff/reports/:year/export/:type': 'reports.view',
  'POST /staff/reports/:year/publish': 'reports.publish',
  'GET /staff/reports/:year/publications/:number': 'reports.view',
  'GET /staff/reports/:year/publications/:number/export/:type': 'reports.view',
  'POST /staff/reports/settings/section4': 'settings.manage',
  'GET /staff/settings': 'settings.manage',
  'POST /staff/settings/remedies': 'settings.manage',
  'GET /staff/review-cases': 'reports.view',
  'POST /staff/review-cases': 'review_cases.manage',
  'POST /staff/review-cases/:id/conclusion': 'review_cases.manage',
  'GET /staff/import': 'requests.import',
  'GET /staff/import/sample.csv': 'requests.import',
  'GET /staff/import/sample.xlsx': 'requests.import',
  'POST /staff/import': 'requests.import',
  'GET /staff/import/jobs/:id': 'requests.import',
  'GET /staff/accounts': 'accounts.manage',
  'POST /staff/accounts': 'accounts.manage',
  'POST /staff/accounts/:id': 'accounts.manage',
  'GET /staff/password': 'staff.self',
  'POST /staff/password': 'staff.self',
  'GET /staff/retention': 'data.retention',
  'POST /staff/retention': 'data.retention',
  'POST /api/v1/jobs/daily-digest': 'jobs.run',
  'GET /api/v1/dashboard': 'requests.view',
  'GET /staff/mail': 'requests.view',
  // Attachments (issue 18): uploading, withdrawing and mailing need the permission that records a reply.
  'POST /api/v1/requests/:id/attachments': 'requests.process',
  'GET /api/v1/requests/:id/attachments': 'requests.view',
  'POST /api/v1/requests/:id/attachments/email': 'requests.process',
  'GET /api/v1/requests/:id/attachments/:attachmentId': 'requests.view',
  'DELETE /api/v1/requests/:id/attachments/:attachmentId': 'requests.process',
  'POST /staff/requests/:id/attachments': 'requests.process',
  'POST /staff/requests/:id/attachments/email': 'requests.process',
  'POST /staff/requests/:id/attachments/:attachmentId/withdraw': 'requests.process',
  'GET /staff/requests/:id/attachments/:attachmentId': 'requests.view',
  // Agencies (issue 16, D22, D23): the tree is managed by the root agency's administrator.
  'POST /api/v1/agencies': 'agencies.manage',
  'GET /api/v1/agencies': 'staff.self',
  'GET /staff/agencies': 'agencies.manage',
  'POST /staff/agencies': 'agencies.manage',
  'POST /api/v1/requests/:id/transfer': 'requests.confirm',
  'POST /staff/requests/:id/transfer': 'requests.confirm',
  // Roll-ups and supervision (issue 16 phase 2): which node each may read is checked by RollupAccess (404 out of reach).
  'GET /api/v1/agencies/:code/reports/:year/section3': 'reports.rollup',
  'GET /api/v1/agencies/:code/reports/:year/section4': 'reports.rollup',
  'GET /api/v1/agencies/:code/rollup/:year/section3': 'reports.rollup',
  'GET /api/v1/agencies/:code/rollup/:year/section4': 'reports.rollup',
  'GET /api/v1/agencies/:code/rollup/:year/section3/cells/:row/:column': 'reports.rollup',
  'GET /api/v1/agencies/:code/rollup/:year/export/:type': 'reports.rollup',
  'POST /api/v1/agencies/:code/rollup/:year/publish': 'reports.publish',
  'GET /api/v1/agencies/:code/rollup/:year/publications': 'reports.rollup',
  'GET /api/v1/agencies/:code/rollup/:year/diff': 'reports.rollup',
  'GET /api/v1/agencies/:code/rollup/:year/publications/:number': 'reports.rollup',
  'GET /api/v1/agencies/:code/requests': 'supervision.view',
  'GET /api/v1/agencies/:code/requests/:id': 'supervision.view',
  'GET /api/v1/agencies/:code/supervision': 'supervision.view',
  'POST /api/v1/agencies/:code/requests/:id/supervision-notes': 'supervision.note',
  'GET /staff/rollup': 'reports.rollup',
  'GET /staff/rollup/:code/:year': 'reports.rollup',
  'GET /staff/rollup/:code/:year/cells/:row/:column': 'reports.rollup',
  'GET /staff/rollup/:code/:year/export/:type': 'reports.rollup',
  'GET /staff/rollup/:code/:year/publications/:number': 'reports.rollup',
  'POST /staff/rollup/:code/:year/publish': 'reports.publish',
  'GET /staff/supervision': 'supervision.view',
  'POST /staff/supervision/notes': 'supervision.note',
  'GET /staff/supervision/:code/requests': 'supervision.view',
  'GET /staff/supervision/:code/requests/:id': 'supervision.view',
};

const SAMPLE_PARAMS: Record<string, string> = {
  id: '00000000-0000-4000-8000-000000000000',
  year: '2024',
  kind: 'reply',
  trackingNumber: '2026-000001',
  row: 'granted',
  column: 'total',
  group: 'review',
  type: 'json',
};

function concrete(path: string): string {
  return path.replace(/:(\w+)/g, (_, name: string) => SAMPLE_PARAMS[name] ?? 'x');
}

describe('Route audit', () => {
  let t: TestApp;
  let users: Awaited<ReturnType<typeof createRoleUsers>>;

  beforeAll(async () => {
    t = await createTestApp();
    users = await createRoleUsers(t);
  });
  afterAll(() => t.close());

  it('every registered route is either public or has its permission declared here', () => {
    const routes = registeredRoutes(t).filter((r) => !r.startsWith('GET /api/docs') || PUBLIC_ROUTES.includes(r));
    const unknown = routes.filter((r) => !PUBLIC_ROUTES.includes(r) && !(r in STAFF_ROUTES));
    expect(unknown).toEqual([]);
    const missing = Object.keys(STAFF_ROUTES).filter((r) => !routes.includes(r));
    expect(missing).toEqual([]);
  });

  it('refuses anonymous access to every staff route', async () => {
    const anon = request.agent(t.http);
    const csrf = /name="_csrf" value="([^"]+)"/.exec((await anon.get('/staff/login')).text)![1];
    for (const route of Object.keys(STAFF_ROUTES)) {
      const [method, path] = route.split(' ');
      const url = concrete(path);
      const res = await anon[method.toLowerCase() as 'get'](url)
        .type(path.startsWith('/api/') ? 'json' : 'form')
        .send(method === 'GET' ? undefined : path.startsWith('/api/') ? {} : { _csrf: csrf });
      if (path.startsWith('/api/')) {
        expect([route, res.status, res.body?.error?.code]).toEqual([route, 401, 'UNAUTHORIZED']);
      } else {
        expect([route, res.status, res.headers.location?.startsWith('/staff/login')]).toEqual([route, 303, true]);
      }
    }
  });

  it('refuses each role exactly where the permission matrix says so, HTML and API alike', async () => {
    const mismatches: string[] = [];
    for (const [route, permission] of Object.entries(STAFF_ROUTES)) {
      const [method, path] = route.split(' ');
      for (const role of ROLES) {
        const u = users[role];
        if (route === 'POST /staff/logout' || route === 'DELETE /api/v1/auth/token') continue; // would end the session used below
        const api = path.startsWith('/api/');
        let req = (api ? request(t.http) : u.agent)[method.toLowerCase() as 'get'](concrete(path));
        if (api) req = req.set('Authorization', `Bearer ${u.token}`);
        const res = await req.type(api ? 'json' : 'form').send(method === 'GET' ? undefined : api ? {} : { _csrf: u.csrf });
        const allowed = PERMISSION_MATRIX[permission].includes(role);
        const refused = res.status === 403;
        if (res.status === 401 || (res.status === 303 && res.headers.location?.startsWith('/staff/login'))) mismatches.push(`${route} as ${role}: signed out (${res.status})`);
        else if (allowed === refused) mismatches.push(`${route} as ${role}: expected ${allowed ? 'allowed' : '403'}, got ${res.status}`);
      }
    }
    expect(mismatches).toEqual([]);
  }, 60_000);

  it('a route without a declared permission is refused to everyone (fails closed)', async () => {
    const guard = new StaffAuthGuard(t.app.get(Reflector), t.app.get(AuthService));
    // A handler as a new route would be before someone adds @RequirePermission to it.
    const handler = function undeclared() {};
    class NewController {}
    const context = {
      getHandler: () => handler,
      getClass: () => NewController,
      switchToHttp: () => ({ getRequest: () => ({ path: '/api/v1/new', headers: { authorization: `Bearer ${users.administrator.token}` } }), getResponse: () => ({ locals: {} }) }),
    };
    await expect(guard.canActivate(context as never)).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });
});

/**
 * Issue 16 (D22): a staff account acts only on its own agency's records. Every staff route given
 * another agency's record answers 404 (as if there were none), and nothing of another agency shows
 * in lists, counts, search, exports or reports.
 */
describe('Agency isolation', () => {
  let t: TestApp;
  let users: Awaited<ReturnType<typeof createRoleUsers>>;
  const foreign = { requestId: '', trackingNumber: '', attachmentId: '', caseId: '', accountId: '' };
  let otherAdmin: string;
  let rootAdminId: string;

  const login = async (username: string) => (await request(t.http).post('/api/v1/auth/token').send({ username, password: ROLE_PASSWORD }).expect(200)).body.token as string;

  beforeAll(async () => {
    t = await createTestApp();
    users = await createRoleUsers(t);
    const admin = { Authorization: `Bearer ${await t.adminToken()}` };
    rootAdminId = users.administrator.id;
    await request(t.http).post('/api/v1/agencies').set(admin).send({ code: 'oth', name: '某县另一局', parent: 'main' }).expect(201);
    const oth = (await t.app.get(AgenciesService).byCode('oth'))!;
    const auth = t.app.get(AuthService);
    await auth.createUser('oth_clerk', '另一局办事员', ROLE_PASSWORD, ['registrar', 'handler', 'approver'], null, oth.id);
    await auth.createUser('oth_report', '另一局年报', ROLE_PASSWORD, ['report_officer'], null, oth.id);
    foreign.accountId = (await auth.createUser('oth_admin', '另一局管理员', ROLE_PASSWORD, ['administrator'], null, oth.id)).id;
    otherAdmin = await login('oth_admin');
    const clerk = { Authorization: `Bearer ${await login('oth_clerk')}` };
    const reports = { Authorization: `Bearer ${await login('oth_report')}` };
    const registered = await request(t.http)
      .post('/api/v1/requests')
      .set(clerk)
      .send({
        channel: 'in_person',
        receivedOn: '2026-06-15',
        applicant: { type: 'natural_person', name: '孙外局', idDocumentNumber: validResidentId(), phone: '13900000009' },
        description: '另一局的申请：某道路改造工程的规划许可',
      })
      .expect(201);
    foreign.requestId = registered.body.id;
    foreign.trackingNumber = registered.body.trackingNumber;
    await request(t.http).post(`/api/v1/requests/${foreign.requestId}/events`).set(clerk).send({ type: 'decided', on: '2026-06-15', outcome: 'granted' }).expect(201);
    foreign.attachmentId = (
      await request(t.http)
        .post(`/api/v1/requests/${foreign.requestId}/attachments`)
        .set(clerk)
        .field('kind', 'reply')
        .field('visibleToApplicant', 'true')
        .field('title', '答复告知书')
        .attach('file', pdfBytes(2000), 'reply.pdf')
        .expect(201)
    ).body.id;
    foreign.caseId = (await request(t.http).post('/api/v1/review-cases').set(reports).send({ kind: 'administrative_review', filedOn: '2026-06-01', requestId: foreign.requestId }).expect(201)).body.id;
    await request(t.http).post('/api/v1/reports/2026/publish').set(reports).send({}).expect(201);
    // The root agency's own request, so that its counts are not trivially zero.
    await request(t.http)
      .post('/api/v1/requests')
      .set('Authorization', `Bearer ${users.registrar.token}`)
      .send({
        channel: 'in_person',
        receivedOn: '2026-06-15',
        applicant: { type: 'natural_person', name: '本局申请人', idDocumentNumber: validResidentId(), phone: '13900000008' },
        description: '本局的申请',
      })
      .expect(201);
  }, 60_000);
  afterAll(() => t.close());

  /** A body each route accepts up to the record look-up, so that only the record decides the answer. */
  const BODIES: Record<string, Record<string, unknown>> = {
    'POST /api/v1/requests/:id/events': { type: 'receipt_confirmed', on: '2026-06-15' },
    'POST /staff/requests/:id/events': { type: 'receipt_confirmed', on: '2026-06-15' },
    'POST /api/v1/requests/:id/transfer': { agency: 'oth' },
    'POST /staff/requests/:id/transfer': { agency: 'oth' },
    'POST /api/v1/review-cases/:id/conclusion': { result: 'upheld', concludedOn: '2026-06-15' },
    'POST /staff/review-cases/:id/conclusion': { result: 'upheld', concludedOn: '2026-06-15' },
    'PATCH /api/v1/accounts/:id': { active: false },
    'POST /api/v1/accounts/:id/password': { password: 'Another-pass-2026' },
    'POST /staff/accounts/:id': { action: 'password', password: 'Another-pass-2026' },
    'POST /api/v1/agencies/:code/requests/:id/supervision-notes': { note: '请抓紧办理。' },
  };

  it('every staff route given another agency’s record answers 404', async () => {
    const params = (route: string): Record<string, string> => ({
      ...SAMPLE_PARAMS,
      id: route.includes('/accounts/') ? rootAdminId : route.includes('/review-cases/') ? foreign.caseId : foreign.requestId,
      attachmentId: foreign.attachmentId,
      year: '2026',
      number: '1',
    });
    const answers: string[] = [];
    for (const [route, permission] of Object.entries(STAFF_ROUTES)) {
      const [method, path] = route.split(' ');
      if (!/:(id|attachmentId|number)\b/.test(path)) continue;
      const p = params(route);
      const url = path.replace(/:(\w+)/g, (_, name: string) => p[name] ?? 'x');
      const api = path.startsWith('/api/');
      // Accounts: another agency's administrator, given a root account; everything else: the root agency's role holding the permission.
      const role = ROLES.find((r) => PERMISSION_MATRIX[permission].includes(r))!;
      const byOther = route.includes('/accounts/');
      const u = users[role];
      const otherAgent = !api && byOther ? await signIn(t, { username: 'oth_admin', password: ROLE_PASSWORD }) : null;
      const csrf = api ? undefined : otherAgent ? (await openForm(otherAgent, '/staff/password')).csrf : u.csrf;
      let req = (api ? request(t.http) : (otherAgent ?? u.agent))[method.toLowerCase() as 'get'](url);
      if (api) req = req.set('Authorization', `Bearer ${byOther ? otherAdmin : u.token}`);
      const body = BODIES[route] ?? {};
      const res = await req.type(api ? 'json' : 'form').send(method === 'GET' || method === 'DELETE' ? undefined : api ? body : { _csrf: csrf, ...body });
      answers.push(`${route}: ${res.status}`);
    }
    expect(answers.filter((a) => !a.endsWith(': 404'))).toEqual([]);
    expect(answers.length).toBeGreaterThan(20);
  }, 60_000);

  it('nothing of another agency shows in lists, counts, search, exports, reports or the staff home', async () => {
    const api = (path: string, role: Role = 'registrar') => request(t.http).get(path).set('Authorization', `Bearer ${users[role].token}`);
    const list = (await api('/api/v1/requests').expect(200)).body;
    expect(list.total).toBe(1);
    expect(list.items.map((i: { trackingNumber: string }) => i.trackingNumber)).not.toContain(foreign.trackingNumber);
    expect((await api(`/api/v1/requests?q=${foreign.trackingNumber}`).expect(200)).body.total).toBe(0);
    expect((await api('/api/v1/requests?q=孙外局').expect(200)).body.total).toBe(0);
    expect((await api('/api/v1/requests?q=道路改造').expect(200)).body.total).toBe(0);
    expect((await api('/api/v1/requests?status=concluded').expect(200)).body.total).toBe(0);
    expect((await api('/api/v1/requests?receivedFrom=2026-01-01&receivedTo=2026-12-31').expect(200)).body.total).toBe(1);
    const dashboard = (await api('/api/v1/dashboard?year=2026').expect(200)).body;
    expect(dashboard).toMatchObject({ concluded: 0, openNow: 1 });
    expect(dashboard.receivedByMonth[5].total).toBe(1);
    const exported = await api('/api/v1/requests/export?year=2026').expect(200);
    expect(exported.text).not.toContain(foreign.trackingNumber);
    const s3 = (await api('/api/v1/reports/2026/section3', 'report_officer').expect(200)).body;
    expect(s3.rows.new_received[s3.rows.new_received.length - 1]).toBe(1);
    expect(s3.rows.granted.reduce((a: number, b: number) => a + b, 0)).toBe(0);
    expect((await api('/api/v1/reports/2026/section3/cells/new_received/total', 'report_officer').expect(200)).body.total).toBe(1);
    expect((await api('/api/v1/reports/2026/section3/cells/granted/total', 'report_officer').expect(200)).body).toMatchObject({ total: 0, items: [] });
    expect((await api('/api/v1/review-cases', 'report_officer').expect(200)).body.items).toEqual([]);
    expect((await api('/api/v1/reports/2026/publications', 'report_officer').expect(200)).body.items).toEqual([]);
    const s4 = (await api('/api/v1/reports/2026/section4', 'report_officer').expect(200)).body;
    expect(JSON.stringify(s4)).not.toMatch(/"total":\s*[1-9]/);
    const home = await users.registrar.agent.get('/staff').expect(200);
    expect(home.text).not.toContain(foreign.trackingNumber);
    const page = await users.registrar.agent.get(`/staff/requests?q=${foreign.trackingNumber}`).expect(200);
    expect(page.text).not.toContain(`/staff/requests/${foreign.requestId}`);
    // The root agency's administrator sees the other agency's accounts; that agency's administrator not the root's.
    const theirs = (await request(t.http).get('/api/v1/accounts').set('Authorization', `Bearer ${otherAdmin}`).expect(200)).body.items.map((a: { username: string }) => a.username);
    expect(theirs.sort()).toEqual(['oth_admin', 'oth_clerk', 'oth_report']);
  });
});
