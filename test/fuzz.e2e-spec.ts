import fc from 'fast-check';
import request from 'supertest';
import { AuthService } from '../src/auth/auth.service';
import { signIn } from './support/builders';
import { CLERK, createTestApp, TestApp, validResidentId } from './support/test-app';

/** Hostile values: SQL, script, unicode edge cases, huge strings. */
const hostileString = fc.oneof(
  fc.constantFrom(
    "'; DROP TABLE applicant; --",
    '" OR 1=1 --',
    '<script>alert(1)</script>',
    '{{constructor.constructor("return process")()}}',
    '\u0000',
    '\uD800',
    '\u202Eevil',
    '𠀀𠀁😀👩‍👩‍👧',
    '../../../../etc/passwd',
    '%00%27',
    'NaN',
    '9999-99-99',
    '2025-02-29',
    ' ',
    '__proto__',
  ),
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.integer({ min: 5_001, max: 120_000 }).map((n) => 'x'.repeat(n)),
);
const wrongType = fc.oneof(
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.boolean(),
  fc.constant([]),
  fc.constant({}),
  fc.array(fc.integer(), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.integer(), { maxKeys: 2 }),
);

type FieldKind = 'string' | 'enum' | 'date' | 'number' | 'array' | 'object';
interface Endpoint {
  name: string;
  method: 'post' | 'put' | 'patch';
  path: () => string;
  base: () => Record<string, unknown>;
  /** Dotted paths with their kind; required ones can be deleted to make the body invalid. */
  fields: Record<string, { kind: FieldKind; required: boolean; max?: number }>;
  auth: boolean;
  /** Signed in as the administrator (accounts, calendar) instead of the clerk. */
  admin?: boolean;
}

function setPath(obj: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split('.');
  let cur = obj;
  for (const p of parts.slice(0, -1)) {
    if (typeof cur[p] !== 'object' || cur[p] === null) cur[p] = {};
    cur = cur[p] as Record<string, unknown>;
  }
  if (value === undefined) delete cur[parts.at(-1)!];
  else cur[parts.at(-1)!] = value;
}

/** A body made invalid by at least one mutation that no valid body could contain. */
function invalidBody(endpoint: Endpoint) {
  const fields = Object.entries(endpoint.fields);
  const required = fields.filter(([, f]) => f.required).map(([p]) => p);
  const invalidating = fc.oneof(
    ...(required.length ? [fc.constantFrom(...required).map((p) => ({ path: p, value: undefined }))] : []),
    fc.tuple(fc.constantFrom(...fields.map(([p]) => p)), wrongType).map(([p, v]) => ({
      path: p,
      value: endpoint.fields[p].kind === 'array' && Array.isArray(v) && !v.length ? 'not-an-array' : endpoint.fields[p].kind === 'object' && typeof v === 'object' ? 42 : v,
    })),
    ...(fields.some(([, f]) => f.kind === 'enum' || f.kind === 'date')
      ? [fc.tuple(fc.constantFrom(...fields.filter(([, f]) => f.kind === 'enum' || f.kind === 'date').map(([p]) => p)), hostileString).map(([p, v]) => ({ path: p, value: `~${v}` }))]
      : []),
    fc.tuple(fc.constantFrom('extra', 'applicant.extra', '__proto__x', 'constructor'), hostileString).map(([p, v]) => ({ path: p, value: v })),
    ...(fields.some(([, f]) => f.max) ? [fc.constantFrom(...fields.filter(([, f]) => f.max).map(([p]) => p)).map((p) => ({ path: p, value: 'y'.repeat(endpoint.fields[p].max! + 1) }))] : []),
  );
  const noise = fc.array(fc.tuple(fc.constantFrom('description', ...fields.filter(([, f]) => f.kind === 'string').map(([p]) => p)), hostileString), { maxLength: 3 });
  return fc.tuple(invalidating, noise).map(([bad, extra]) => {
    const body = structuredClone(endpoint.base());
    for (const [p, v] of extra) if (endpoint.fields[p]?.kind === 'string') setPath(body, p, v);
    setPath(body, bad.path, bad.value);
    return body;
  });
}

const RUNS = Number(process.env.FUZZ_RUNS ?? 1000);
const TABLES = [
  'applicant',
  'information_request',
  'request_item',
  'request_event',
  'mail_outbox',
  'idempotency_record',
  'review_case',
  'calendar_year',
  'agency_setting',
  'report_publication',
  'report_publication_entry',
  'staff_session',
  'staff_user',
  'personal_data_access',
];

describe('Fuzz: malformed and hostile bodies', () => {
  let t: TestApp;
  let token: string;
  let adminToken: string;
  let requestId: string;
  let caseId: string;
  let staffId: string;
  let targetId: string;

  const counts = async () => Object.fromEntries(await Promise.all(TABLES.map(async (n) => [n, await t.count(n)])));
  const applicant = () => ({ type: 'natural_person', name: '测试', idDocumentNumber: validResidentId(), phone: '13800138000' });

  const endpoints = (): Endpoint[] => [
    {
      name: 'POST /api/v1/public/requests',
      method: 'post',
      path: () => '/api/v1/public/requests',
      base: () => ({ applicant: applicant(), description: '某信息', items: [{ description: '一项' }], deliveryMethod: 'electronic' }),
      fields: {
        'applicant.type': { kind: 'enum', required: true },
        'applicant.name': { kind: 'string', required: true, max: 100 },
        'applicant.idDocumentNumber': { kind: 'string', required: false, max: 64 },
        'applicant.phone': { kind: 'string', required: false },
        description: { kind: 'string', required: true, max: 5000 },
        items: { kind: 'array', required: false },
        deliveryMethod: { kind: 'enum', required: false },
        applicant: { kind: 'object', required: true },
      },
      auth: false,
    },
    {
      name: 'POST /api/v1/requests',
      method: 'post',
      path: () => '/api/v1/requests',
      base: () => ({ applicant: applicant(), channel: 'in_person', receivedOn: '2026-06-01', description: '某信息' }),
      fields: {
        'applicant.type': { kind: 'enum', required: true },
        'applicant.name': { kind: 'string', required: true, max: 100 },
        'applicant.email': { kind: 'string', required: false },
        channel: { kind: 'enum', required: true },
        receivedOn: { kind: 'date', required: true },
        description: { kind: 'string', required: true, max: 5000 },
        applicant: { kind: 'object', required: true },
      },
      auth: true,
    },
    {
      name: 'POST /api/v1/requests/:id/events',
      method: 'post',
      path: () => `/api/v1/requests/${requestId}/events`,
      base: () => ({ type: 'decided', on: '2026-06-10', outcome: 'granted', reason: '理由' }),
      fields: { type: { kind: 'enum', required: true }, on: { kind: 'date', required: true }, outcome: { kind: 'enum', required: true }, reason: { kind: 'string', required: false, max: 2000 } },
      auth: true,
    },
    {
      name: 'POST /api/v1/requests/:id/assignment',
      method: 'post',
      path: () => `/api/v1/requests/${requestId}/assignment`,
      base: () => ({ assigneeId: staffId }),
      fields: { assigneeId: { kind: 'enum', required: false } },
      auth: true,
    },
    {
      name: 'PUT /api/v1/calendar/:year',
      method: 'put',
      path: () => '/api/v1/calendar/2030',
      base: () => ({ holidays: ['2030-01-01'], makeUpWorkdays: [], source: '测试' }),
      fields: {
        holidays: { kind: 'array', required: true },
        makeUpWorkdays: { kind: 'array', required: true },
        source: { kind: 'string', required: true, max: 200 },
        'holidays.0': { kind: 'date', required: false },
      },
      auth: true,
      admin: true,
    },
    {
      name: 'POST /api/v1/review-cases',
      method: 'post',
      path: () => '/api/v1/review-cases',
      base: () => ({ kind: 'administrative_review', filedOn: '2026-05-01', caseNumber: '某号' }),
      fields: {
        kind: { kind: 'enum', required: true },
        filedOn: { kind: 'date', required: true },
        caseNumber: { kind: 'string', required: false, max: 100 },
        agencyRole: { kind: 'enum', required: false },
      },
      auth: true,
    },
    {
      name: 'POST /api/v1/review-cases/:id/conclusion',
      method: 'post',
      path: () => `/api/v1/review-cases/${caseId}/conclusion`,
      base: () => ({ concludedOn: '2026-06-01', result: 'upheld' }),
      fields: { concludedOn: { kind: 'date', required: true }, result: { kind: 'enum', required: true } },
      auth: true,
    },
    {
      name: 'PUT /api/v1/settings/report',
      method: 'put',
      path: () => '/api/v1/settings/report',
      base: () => ({ section4Basis: 'concluded_or_pending' }),
      fields: { section4Basis: { kind: 'enum', required: true } },
      auth: true,
    },
    {
      name: 'POST /api/v1/reports/:year/publish',
      method: 'post',
      path: () => '/api/v1/reports/2025/publish',
      base: () => ({ format: '2021', reason: '更正' }),
      fields: { format: { kind: 'enum', required: false }, reason: { kind: 'string', required: false, max: 1000 } },
      auth: true,
    },
    {
      name: 'POST /api/v1/accounts',
      method: 'post',
      path: () => '/api/v1/accounts',
      base: () => ({ username: 'fuzz.new', displayName: '新账号', password: 'Fuzz-pass-2026', roles: ['handler'], email: 'fuzz@agency.test' }),
      fields: {
        username: { kind: 'string', required: true, max: 64 },
        displayName: { kind: 'string', required: true, max: 100 },
        password: { kind: 'string', required: true, max: 200 },
        roles: { kind: 'array', required: true },
        'roles.0': { kind: 'enum', required: false },
        email: { kind: 'string', required: false, max: 254 },
      },
      auth: true,
      admin: true,
    },
    {
      name: 'PATCH /api/v1/accounts/:id',
      method: 'patch',
      path: () => `/api/v1/accounts/${targetId}`,
      base: () => ({ roles: ['approver'], displayName: '改名', email: 'target@agency.test' }),
      fields: {
        roles: { kind: 'array', required: false },
        'roles.0': { kind: 'enum', required: false },
        displayName: { kind: 'string', required: false, max: 100 },
        email: { kind: 'string', required: false, max: 254 },
      },
      auth: true,
      admin: true,
    },
    {
      name: 'POST /api/v1/accounts/:id/password',
      method: 'post',
      path: () => `/api/v1/accounts/${targetId}/password`,
      base: () => ({ password: 'Reset-pass-2026' }),
      fields: { password: { kind: 'string', required: true, max: 200 } },
      auth: true,
      admin: true,
    },
    {
      name: 'POST /api/v1/auth/password',
      method: 'post',
      path: () => '/api/v1/auth/password',
      base: () => ({ currentPassword: CLERK.password, newPassword: 'Other-pass-2026' }),
      fields: { currentPassword: { kind: 'string', required: true, max: 200 }, newPassword: { kind: 'string', required: true, max: 200 } },
      auth: true,
    },
    {
      name: 'POST /api/v1/auth/token',
      method: 'post',
      path: () => '/api/v1/auth/token',
      base: () => ({ username: 'admin', password: 'x' }),
      fields: { username: { kind: 'string', required: true, max: 64 }, password: { kind: 'string', required: true, max: 200 } },
      auth: false,
    },
  ];

  beforeAll(async () => {
    t = await createTestApp();
    t.clock.setNow('2026-06-15T02:00:00Z');
    token = await t.token();
    adminToken = await t.adminToken();
    const auth = { Authorization: `Bearer ${token}` };
    requestId = (await request(t.http).post('/api/v1/requests').set(auth).send({ applicant: applicant(), channel: 'in_person', receivedOn: '2026-06-01', description: 'x' }).expect(201)).body.id;
    caseId = (await request(t.http).post('/api/v1/review-cases').set(auth).send({ kind: 'administrative_review', filedOn: '2026-05-01' }).expect(201)).body.id;
    staffId = (await t.dataSource.query(`SELECT id FROM staff_user LIMIT 1`))[0].id;
    targetId = (await t.app.get(AuthService).createUser('fuzz.target', '目标', 'Target-pass-2026', ['handler'])).id;
  });
  afterAll(() => t.close());

  it.each(endpoints().map((e) => [e.name]))(
    `%s: ${RUNS} invalid bodies, never a 5xx, always the error body, nothing written`,
    async (name) => {
      const endpoint = endpoints().find((e) => e.name === name)!;
      const before = await counts();
      const seen = new Set<number>();
      await fc.assert(
        fc.asyncProperty(
          fc.oneof(
            { weight: 9, arbitrary: invalidBody(endpoint) },
            { weight: 1, arbitrary: fc.oneof(fc.constant('{bad json'), fc.constant('[]'), fc.constant('"str"'), fc.constant('null'), fc.constant('123')) },
          ),
          async (body) => {
            let req = request(t.http)[endpoint.method](endpoint.path()).set('Content-Type', 'application/json');
            if (endpoint.auth) req = req.set('Authorization', `Bearer ${endpoint.admin ? adminToken : token}`);
            const res = await req.send(typeof body === 'string' ? body : JSON.stringify(body));
            seen.add(res.status);
            if (process.env.FUZZ_DEBUG && (res.status < 400 || res.status >= 500))
              console.log(endpoint.name, res.status, JSON.stringify(res.body).slice(0, 200), typeof body === 'string' ? body : JSON.stringify(body).slice(0, 400));
            expect(res.status).toBeGreaterThanOrEqual(400);
            expect(res.status).toBeLessThan(500);
            expect(res.body).toEqual({ error: { code: expect.any(String), message: expect.stringMatching(/[\u4e00-\u9fff]/), fields: expect.any(Object) } });
          },
        ),
        { numRuns: RUNS },
      );
      const after = await counts();
      // A refused sign-in bumps the failure counter of an existing account; it writes no row.
      expect(after).toEqual(before);
      expect([...seen].every((s) => [400, 401, 404, 409, 413, 422, 429].includes(s))).toBe(true);
    },
    120_000,
  );

  it('5,000-deep JSON to every JSON endpoint: 400 with the error body, never a stack overflow', async () => {
    const before = await counts();
    const deepObject = `{"applicant":${'{"a":'.repeat(5000)}1${'}'.repeat(5000)},"description":"x"}`;
    const deepArray = `{"items":${'['.repeat(5000)}${']'.repeat(5000)}}`;
    for (const endpoint of endpoints()) {
      for (const body of [deepObject, deepArray]) {
        let req = request(t.http)[endpoint.method](endpoint.path()).set('Content-Type', 'application/json');
        if (endpoint.auth) req = req.set('Authorization', `Bearer ${token}`);
        const res = await req.send(body);
        expect([endpoint.name, res.status, res.body]).toEqual([
          endpoint.name,
          400,
          { error: { code: 'VALIDATION_FAILED', message: expect.any(String), fields: { body: expect.stringMatching(/嵌套层级过深/) } } },
        ]);
      }
    }
    expect(await counts()).toEqual(before);
  });

  it('numeric query parameters such as page=1e308 are 400 with fields.page or fields.year, never a 500', async () => {
    const auth = { Authorization: `Bearer ${token}` };
    const cases: Array<[string, string]> = [];
    for (const page of ['1e308', '1e20', '-1', '1.5', '0x10', 'Infinity', 'NaN', '123456']) {
      cases.push([`/api/v1/requests?page=${page}`, 'page'], [`/api/v1/reports/2025/section3/cells/granted/total?page=${page}`, 'page']);
    }
    for (const year of ['1e308', 'Infinity', '-2025', '20250']) {
      cases.push(
        [`/api/v1/dashboard?year=${year}`, 'year'],
        [`/api/v1/reports/${year}/section3`, 'year'],
        [`/api/v1/reports/${year}/section3/cells/granted/total`, 'year'],
        [`/api/v1/reports/${year}/section4`, 'year'],
      );
    }
    for (const [path, field] of cases) {
      const res = await request(t.http).get(path).set(auth);
      expect([path, res.status, res.body.error?.fields?.[field]]).toEqual([path, 400, expect.any(String)]);
    }
    // The staff page of a report cell takes the same parameter.
    const agent = await signIn(t, { username: 'admin', password: 'admin-password-1' });
    const page = await agent.get('/staff/reports/2025/cells/granted/total?page=1e308');
    expect(page.status).toBe(400);
    expect(page.text).toContain('页码必须是正整数');
    await request(t.http).get('/api/v1/reports/2025/section3/cells/granted/total?page=2').set(auth).expect(200);
  });
});
