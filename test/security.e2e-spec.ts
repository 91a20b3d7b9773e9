import { LoggerService } from '@nestjs/common';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { DailyDigestService } from '../src/notifications/daily-digest.service';
import { MailWorker } from '../src/notifications/mail-worker';
import { applicant, bearer, Desk, signIn } from './support/builders';
import { SmtpSink } from './support/smtp-sink';
import { createRoleUsers, ROLE_PASSWORD } from './support/roles';
import { createTestApp, openForm, TestApp, validResidentId } from './support/test-app';

const XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>';

describe('Security', () => {
  let t: TestApp;
  let users: Awaited<ReturnType<typeof createRoleUsers>>;
  let sink: SmtpSink;
  let desk: Desk;

  beforeAll(async () => {
    sink = new SmtpSink();
    await sink.start();
    t = await createTestApp({ SMTP_URL: sink.url });
    t.clock.setNow('2026-06-15T02:00:00Z');
    users = await createRoleUsers(t);
    desk = new Desk(t, bearer(users.registrar.token), {
      applicant: applicant('natural_person', '冯十二', { phone: '13500135000', email: 'feng@example.com' }),
      description: '某信息',
    });
  });
  afterAll(async () => {
    await t.close();
    await sink.stop();
  });

  describe('who may take which step', () => {
    it('registrars confirm receipt, handlers process, approvers grant extensions and sign withholding replies', async () => {
      const handler = desk.as(bearer(users.handler.token));
      const { id } = await handler.file({ applicant: applicant('natural_person', '甲', { phone: '13500135000' }), description: 'x' });
      expect((await desk.step(id, { type: 'receipt_confirmed', on: '2026-06-15' }, bearer(users.handler.token))).status).toBe(403);
      await desk.step(id, { type: 'receipt_confirmed', on: '2026-06-15' }, bearer(users.registrar.token)).expect(201);
      expect((await desk.step(id, { type: 'extension_granted', on: '2026-06-15', extraWorkingDays: 5, approvedBy: 'x', reason: 'y' }, bearer(users.handler.token))).status).toBe(403);
      expect((await desk.step(id, { type: 'consultation_started', on: '2026-06-15', party: 'agency' }, bearer(users.registrar.token))).status).toBe(403);
      await desk.step(id, { type: 'extension_granted', on: '2026-06-15', extraWorkingDays: 5, approvedBy: '审核人', reason: 'y' }, bearer(users.approver.token)).expect(201);
      expect((await desk.step(id, { type: 'decided', on: '2026-06-15', outcome: 'withheld_state_secret', reason: '涉密' }, bearer(users.handler.token))).status).toBe(403);
      expect((await desk.step(id, { type: 'decided', on: '2026-06-15', outcome: 'granted', itemOutcomes: [{ item: 0, outcome: 'withheld_process_info' }] }, bearer(users.handler.token))).status).toBe(
        403,
      );
      await desk.step(id, { type: 'decided', on: '2026-06-15', outcome: 'withheld_state_secret', reason: '涉密' }, bearer(users.approver.token)).expect(201);
      const events = (await request(t.http).get(`/api/v1/requests/${id}`).set(bearer(users.handler.token))).body.events;
      expect(events.map((e: { actor: string }) => e.actor)).toEqual(['申请人（网上提交）', 'registrar 用户', 'approver 用户', 'approver 用户']);
    });
  });

  describe('personal data', () => {
    it('masks identity and phone for roles that do not need them and records each full view', async () => {
      const { id } = await desk.register('2026-06-01');
      const masked = (await request(t.http).get(`/api/v1/requests/${id}`).set(bearer(users.report_officer.token)).expect(200)).body;
      expect(masked.applicant.idDocumentNumber).toBe('********002X');
      expect(masked.applicant.phone).toBe('*******5000');
      expect(JSON.stringify(masked)).not.toContain('13500135000');
      expect(JSON.stringify(masked)).not.toContain('feng@example.com');
      const before = await t.count('personal_data_access');
      const full = (await request(t.http).get(`/api/v1/requests/${id}`).set(bearer(users.handler.token)).expect(200)).body;
      expect(full.applicant.idDocumentNumber).toBe(validResidentId());
      expect(await t.count('personal_data_access')).toBe(before + 1);
      const [row] = await t.dataSource.query(`SELECT staff_name, via FROM personal_data_access WHERE request_id = '${id}'`);
      expect(row).toEqual({ staff_name: 'handler 用户', via: 'api' });
      const page = await users.handler.agent.get(`/staff/requests/${id}`).expect(200);
      expect(page.text).toContain(validResidentId());
      expect(page.text).toContain('完整个人信息查看记录（2）');
      const officerPage = await users.report_officer.agent.get(`/staff/requests/${id}`).expect(200);
      expect(officerPage.text).not.toContain(validResidentId());
      expect(officerPage.text).toContain('打码');
    });

    it('masks lists, and keeps applicant data out of exports and staff e-mails', async () => {
      const list = await users.handler.agent.get('/staff/requests').expect(200);
      expect(list.text).not.toContain(validResidentId());
      expect(list.text).not.toContain('13500135000');
      const csv = await request(t.http).get('/api/v1/reports/2026/export/csv').set(bearer(users.report_officer.token)).expect(200);
      expect(csv.text).not.toContain('冯十二');
      await t.dataSource.query(`UPDATE staff_user SET email = 'staff@agency.test'`);
      // Every account now has an address: the administrator and the six role accounts (supervisor included) each get one digest.
      expect(await t.app.get(DailyDigestService).sendDailyDigest()).toMatchObject({ ran: true, recipients: 7 });
      while ((await t.app.get(MailWorker).runOnce()) > 0);
      const digest = sink.messages.filter((m) => m.subject?.includes('每日提醒'));
      expect(digest).toEqual(Array(7).fill(expect.objectContaining({ to: expect.objectContaining({ text: 'staff@agency.test' }) })));
      for (const m of digest) for (const secret of ['冯十二', validResidentId(), '13500135000', 'feng@example.com']) expect(m.text + (m.html || '')).not.toContain(secret);
    });

    it('erases applicant data after the retention period while the statistics stay intact', async () => {
      t.clock.setNow('2014-03-10T02:00:00Z');
      // The bootstrap administrator does no clerical work (separation of duties): a clerk registers and replies.
      const clerk = await t.token();
      const old = (
        await request(t.http)
          .post('/api/v1/requests')
          .set(bearer(clerk))
          .send({ applicant: { type: 'other_org', name: '老单位', phone: '13400134000' }, channel: 'mail', receivedOn: '2014-03-03', description: '旧申请' })
          .expect(201)
      ).body.id;
      await request(t.http).post(`/api/v1/requests/${old}/events`).set(bearer(clerk)).send({ type: 'decided', on: '2014-03-10', outcome: 'granted' }).expect(201);
      t.clock.setNow('2026-06-15T02:00:00Z');
      const statsBefore = (await request(t.http).get('/api/v1/reports/2014/section3').set(bearer(users.report_officer.token))).body.rows;
      const page = await users.administrator.agent.get('/staff/retention').expect(200);
      expect(page.text).toMatch(/<strong id="erasable">1<\/strong>/);
      const csrf = /name="_csrf" value="([^"]+)"/.exec(page.text)![1];
      await users.administrator.agent.post('/staff/retention').type('form').send({ _csrf: csrf }).expect(303);
      const [a] = await t.dataSource.query(`SELECT a.name, a.phone, a.erased_at FROM applicant a JOIN information_request r ON r.applicant_id = a.id WHERE r.id = '${old}'`);
      expect(a.phone).toBeNull();
      expect(a.name).not.toBe('老单位');
      // Erased at the clock's time (set above), not merely marked.
      expect(Date.parse(a.erased_at)).toBeGreaterThanOrEqual(Date.parse('2026-06-15T02:00:00Z'));
      expect(Date.parse(a.erased_at)).toBeLessThanOrEqual(t.clock.now().getTime());
      expect((await request(t.http).get('/api/v1/reports/2014/section3').set(bearer(users.report_officer.token))).body.rows).toEqual(statsBefore);
      await users.handler.agent.get('/staff/retention').expect(403);
    });
  });

  describe('web protections', () => {
    it('refuses a staff form post without the CSRF token', async () => {
      const { id } = await desk.register('2026-06-01');
      const res = await users.handler.agent.post(`/staff/requests/${id}/events`).type('form').send({ type: 'withdrawn', on: '2026-06-15' }).expect(403);
      expect(res.text).toContain('表单已过期');
      expect((await request(t.http).get(`/api/v1/requests/${id}`).set(bearer(users.handler.token))).body.status).toBe('in_progress');
    });

    it('escapes what users typed in every staff page, notice and e-mail', async () => {
      const { id } = await desk.register('2026-06-01', { description: XSS, applicant: { type: 'natural_person', name: `<b>${XSS}</b>`, email: 'xss@example.com' } });
      await desk.step(id, { type: 'decided', on: '2026-06-15', outcome: 'withheld_third_party_rights', reason: XSS }, bearer(users.approver.token)).expect(201);
      const pages = [
        await users.handler.agent.get(`/staff/requests/${id}`),
        await users.handler.agent.get('/staff/requests'),
        await users.handler.agent.get(`/staff/requests/${id}/notices/reply`),
        await users.handler.agent.get(`/staff/requests/${id}/notices/receipt`),
      ];
      for (const p of pages) {
        expect(p.status).toBe(200);
        expect(p.text).not.toContain('<script>alert');
        expect(p.text).not.toContain('<img src=x');
        expect(p.text).toContain('&lt;script&gt;');
      }
      while ((await t.app.get(MailWorker).runOnce()) > 0);
      const mail = sink.messages.find((m) => m.to && 'text' in m.to && m.to.text.includes('xss@example.com') && m.subject?.includes('答复告知书'))!;
      expect(mail.html).not.toContain('<script>alert');
      expect(mail.html).toContain('&lt;script&gt;');
    });

    it("sends security headers with a CSP that allows only the app's own scripts and styles, and the views hold no inline script or style", async () => {
      const res = await request(t.http).get('/').expect(200);
      const csp = res.headers['content-security-policy'];
      expect(csp).toMatch(/script-src 'self'(;|$)/);
      expect(csp).toMatch(/style-src 'self'(;|$)/);
      expect(csp).toContain("frame-ancestors 'none'");
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      const files: string[] = [];
      const walk = (dir: string) => readdirSync(dir).forEach((f) => (statSync(join(dir, f)).isDirectory() ? walk(join(dir, f)) : files.push(join(dir, f))));
      walk(join(__dirname, '../views'));
      for (const f of files.filter((f) => !f.includes('/emails/'))) {
        const text = readFileSync(f, 'utf8');
        expect([f, /<script(?![^>]*\bsrc=)[^>]*>/.test(text)]).toEqual([f, false]);
        expect([f, /\son[a-z]+=/.test(text)]).toEqual([f, false]);
        expect([f, /\sstyle=/.test(text)]).toEqual([f, false]);
      }
    });

    it('API tokens and browser sessions expire', async () => {
      const token = (await request(t.http).post('/api/v1/auth/token').send({ username: 'u_handler', password: ROLE_PASSWORD }).expect(200)).body.token;
      const agent = await signIn(t, { username: 'u_handler', password: ROLE_PASSWORD });
      await request(t.http).get('/api/v1/requests').set(bearer(token)).expect(200);
      await agent.get('/staff').expect(200);
      t.clock.advance(8 * 3_600_000 + 1000); // SESSION_HOURS default 8
      await agent.get('/staff').expect(303);
      await request(t.http).get('/api/v1/requests').set(bearer(token)).expect(200);
      t.clock.advance(16 * 3_600_000); // API_TOKEN_HOURS default 24
      await request(t.http).get('/api/v1/requests').set(bearer(token)).expect(401);
      t.clock.setNow('2026-06-15T02:00:00Z');
    });

    it('session cookies are HttpOnly and SameSite (Secure behind a trusted TLS proxy: security-auth.e2e-spec.ts)', async () => {
      const agent = request.agent(t.http);
      const login = await openForm(agent, '/staff/login');
      const res = await agent.post('/staff/login').type('form').send({ _csrf: login.csrf, username: 'u_handler', password: ROLE_PASSWORD }).expect(303);
      const cookie = String(res.headers['set-cookie']);
      expect(cookie).toMatch(/ogi_session=[^;]+;.*HttpOnly/);
      expect(cookie).toMatch(/SameSite=Lax/);
    });
  });

  describe('accounts', () => {
    it('administrators create accounts with strong passwords only, and disabling one revokes its tokens', async () => {
      const page = await openForm(users.administrator.agent, '/staff/accounts');
      expect(page.html).toContain('权限矩阵');
      const weak = await users.administrator.agent
        .post('/staff/accounts')
        .type('form')
        .send({ _csrf: page.csrf, username: 'newbie', displayName: '新人', password: 'short', roles: 'handler' })
        .expect(400);
      expect(weak.text).toContain('至少 10 个字符');
      await users.administrator.agent
        .post('/staff/accounts')
        .type('form')
        .send({ _csrf: page.csrf, username: 'newbie', displayName: '新人', password: 'Fresh-pass-2026', roles: ['handler', 'approver'] })
        .expect(303);
      const token = (await request(t.http).post('/api/v1/auth/token').send({ username: 'newbie', password: 'Fresh-pass-2026' }).expect(200)).body.token;
      await request(t.http).get('/api/v1/requests').set(bearer(token)).expect(200);
      const [{ id }] = await t.dataSource.query(`SELECT id FROM staff_user WHERE username = 'newbie'`);
      await users.administrator.agent.post(`/staff/accounts/${id}`).type('form').send({ _csrf: page.csrf, action: 'disable' }).expect(303);
      await request(t.http).get('/api/v1/requests').set(bearer(token)).expect(401);
      await request(t.http).post('/api/v1/auth/token').send({ username: 'newbie', password: 'Fresh-pass-2026' }).expect(401);
      await users.administrator.agent.post(`/staff/accounts/${users.administrator.id}`).type('form').send({ _csrf: page.csrf, action: 'disable' }).expect(409);
    });

    it("changes one's own password", async () => {
      const page = await openForm(users.report_officer.agent, '/staff/password');
      await users.report_officer.agent.post('/staff/password').type('form').send({ _csrf: page.csrf, current: 'wrong', password: 'Another-pass-2026', confirm: 'Another-pass-2026' }).expect(400);
      await users.report_officer.agent.post('/staff/password').type('form').send({ _csrf: page.csrf, current: ROLE_PASSWORD, password: 'Another-pass-2026', confirm: 'Another-pass-2026' }).expect(303);
      await request(t.http).post('/api/v1/auth/token').send({ username: 'u_report_officer', password: 'Another-pass-2026' }).expect(200);
      await request(t.http).post('/api/v1/auth/token').send({ username: 'u_report_officer', password: ROLE_PASSWORD }).expect(401);
    });

    it('locks an account after repeated failures, with back-off, and releases it', async () => {
      const attempt = (password: string) => request(t.http).post('/api/v1/auth/token').send({ username: 'u_registrar', password });
      let wrong: unknown;
      for (let i = 0; i < 5; i++) wrong = (await attempt('wrong-password').expect(401)).body;
      const locked = await attempt(ROLE_PASSWORD).expect(401);
      // The lock answers exactly like a wrong password (no account enumeration).
      expect(locked.body).toEqual(wrong);
      t.clock.advance(61_000);
      await attempt(ROLE_PASSWORD).expect(200);
      // Back-off: after a lock expires, the next failure locks for twice as long.
      for (let i = 0; i < 5; i++) await attempt('wrong-password').expect(401);
      t.clock.advance(61_000);
      await attempt('wrong-password').expect(401);
      t.clock.advance(61_000);
      expect((await attempt(ROLE_PASSWORD)).status).toBe(401);
      t.clock.advance(70_000);
      await attempt(ROLE_PASSWORD).expect(200);
      t.clock.setNow('2026-06-15T02:00:00Z');
    });
  });
});

describe('Rate limits', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ RATE_LIMIT_PUBLIC: '8', RATE_LIMIT_LOOKUP_PER_NUMBER: '2', RATE_LIMIT_LOGIN: '3' });
  });
  afterAll(() => t.close());

  it('limit status look-ups per tracking number, filings per client, and sign-in', async () => {
    const body = { applicant: { type: 'natural_person', name: '乙', idDocumentNumber: validResidentId(), phone: '13500135000' }, description: 'x' };
    const filed = await request(t.http).post('/api/v1/public/requests').send(body).expect(201);
    const look = (tn: string) => request(t.http).get(`/api/v1/public/requests/${tn}`).set('X-Access-Code', 'WRONGONE');
    await look(filed.body.trackingNumber).expect(404);
    await look(filed.body.trackingNumber).expect(404);
    const limited = await look(filed.body.trackingNumber).expect(429);
    expect(limited.body.error.code).toBe('RATE_LIMITED');
    // Limited per number: another number is still answered, the guessed one is not, even with the right code.
    await look('2026-999999').expect(404);
    await request(t.http).get(`/api/v1/public/requests/${filed.body.trackingNumber}`).set('X-Access-Code', filed.body.accessCode).expect(429);
    // Per client and endpoint: 8 filings a minute, the first one above included.
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) statuses.push((await request(t.http).post('/api/v1/public/requests').send(body)).status);
    expect(statuses).toEqual([201, 201, 201, 201, 201, 201, 201, 429]);
    for (let i = 0; i < 3; i++) await request(t.http).post('/api/v1/auth/token').send({ username: 'x', password: 'y' }).expect(401);
    await request(t.http).post('/api/v1/auth/token').send({ username: 'x', password: 'y' }).expect(429);
  });
});

describe('Look-up limit per tracking number', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ RATE_LIMIT_LOOKUP_PER_NUMBER: '10' });
  });
  afterAll(() => t.close());

  it('is one counter for the API and the /status form, and no response tells how often a number was looked up', async () => {
    const filed = await request(t.http)
      .post('/api/v1/public/requests')
      .send({ applicant: { type: 'natural_person', name: '丙', idDocumentNumber: validResidentId(), phone: '13500135000' }, description: 'x' })
      .expect(201);
    const tn = filed.body.trackingNumber as string;
    const agent = request.agent(t.http);
    const { csrf } = await openForm(agent, '/status');
    const viaApi = (code: string) => request(t.http).get(`/api/v1/public/requests/${tn}`).set('X-Access-Code', code);
    const viaForm = (code: string) => agent.post('/status').type('form').send({ _csrf: csrf, trackingNumber: tn, accessCode: code });
    const answers: number[] = [];
    const headers: string[] = [];
    for (let i = 0; i < 10; i++) {
      const res = await (i % 2 ? viaForm('WRONGONE') : viaApi('WRONGONE'));
      answers.push(res.status);
      headers.push(...Object.keys(res.headers));
    }
    expect(answers).toEqual(Array(10).fill(404));
    // The 11th look-up is refused on both routes, even with the right code.
    const api = await viaApi(filed.body.accessCode).expect(429);
    const form = await viaForm(filed.body.accessCode).expect(429);
    headers.push(...Object.keys(api.headers), ...Object.keys(form.headers));
    expect(headers.filter((h) => /lookup/i.test(h))).toEqual([]);
    // The per-client limit still reports itself to the client that is counted.
    expect(headers).toContain('x-ratelimit-remaining-public');
  });
});

describe('Logs', () => {
  it('a full request life logs request ids, never names, phone or ID numbers', async () => {
    const lines: string[] = [];
    const capture: LoggerService = {
      log: (m: unknown, ...rest: unknown[]) => void lines.push([m, ...rest].map(String).join(' ')),
      error: (m: unknown, ...rest: unknown[]) => void lines.push([m, ...rest].map(String).join(' ')),
      warn: (m: unknown, ...rest: unknown[]) => void lines.push([m, ...rest].map(String).join(' ')),
      debug: (m: unknown, ...rest: unknown[]) => void lines.push([m, ...rest].map(String).join(' ')),
      verbose: (m: unknown, ...rest: unknown[]) => void lines.push([m, ...rest].map(String).join(' ')),
    };
    const spies = (['log', 'error', 'warn', 'info'] as const).map((k) => jest.spyOn(console, k).mockImplementation((...a: unknown[]) => void lines.push(a.map(String).join(' '))));
    const t = await createTestApp({}, { logger: capture });
    try {
      t.clock.setNow('2026-06-15T02:00:00Z');
      const secrets = ['褚十三', '11010519491231002X', '13300133000', 'chu@example.com', '某路88号'];
      const filed = await request(t.http)
        .post('/api/v1/public/requests')
        .send({ applicant: { type: 'natural_person', name: secrets[0], idDocumentNumber: secrets[1], phone: secrets[2], email: secrets[3], address: secrets[4] }, description: '某信息' })
        .expect(201);
      const auth = { Authorization: `Bearer ${await t.token()}` };
      const id = (await request(t.http).get(`/api/v1/requests?q=${filed.body.trackingNumber}`).set(auth)).body.items[0].id;
      for (const body of [
        { type: 'receipt_confirmed', on: '2026-06-15' },
        { type: 'correction_requested', on: '2026-06-15', correctionDueOn: '2026-06-30' },
        { type: 'correction_received', on: '2026-06-15' },
        { type: 'decided', on: '2026-06-15', outcome: 'withheld_third_party_rights', reason: `涉及${secrets[0]}的隐私` },
      ]) {
        await request(t.http).post(`/api/v1/requests/${id}/events`).set(auth).send(body).expect(201);
      }
      await request(t.http).post(`/api/v1/requests/${id}/events`).set(auth).send({ type: 'withdrawn', on: '2026-06-15' }).expect(409);
      await request(t.http)
        .post('/api/v1/requests')
        .set(auth)
        .send({ applicant: { type: 'natural_person', name: secrets[0], phone: 'bad' } })
        .expect(400);
      while ((await t.app.get(MailWorker).runOnce()) > 0);
      expect(lines.join('\n')).toContain(id);
      for (const secret of secrets) expect(lines.filter((l) => l.includes(secret))).toEqual([]);
    } finally {
      await t.close();
      spies.forEach((s) => s.mockRestore());
    }
  });
});
