import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { AuthService } from '../src/auth/auth.service';
import { can } from '../src/auth/permissions';
import { Role } from '../src/auth/roles';
import { ACCOUNT_LOCK_MINUTES, ACCOUNT_LOCK_THRESHOLD, SIGN_IN_REFUSED } from '../src/auth/sign-in-policy';
import { ADMIN, createTestApp, openForm, TestApp, validResidentId } from './support/test-app';

// Findings 1, 4, 5, 6, 10, 12 and 13 of issue 13 (the outside security test).

const PASSWORD = 'Right-pass-2026';
const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });
type Res = request.Response;

const setCookies = (res: Res): string[] => ([] as string[]).concat(res.headers['set-cookie'] ?? []);

function cookieOf(res: Res, name: string): string | undefined {
  const all = setCookies(res);
  const last = all.filter((c) => c.startsWith(`${name}=`)).at(-1);
  const value = last?.slice(name.length + 1).split(';')[0];
  return value || undefined;
}
const formToken = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)?.[1];

async function staff(t: TestApp, username: string, roles: Role[] = ['handler']): Promise<string> {
  return (await t.app.get(AuthService).createUser(username, `${username} 姓名`, PASSWORD, roles)).id;
}

const apiSignIn = (t: TestApp, username: string, password: string, client?: string) => {
  const req = request(t.http).post('/api/v1/auth/token');
  return (client ? req.set('X-Forwarded-For', client) : req).send({ username, password });
};

/** A browser at the sign-in page: its CSRF cookie and token. */
async function loginPage(t: TestApp): Promise<{ cookie: string; csrf: string }> {
  const page = await request(t.http).get('/staff/login').expect(200);
  return { cookie: `ogi_csrf=${cookieOf(page, 'ogi_csrf')}`, csrf: formToken(page.text)! };
}

const htmlSignIn = (t: TestApp, form: { cookie: string; csrf: string }, username: string, password: string, client?: string) => {
  const req = request(t.http).post('/staff/login').set('Cookie', form.cookie);
  return (client ? req.set('X-Forwarded-For', client) : req).type('form').send({ _csrf: form.csrf, username, password });
};

async function failures(t: TestApp, id: string): Promise<{ failed: number; lockedUntil: string | null }> {
  const [row] = await t.dataSource.query(`SELECT failed_attempts, locked_until FROM staff_user WHERE id = '${id}'`);
  return { failed: Number(row.failed_attempts), lockedUntil: row.locked_until };
}

describe.each([
  ['no trusted proxy (X-Forwarded-For ignored)', {}],
  ['TRUST_PROXY=127.0.0.1 (each guess from its own client)', { TRUST_PROXY: '127.0.0.1' }],
])('Finding 1: concurrent guessing, %s', (_, env: Record<string, string>) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(env);
  });
  afterAll(() => t.close());

  it.each(['api', 'html'])(
    '%s: a correct password among 40 concurrent wrong ones does not get in, and every wrong one is counted',
    async (channel) => {
      const username = `target_${channel}`;
      const id = await staff(t, username);
      const form = channel === 'html' ? await loginPage(t) : null;
      const attempt = (password: string, client: string) => (form ? htmlSignIn(t, form, username, password, client) : apiSignIn(t, username, password, client));
      const wrong = Array.from({ length: 40 }, (_, i) => Promise.resolve(attempt(`wrong-guess-${i}`, `198.51.100.${i + 1}`)));
      // When the first guess is answered the others are in flight; the right password joins them.
      await Promise.race(wrong);
      const right = await attempt(PASSWORD, '203.0.113.7');
      const answers = await Promise.all(wrong);
      expect(answers.map((a) => a.status)).toEqual(Array(40).fill(401));
      expect(right.status).toBe(401);
      if (form) {
        expect(cookieOf(right, 'ogi_session')).toBeUndefined();
        expect(right.text).toContain(SIGN_IN_REFUSED);
      } else {
        expect(right.body).toEqual(answers[0].body);
      }
      const after = await failures(t, id);
      expect(after.failed).toBe(40);
      expect(after.lockedUntil! > t.clock.nowIso()).toBe(true);
    },
    60_000,
  );
});

describe('Finding 10: one answer for every refusal, and locks that do not lock the real user out', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ TRUST_PROXY: '127.0.0.1' });
    t.clock.setNow('2026-06-15T02:00:00Z');
  });
  afterAll(() => t.close());

  it('an attacker at client X with 6 wrong passwords does not lock out the real user at client Y', async () => {
    await staff(t, 'victim');
    for (let i = 0; i < 6; i++) await apiSignIn(t, 'victim', `guess-${i}`, '198.51.100.66').expect(401);
    // X itself is held off, even with the right password…
    await apiSignIn(t, 'victim', PASSWORD, '198.51.100.66').expect(401);
    // …the user at Y is not, through the API or the page.
    await apiSignIn(t, 'victim', PASSWORD, '203.0.113.10').expect(200);
    const form = await loginPage(t);
    await htmlSignIn(t, form, 'victim', PASSWORD, '203.0.113.11').expect(303);
  });

  it('an unknown account, a wrong password, a locked account and a disabled one answer identically (API and page)', async () => {
    const id = await staff(t, 'lockme');
    const disabled = await staff(t, 'gone');
    await t.dataSource.query(`UPDATE staff_user SET active = ${t.config.databaseKind === 'postgres' ? 'false' : '0'} WHERE id = '${disabled}'`);
    const client = '198.51.100.77';
    const unknown = await apiSignIn(t, 'nobody-here', 'some-password', client).expect(401);
    const wrong = await apiSignIn(t, 'lockme', 'some-password', client).expect(401);
    for (let i = 0; i < 4; i++) await apiSignIn(t, 'lockme', 'some-password', client).expect(401);
    const locked = await apiSignIn(t, 'lockme', PASSWORD, client).expect(401);
    const off = await apiSignIn(t, 'gone', PASSWORD, client).expect(401);
    expect(unknown.body).toEqual({ error: { code: 'UNAUTHORIZED', message: SIGN_IN_REFUSED, fields: {} } });
    for (const res of [wrong, locked, off]) expect(res.body).toEqual(unknown.body);
    expect(Object.keys(locked.headers).sort()).toEqual(Object.keys(unknown.headers).sort());

    const form = await loginPage(t);
    const page = async (username: string, password: string) => {
      const res = await htmlSignIn(t, form, username, password, client).expect(401);
      return res.text.replace(`value="${username}"`, 'value="…"');
    };
    const pages = [await page('nobody-here', 'x-password-1'), await page('lockme', 'x-password-1'), await page('lockme', PASSWORD), await page('gone', PASSWORD)];
    expect(pages[0]).toContain(SIGN_IN_REFUSED);
    for (const p of pages) expect(p).toBe(pages[0]);
    expect((await failures(t, id)).failed).toBe(6);
  });

  it(`the account-wide lock comes at ${ACCOUNT_LOCK_THRESHOLD} failures from many clients, lasts ${ACCOUNT_LOCK_MINUTES} minutes, and spares a client the user signed in from before`, async () => {
    const id = await staff(t, 'busy');
    await apiSignIn(t, 'busy', PASSWORD, '203.0.113.20').expect(200);
    for (let i = 0; i < ACCOUNT_LOCK_THRESHOLD; i++) await apiSignIn(t, 'busy', `guess-${i}`, `198.51.100.${100 + (i % 5)}`).expect(401);
    expect((await failures(t, id)).lockedUntil! > t.clock.nowIso()).toBe(true);
    // A new client is refused; the user's own desk still signs in.
    await apiSignIn(t, 'busy', PASSWORD, '203.0.113.21').expect(401);
    await apiSignIn(t, 'busy', PASSWORD, '203.0.113.20').expect(200);
    t.clock.advance(ACCOUNT_LOCK_MINUTES * 60_000 + 1000);
    await apiSignIn(t, 'busy', PASSWORD, '203.0.113.21').expect(200);
    expect(await failures(t, id)).toEqual({ failed: 0, lockedUntil: null });
    t.clock.setNow('2026-06-15T02:00:00Z');
  });
});

describe('Finding 6: client addresses come from the socket unless TRUST_PROXY names the proxy', () => {
  const limits = { RATE_LIMIT_PUBLIC: '30', RATE_LIMIT_LOOKUP_PER_NUMBER: '10', RATE_LIMIT_LOGIN: '20' };
  const burst = async (t: TestApp) => {
    const lookups: number[] = [];
    for (let i = 0; i < 35; i++) {
      const res = await request(t.http)
        .get(`/api/v1/public/requests/2026-${String(900000 + i)}`)
        .set('X-Forwarded-For', `198.51.100.${i + 1}`)
        .set('X-Access-Code', 'WRONGONE');
      lookups.push(res.status);
    }
    const signIns: number[] = [];
    for (let i = 0; i < 25; i++) signIns.push((await apiSignIn(t, 'nobody', 'wrong-password', `198.51.100.${i + 1}`)).status);
    return { lookups, signIns };
  };

  it('by default a client that sends its own X-Forwarded-For still meets the limits (35 look-ups, 25 sign-ins) and cannot claim TLS', async () => {
    const t = await createTestApp(limits);
    try {
      const { lookups, signIns } = await burst(t);
      expect(lookups.filter((s) => s === 404)).toHaveLength(30);
      expect(lookups.slice(30)).toEqual(Array(5).fill(429));
      expect(signIns.filter((s) => s === 401)).toHaveLength(20);
      expect(signIns.slice(20)).toEqual(Array(5).fill(429));
      await staff(t, 'plain');
      const form = await loginPage(t);
      const res = await htmlSignIn(t, form, 'plain', PASSWORD).set('X-Forwarded-Proto', 'https').expect(303);
      expect(setCookies(res).join('\n')).not.toMatch(/Secure/);
    } finally {
      await t.close();
    }
  }, 60_000);

  it('with TRUST_PROXY the proxy names each client (own limits) and its TLS makes the cookies Secure', async () => {
    const t = await createTestApp({ ...limits, TRUST_PROXY: '127.0.0.1' });
    try {
      const { lookups, signIns } = await burst(t);
      expect(lookups).toEqual(Array(35).fill(404));
      expect(signIns).toEqual(Array(25).fill(401));
      await staff(t, 'proxied');
      const form = await loginPage(t);
      const res = await htmlSignIn(t, form, 'proxied', PASSWORD).set('X-Forwarded-Proto', 'https').expect(303);
      expect(setCookies(res).find((c) => c.startsWith('ogi_session='))).toMatch(/; Secure/);
    } finally {
      await t.close();
    }
  }, 60_000);
});

describe('Findings 4, 5, 12, 13 on one app', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
    t.clock.setNow('2026-06-15T02:00:00Z');
  });
  afterAll(() => t.close());

  /** Signs in through the page; returns a cookie-keeping agent and the token of its forms. */
  async function browser(username: string, password = PASSWORD) {
    const agent = request.agent(t.http);
    const login = await openForm(agent, '/staff/login');
    await agent.post('/staff/login').type('form').send({ _csrf: login.csrf, username, password }).expect(303);
    const { csrf } = await openForm(agent, '/staff/password');
    return { agent, csrf, before: login.csrf };
  }
  /** The raw cookies of a signed-in browser, for requests that mix them. */
  async function rawSession(username: string) {
    const form = await loginPage(t);
    const login = await htmlSignIn(t, form, username, PASSWORD).expect(303);
    const session = cookieOf(login, 'ogi_session')!;
    const page = await request(t.http).get('/staff/password').set('Cookie', `ogi_session=${session}`).expect(200);
    return { session, csrfCookie: cookieOf(page, 'ogi_csrf')!, csrf: formToken(page.text)!, before: form };
  }
  const postPassword = (cookies: string, body: Record<string, string>, path = '/staff/password') =>
    request(t.http)
      .post(path)
      .set('Cookie', cookies)
      .type('form')
      .send({ current: 'not-the-password', password: 'Brand-new-2026', confirm: 'Brand-new-2026', ...body });

  describe('finding 12: "is this the API" ignores case', () => {
    it('/API/v1/requests with only the browser cookie is treated as the API (401), not as the signed-in browser', async () => {
      await staff(t, 'casey');
      const { agent } = await browser('casey');
      await agent.get('/api/v1/requests').expect(401);
      for (const path of ['/API/v1/requests', '/Api/V1/Requests', '/api/V1/requests?page=1']) {
        const res = await agent.get(path);
        expect([path, res.status, res.body?.error?.code]).toEqual([path, 401, 'UNAUTHORIZED']);
      }
      const token = (await apiSignIn(t, 'casey', PASSWORD).expect(200)).body.token;
      expect((await request(t.http).get('/API/v1/requests').set(bearer(token)).expect(200)).body).toHaveProperty('items');
    });
  });

  describe('finding 5: a password change ends the other logins', () => {
    it('through /staff/password: token A and browser session B end, session C stays signed in', async () => {
      await staff(t, 'changer');
      const tokenA = (await apiSignIn(t, 'changer', PASSWORD).expect(200)).body.token;
      const b = await browser('changer');
      const c = await browser('changer');
      await request(t.http).get('/api/v1/requests').set(bearer(tokenA)).expect(200);
      await b.agent.get('/staff').expect(200);
      await c.agent.post('/staff/password').type('form').send({ _csrf: c.csrf, current: PASSWORD, password: 'Changed-pass-2026', confirm: 'Changed-pass-2026' }).expect(303);
      await request(t.http).get('/api/v1/requests').set(bearer(tokenA)).expect(401);
      expect((await b.agent.get('/staff').expect(303)).headers.location).toMatch(/^\/staff\/login/);
      await c.agent.get('/staff').expect(200);
      await apiSignIn(t, 'changer', 'Changed-pass-2026').expect(200);
    });

    it('through POST /api/v1/auth/password: token A and browser session B end, token C stays valid', async () => {
      await staff(t, 'apichanger');
      const tokenA = (await apiSignIn(t, 'apichanger', PASSWORD).expect(200)).body.token;
      const b = await browser('apichanger');
      const tokenC = (await apiSignIn(t, 'apichanger', PASSWORD).expect(200)).body.token;
      const change = (body: Record<string, unknown>) => request(t.http).post('/api/v1/auth/password').set(bearer(tokenC)).send(body);
      expect((await change({ currentPassword: 'wrong-one-2026', newPassword: 'Changed-pass-2026' }).expect(400)).body.error.fields).toHaveProperty('currentPassword');
      expect((await change({ currentPassword: PASSWORD, newPassword: 'short' }).expect(400)).body.error.fields).toHaveProperty('newPassword');
      await request(t.http).get('/api/v1/requests').set(bearer(tokenA)).expect(200);
      await change({ currentPassword: PASSWORD, newPassword: 'Changed-pass-2026' }).expect(204);
      await request(t.http).get('/api/v1/requests').set(bearer(tokenA)).expect(401);
      expect((await b.agent.get('/staff').expect(303)).headers.location).toMatch(/^\/staff\/login/);
      await request(t.http).get('/api/v1/requests').set(bearer(tokenC)).expect(200);
      await request(t.http).post('/api/v1/auth/password').send({ currentPassword: 'Changed-pass-2026', newPassword: 'Another-pass-2026' }).expect(401);
    });
  });

  describe('finding 13: CSRF tokens belong to the session', () => {
    beforeAll(async () => {
      await staff(t, 'csrf_a');
      await staff(t, 'csrf_b');
    });

    it('issues a new token at sign-in', async () => {
      const { csrf, before } = await browser('csrf_a');
      expect(csrf).not.toBe(before);
    });

    it('refuses a token planted before sign-in, even with its cookie planted too', async () => {
      const s = await rawSession('csrf_a');
      const planted = await postPassword(`ogi_session=${s.session}; ${s.before.cookie}`, { _csrf: s.before.csrf }).expect(403);
      expect(planted.text).toContain('表单已过期');
      // The session's own token passes the check (and reaches the form: wrong current password).
      await postPassword(`ogi_session=${s.session}; ogi_csrf=${s.csrfCookie}`, { _csrf: s.csrf }).expect(400);
    });

    it("refuses another session's token and cookie", async () => {
      const a = await rawSession('csrf_a');
      const b = await rawSession('csrf_b');
      await postPassword(`ogi_session=${b.session}; ogi_csrf=${a.csrfCookie}`, { _csrf: a.csrf }).expect(403);
      await postPassword(`ogi_session=${b.session}; ogi_csrf=${b.csrfCookie}`, { _csrf: b.csrf }).expect(400);
    });

    it('takes the token from the form body or the X-CSRF-Token header, never from the query string', async () => {
      const s = await rawSession('csrf_a');
      const cookies = `ogi_session=${s.session}; ogi_csrf=${s.csrfCookie}`;
      await postPassword(cookies, {}, `/staff/password?_csrf=${encodeURIComponent(s.csrf)}`).expect(403);
      await postPassword(cookies, {}).set('X-CSRF-Token', s.csrf).expect(400);
      await postPassword(cookies, { _csrf: s.csrf }).expect(400);
    });

    it('multipart uploads carry it as their first field or in the header, not in the URL', async () => {
      const clerk = await t.clerk();
      const agent = request.agent(t.http);
      const login = await openForm(agent, '/staff/login');
      await agent
        .post('/staff/login')
        .type('form')
        .send({ _csrf: login.csrf, ...clerk })
        .expect(303);
      const { csrf, html } = await openForm(agent, '/staff/import');
      expect(html).not.toContain('?_csrf=');
      const file = Buffer.from('applicant_type\n');
      await agent
        .post(`/staff/import?_csrf=${encodeURIComponent(csrf)}`)
        .attach('ledger', file, 'ledger.csv')
        .expect(403);
      const field = await agent.post('/staff/import').field('_csrf', csrf).attach('ledger', file, 'ledger.csv');
      const header = await agent.post('/staff/import').set('X-CSRF-Token', csrf).attach('ledger', file, 'ledger.csv');
      // Past the CSRF check, the importer read the whole upload and answered the same both ways.
      expect(field.status).not.toBe(403);
      expect([field.status, field.text]).toEqual([header.status, header.text]);
    });

    it('every form that posts carries the token', () => {
      const files: string[] = [];
      const walk = (dir: string) => readdirSync(dir).forEach((f) => (statSync(join(dir, f)).isDirectory() ? walk(join(dir, f)) : files.push(join(dir, f))));
      walk(join(__dirname, '../views'));
      const forms: string[] = [];
      for (const f of files) for (const form of readFileSync(f, 'utf8').match(/<form\b[^>]*method="post"[\s\S]*?<\/form>/gi) ?? []) forms.push(`${f}: ${form}`);
      expect(forms.length).toBeGreaterThan(10);
      expect(forms.filter((form) => !/name="_csrf" value="\{\{(\.\.\/)*csrfToken\}\}"/.test(form) || /\?_csrf=/.test(form))).toEqual([]);
    });
  });

  describe('finding 4: separation of duties and the accounts API', () => {
    const accounts = () => request(t.http);

    it('the administrator created from OGI_ADMIN_USERNAME holds administrator alone: manages accounts and settings, registers nothing, sees identity numbers masked', async () => {
      const admin = await t.adminToken();
      const { items } = (await accounts().get('/api/v1/accounts').set(bearer(admin)).expect(200)).body;
      expect(items.find((a: { username: string }) => a.username === ADMIN.username)).toMatchObject({ roles: ['administrator'], active: true });
      const body = { applicant: { type: 'natural_person', name: '分权', idDocumentNumber: validResidentId() }, channel: 'in_person', receivedOn: '2026-06-01', description: '某信息' };
      await accounts().post('/api/v1/requests').set(bearer(admin)).send(body).expect(403);
      const id = (
        await accounts()
          .post('/api/v1/requests')
          .set(bearer(await t.token()))
          .send(body)
          .expect(201)
      ).body.id;
      expect((await accounts().get(`/api/v1/requests/${id}`).set(bearer(admin)).expect(200)).body.applicant.idDocumentNumber).toBe('********002X');
      await accounts().put('/api/v1/settings/report').set(bearer(admin)).send({ section4Basis: 'concluded_or_pending' }).expect(200);
      // What the role may do at all (the route audit holds every route to this matrix).
      expect((['requests.register', 'requests.import', 'requests.personal_data', 'accounts.manage', 'settings.manage'] as const).filter((p) => can(['administrator'], p))).toEqual([
        'accounts.manage',
        'settings.manage',
      ]);
    });

    it('creates, lists, changes and resets accounts by the contract; 409 for a taken username; 400 names every bad field', async () => {
      const admin = await t.adminToken();
      const created = await accounts()
        .post('/api/v1/accounts')
        .set(bearer(admin))
        .send({ username: 'reg.wang', displayName: '王登记', password: 'Wang-pass-2026', roles: ['registrar', 'handler'], email: 'wang@agency.test' })
        .expect(201);
      expect(created.body).toEqual({
        id: expect.any(String),
        username: 'reg.wang',
        displayName: '王登记',
        roles: ['registrar', 'handler'],
        active: true,
        email: 'wang@agency.test',
        locked: false,
        agency: 'main',
      });
      const token = (await apiSignIn(t, 'reg.wang', 'Wang-pass-2026').expect(200)).body.token;
      await accounts()
        .post('/api/v1/accounts')
        .set(bearer(admin))
        .send({ username: 'reg.wang', displayName: '另一个', password: 'Other-pass-2026', roles: ['handler'] })
        .expect(409);
      const bad = await accounts()
        .post('/api/v1/accounts')
        .set(bearer(admin))
        .send({ username: 'a b', displayName: '坏', password: 'short', roles: ['registrar', 'superuser'], email: 'not-an-email' })
        .expect(400);
      expect(Object.keys(bad.body.error.fields).sort()).toEqual(['email', 'password', 'roles', 'username']);
      expect(
        (await accounts().post('/api/v1/accounts').set(bearer(admin)).send({ username: 'x.y.z', displayName: '空', password: 'Fine-pass-2026', roles: [] }).expect(400)).body.error.fields,
      ).toHaveProperty('roles');
      expect(
        (
          await accounts()
            .post('/api/v1/accounts')
            .set(bearer(admin))
            .send({ username: 'x.y.z', displayName: '机关', password: 'Fine-pass-2026', roles: ['handler'], agency: 'A01' })
            .expect(422)
        ).body.error.fields,
      ).toHaveProperty('agency');

      const list = await accounts().get('/api/v1/accounts').set(bearer(admin)).expect(200);
      expect(list.body.items.map((a: { username: string }) => a.username)).toContain('reg.wang');
      expect(list.text).not.toMatch(/scrypt|password/i);

      const id = created.body.id;
      const patched = await accounts()
        .patch(`/api/v1/accounts/${id}`)
        .set(bearer(admin))
        .send({ roles: ['approver'], displayName: '王审核', email: null })
        .expect(200);
      expect(patched.body).toMatchObject({ roles: ['approver'], displayName: '王审核', email: null });
      expect(
        (
          await accounts()
            .patch(`/api/v1/accounts/${id}`)
            .set(bearer(admin))
            .send({ roles: ['boss'] })
            .expect(400)
        ).body.error.fields,
      ).toHaveProperty('roles');
      await accounts().patch('/api/v1/accounts/00000000-0000-4000-8000-000000000000').set(bearer(admin)).send({ active: false }).expect(404);
      await accounts().post(`/api/v1/requests`).set(bearer(token)).send({}).expect(403); // roles apply at once: no longer a registrar

      await accounts().post(`/api/v1/accounts/${id}/password`).set(bearer(admin)).send({ password: 'short' }).expect(400);
      await accounts().post(`/api/v1/accounts/${id}/password`).set(bearer(admin)).send({ password: 'Reset-pass-2026' }).expect(204);
      await accounts().get('/api/v1/requests').set(bearer(token)).expect(401);
      await apiSignIn(t, 'reg.wang', 'Reset-pass-2026').expect(200);
      await accounts().patch(`/api/v1/accounts/${id}`).set(bearer(admin)).send({ active: false }).expect(200);
      await apiSignIn(t, 'reg.wang', 'Reset-pass-2026').expect(401);

      const clerk = await t.token();
      await accounts().get('/api/v1/accounts').set(bearer(clerk)).expect(403);
      await accounts()
        .post('/api/v1/accounts')
        .set(bearer(clerk))
        .send({ username: 'sneaky', displayName: '越权', password: 'Sneaky-pass-2026', roles: ['administrator'] })
        .expect(403);
    });

    it('keeps at least one active administrator, even when two administrators remove each other at once', async () => {
      const auth = t.app.get(AuthService);
      const [adminRow] = await t.dataSource.query(`SELECT id FROM staff_user WHERE username = '${ADMIN.username}'`);
      const second = (await auth.createUser('admin.two', '第二管理员', 'Second-admin-2026', ['administrator'])).id;
      // Both have passed the route's permission check; their changes reach the database together.
      const results = await Promise.allSettled([auth.updateAccount(second, { active: false }, adminRow.id), auth.updateAccount(adminRow.id, { roles: ['report_officer'] }, second)]);
      expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
      expect((results.find((r) => r.status === 'rejected') as PromiseRejectedResult).reason).toMatchObject({ code: 'CONFLICT' });
      const active = (await auth.listAccounts()).filter((a) => a.active && a.roles.includes('administrator'));
      expect(active).toHaveLength(1);
      // The one left manages accounts; through the API it cannot remove itself either.
      const survivor = active[0].username === ADMIN.username ? await t.adminToken() : (await apiSignIn(t, 'admin.two', 'Second-admin-2026').expect(200)).body.token;
      const res = await accounts()
        .patch(`/api/v1/accounts/${active[0].id}`)
        .set(bearer(survivor))
        .send({ roles: ['handler'] })
        .expect(409);
      expect(res.body.error.code).toBe('CONFLICT');
      await accounts().get('/api/v1/accounts').set(bearer(survivor)).expect(200);
    });

    it('is described in the OpenAPI document the app serves', async () => {
      const doc = (await request(t.http).get('/api/docs-json').expect(200)).body;
      expect(Object.keys(doc.paths['/api/v1/accounts'])).toEqual(expect.arrayContaining(['get', 'post']));
      expect(Object.keys(doc.paths['/api/v1/accounts/{id}'])).toContain('patch');
      expect(Object.keys(doc.paths['/api/v1/accounts/{id}/password'])).toContain('post');
      expect(Object.keys(doc.paths['/api/v1/auth/password'])).toContain('post');
    });
  });
});
