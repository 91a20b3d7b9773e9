import request from 'supertest';
import { Permission, PERMISSION_MATRIX } from '../src/auth/permissions';
import { Reflector } from '@nestjs/core';
import { AuthService } from '../src/auth/auth.service';
import { ROLES } from '../src/auth/roles';
import { StaffAuthGuard } from '../src/auth/staff-auth.guard';
import { createRoleUsers, registeredRoutes } from './support/roles';
import { createTestApp, TestApp } from './support/test-app';

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
