import request from 'supertest';
import { CLERK_NAME, createTestApp, rowCounts, TestApp, validResidentId } from './support/test-app';

const body = (over: Record<string, unknown> = {}) => ({
  applicant: { type: 'natural_person', name: '张三', idDocumentNumber: validResidentId(), phone: '13800138000' },
  channel: 'in_person',
  receivedOn: '2024-03-05',
  description: '申请公开2023年本机关财政预算执行情况',
  ...over,
});

describe('Intake over the JSON API', () => {
  let t: TestApp;
  let auth: { Authorization: string };

  beforeAll(async () => {
    t = await createTestApp();
    t.clock.setNow('2026-06-15T02:00:00Z');
    auth = { Authorization: `Bearer ${await t.token()}` };
  });
  afterAll(() => t.close());

  describe('auth/token', () => {
    it('issues a token for good credentials and 401 for bad ones', async () => {
      const ok = await request(t.http).post('/api/v1/auth/token').send({ username: 'admin', password: 'admin-password-1' }).expect(200);
      expect(ok.body).toEqual({ token: expect.any(String), expiresAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/) });
      const bad = await request(t.http).post('/api/v1/auth/token').send({ username: 'admin', password: 'nope' }).expect(401);
      expect(bad.body.error.code).toBe('UNAUTHORIZED');
    });

    it('refuses staff endpoints without a token, and with a revoked one', async () => {
      await request(t.http).get('/api/v1/requests').expect(401);
      const { body: issued } = await request(t.http).post('/api/v1/auth/token').send({ username: 'admin', password: 'admin-password-1' });
      await request(t.http).get('/api/v1/requests').set('Authorization', `Bearer ${issued.token}`).expect(200);
      await request(t.http).delete('/api/v1/auth/token').set('Authorization', `Bearer ${issued.token}`).expect(204);
      await request(t.http).get('/api/v1/requests').set('Authorization', `Bearer ${issued.token}`).expect(401);
    });
  });

  describe('POST /requests', () => {
    it('registers a request and answers exactly as the contract example', async () => {
      const res = await request(t.http).post('/api/v1/requests').set(auth).send(body()).expect(201);
      expect(res.body).toEqual({
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        trackingNumber: expect.stringMatching(/^2026-\d{6}$/),
        status: 'in_progress',
        receivedOn: '2024-03-05',
        dueOn: '2024-04-02',
        dueIsProvisional: false,
      });
      const detail = await request(t.http).get(`/api/v1/requests/${res.body.id}`).set(auth).expect(200);
      expect(detail.body).toMatchObject({
        status: 'in_progress',
        outcome: null,
        concludedOn: null,
        applicant: { type: 'natural_person', name: '张三', idDocumentNumber: validResidentId() },
        items: [{ position: 0, description: '申请公开2023年本机关财政预算执行情况', outcome: null }],
        events: [{ seq: 1, type: 'registered', on: '2024-03-05', actor: CLERK_NAME }],
      });
    });

    it.each([
      ['in_person', '2025-09-26', '2025-10-30'],
      ['mail', '2025-01-20', '2025-02-21'],
      ['ordinary_mail', '2026-02-09', '2026-03-13'],
      ['fax', '2024-03-09', '2024-04-08'],
    ])('registers a %s request received %s, due %s', async (channel, receivedOn, dueOn) => {
      const res = await request(t.http).post('/api/v1/requests').set(auth).send(body({ channel, receivedOn })).expect(201);
      expect(res.body).toMatchObject({ status: 'in_progress', receivedOn, dueOn });
    });

    it('accepts a receipt date on a weekend or holiday (staff on duty)', async () => {
      const res = await request(t.http)
        .post('/api/v1/requests')
        .set(auth)
        .send(body({ receivedOn: '2025-10-01' }))
        .expect(201);
      expect(res.body.receivedOn).toBe('2025-10-01');
    });

    it('keeps several items', async () => {
      const res = await request(t.http)
        .post('/api/v1/requests')
        .set(auth)
        .send(body({ items: [{ description: '第一项' }, { description: '第二项' }] }))
        .expect(201);
      const detail = await request(t.http).get(`/api/v1/requests/${res.body.id}`).set(auth).expect(200);
      expect(detail.body.items.map((i: { description: string }) => i.description)).toEqual(['第一项', '第二项']);
    });

    it('refuses a receipt date in the future with 422 and writes nothing', async () => {
      const before = await rowCounts(t);
      const res = await request(t.http)
        .post('/api/v1/requests')
        .set(auth)
        .send(body({ receivedOn: '2026-06-16' }))
        .expect(422);
      expect(res.body.error).toMatchObject({ code: 'UNPROCESSABLE', fields: { receivedOn: expect.any(String) } });
      expect(await rowCounts(t)).toEqual(before);
    });

    it.each([
      ['missing applicant type', { applicant: { name: '张三' } }, 'applicant.type'],
      ['unknown applicant type', { applicant: { type: 'alien', name: '张三' } }, 'applicant.type'],
      ['empty name', { applicant: { type: 'natural_person', name: '' } }, 'applicant.name'],
      ['bad ID check digit', { applicant: { type: 'natural_person', name: '张三', idDocumentNumber: '110105194912310021' } }, 'applicant.idDocumentNumber'],
      ['bad e-mail', { applicant: { type: 'natural_person', name: '张三', email: 'not-mail' } }, 'applicant.email'],
      ['bad phone', { applicant: { type: 'natural_person', name: '张三', phone: '12345' } }, 'applicant.phone'],
      ['unknown channel', { channel: 'pigeon' }, 'channel'],
      ['impossible date', { receivedOn: '2025-02-29' }, 'receivedOn'],
      ['missing description', { description: undefined }, 'description'],
      ['too long description', { description: '长'.repeat(5001) }, 'description'],
      ['empty item', { items: [{ description: '' }] }, 'items.0.description'],
      ['unknown field', { extra: 1 }, 'extra'],
      ['wrong type', { description: 42 }, 'description'],
    ])('refuses %s with 400, the field named, nothing written', async (_name, over, field) => {
      const before = await rowCounts(t);
      const res = await request(t.http)
        .post('/api/v1/requests')
        .set(auth)
        .send(body(over as Record<string, unknown>))
        .expect(400);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
      expect(res.body.error.message).toMatch(/[\u4e00-\u9fff]/);
      expect(Object.keys(res.body.error.fields)).toContain(field);
      expect(await rowCounts(t)).toEqual(before);
    });

    it('answers malformed JSON with the contract error body', async () => {
      const res = await request(t.http).post('/api/v1/requests').set(auth).set('Content-Type', 'application/json').send('{bad').expect(400);
      expect(res.body).toEqual({ error: { code: 'VALIDATION_FAILED', message: expect.any(String), fields: {} } });
    });

    it('Idempotency-Key: same key and body replays, another body conflicts', async () => {
      const before = await t.count('information_request');
      const first = await request(t.http).post('/api/v1/requests').set(auth).set('Idempotency-Key', 'ledger-row-17').send(body()).expect(201);
      const again = await request(t.http).post('/api/v1/requests').set(auth).set('Idempotency-Key', 'ledger-row-17').send(body()).expect(201);
      expect(again.body).toEqual(first.body);
      expect(await t.count('information_request')).toBe(before + 1);
      const other = await request(t.http)
        .post('/api/v1/requests')
        .set(auth)
        .set('Idempotency-Key', 'ledger-row-17')
        .send(body({ description: '另一件' }))
        .expect(409);
      expect(other.body.error.code).toBe('CONFLICT');
      expect(await t.count('information_request')).toBe(before + 1);
    });

    it('Idempotency-Key: concurrent retries of one POST create one request', async () => {
      const before = await t.count('information_request');
      const results = await Promise.all(Array.from({ length: 5 }, () => request(t.http).post('/api/v1/requests').set(auth).set('Idempotency-Key', 'double-click').send(body())));
      const ok = results.filter((r) => r.status === 201);
      expect(ok.length).toBeGreaterThanOrEqual(1);
      expect(new Set(ok.map((r) => r.body.id)).size).toBe(1);
      expect(results.every((r) => r.status === 201 || r.status === 409)).toBe(true);
      expect(await t.count('information_request')).toBe(before + 1);
    });
  });

  describe('citizen filing and lookup', () => {
    const publicBody = (over: Record<string, unknown> = {}) => {
      const { channel: _c, receivedOn: _r, ...rest } = body();
      return { ...rest, ...over };
    };

    it('files online: awaiting confirmation, then staff confirm and the confirmation day is the receipt date', async () => {
      const filed = await request(t.http).post('/api/v1/public/requests').send(publicBody()).expect(201);
      expect(filed.body).toEqual({ trackingNumber: expect.stringMatching(/^2026-\d{6}$/), accessCode: expect.stringMatching(/^[A-Z2-9]{8}$/), status: 'awaiting_confirmation' });

      const status = await request(t.http).get(`/api/v1/public/requests/${filed.body.trackingNumber}`).set('X-Access-Code', filed.body.accessCode).expect(200);
      expect(status.body).toMatchObject({ trackingNumber: filed.body.trackingNumber, status: 'awaiting_confirmation', receivedOn: null, dueOn: null, outcome: null });
      expect(JSON.stringify(status.body)).not.toContain('张三');
      expect(JSON.stringify(status.body)).not.toContain('13800138000');

      const list = await request(t.http).get('/api/v1/requests?status=awaiting_confirmation').set(auth).expect(200);
      const item = list.body.items.find((i: { trackingNumber: string }) => i.trackingNumber === filed.body.trackingNumber);
      expect(item).toMatchObject({ trackingNumber: filed.body.trackingNumber, status: 'awaiting_confirmation', channel: 'online', receivedOn: null });
      expect(item.applicantIdMasked).not.toContain(validResidentId().slice(0, 10));

      t.clock.setNow('2026-06-15T02:00:00Z');
      const confirmed = await request(t.http).post(`/api/v1/requests/${item.id}/events`).set(auth).send({ type: 'receipt_confirmed', on: '2026-06-15' }).expect(201);
      expect(confirmed.body).toMatchObject({ status: 'in_progress', receivedOn: '2026-06-15', dueOn: '2026-07-14' });
      expect(confirmed.body.events.map((e: { type: string }) => e.type)).toEqual(['submitted', 'receipt_confirmed']);

      const after = await request(t.http).get(`/api/v1/public/requests/${filed.body.trackingNumber}`).set('X-Access-Code', filed.body.accessCode.toLowerCase()).expect(200);
      expect(after.body).toMatchObject({ status: 'in_progress', receivedOn: '2026-06-15', dueOn: '2026-07-14' });

      const twice = await request(t.http).post(`/api/v1/requests/${item.id}/events`).set(auth).send({ type: 'receipt_confirmed', on: '2026-06-15' }).expect(409);
      expect(twice.body.error.message).toMatch(/不允许/);
    });

    it('answers a wrong code, a missing code and an unknown number alike (404)', async () => {
      const filed = await request(t.http).post('/api/v1/public/requests').send(publicBody()).expect(201);
      const wrong = await request(t.http).get(`/api/v1/public/requests/${filed.body.trackingNumber}`).set('X-Access-Code', 'AAAAAAAA').expect(404);
      const missing = await request(t.http).get(`/api/v1/public/requests/${filed.body.trackingNumber}`).expect(404);
      const unknown = await request(t.http).get('/api/v1/public/requests/2026-999999').set('X-Access-Code', filed.body.accessCode).expect(404);
      expect(wrong.body).toEqual(unknown.body);
      expect(missing.body).toEqual(unknown.body);
    });

    it('requires identity proof and a contact on the citizen form (Art. 29)', async () => {
      const before = await rowCounts(t);
      const res = await request(t.http)
        .post('/api/v1/public/requests')
        .send(publicBody({ applicant: { type: 'natural_person', name: '张三' } }))
        .expect(400);
      expect(Object.keys(res.body.error.fields).sort()).toEqual(['applicant.idDocumentNumber', 'applicant.phone']);
      expect(await rowCounts(t)).toEqual(before);
    });

    it('refuses channel and receivedOn from citizens', async () => {
      const res = await request(t.http).post('/api/v1/public/requests').send(body()).expect(400);
      expect(Object.keys(res.body.error.fields).sort()).toEqual(['channel', 'receivedOn']);
    });

    it('gives 50 concurrent submissions 50 distinct tracking numbers', async () => {
      const before = await t.count('information_request');
      const results = await Promise.all(Array.from({ length: 50 }, () => request(t.http).post('/api/v1/public/requests').send(publicBody())));
      expect(results.map((r) => r.status)).toEqual(Array(50).fill(201));
      expect(new Set(results.map((r) => r.body.trackingNumber)).size).toBe(50);
      expect(await t.count('information_request')).toBe(before + 50);
    });
  });

  describe('GET /requests', () => {
    it('lists with total, filters and search; masks identity numbers', async () => {
      const res = await request(t.http).get('/api/v1/requests').set(auth).expect(200);
      expect(res.body.total).toBe(await t.count('information_request'));
      expect(res.body.items.length).toBeLessThanOrEqual(20);
      expect(JSON.stringify(res.body)).not.toContain(validResidentId());
      const overdue = await request(t.http).get('/api/v1/requests?overdue=true').set(auth).expect(200);
      expect(overdue.body.items.every((i: { overdue: boolean }) => i.overdue)).toBe(true);
      expect(overdue.body.total).toBe(9);
      const due = await request(t.http).get('/api/v1/requests?dueBefore=2024-04-03').set(auth).expect(200);
      expect(due.body.items.every((i: { dueOn: string }) => i.dueOn < '2024-04-03')).toBe(true);
      const q = await request(t.http)
        .get(`/api/v1/requests?q=${encodeURIComponent('财政预算')}`)
        .set(auth)
        .expect(200);
      expect(q.body.total).toBe(await t.count('information_request')); // every request of this spec asks for 财政预算; `none` below finds nothing
      const none = await request(t.http)
        .get(`/api/v1/requests?q=${encodeURIComponent('%_不存在')}`)
        .set(auth)
        .expect(200);
      expect(none.body).toEqual({ items: [], total: 0 });
      await request(t.http).get('/api/v1/requests?status=bogus').set(auth).expect(400);
      await request(t.http).get('/api/v1/requests?page=-1').set(auth).expect(400);
    });

    it('404 for an unknown id', async () => {
      const res = await request(t.http).get('/api/v1/requests/00000000-0000-0000-0000-000000000000').set(auth).expect(404);
      expect(res.body.error.code).toBe('NOT_FOUND');
      await request(t.http).post('/api/v1/requests/00000000-0000-0000-0000-000000000000/events').set(auth).send({ type: 'withdrawn', on: '2026-06-01' }).expect(404);
    });
  });

  it('serves an OpenAPI document generated from the code', async () => {
    const res = await request(t.http).get('/api/docs-json').expect(200);
    expect(Object.keys(res.body.paths)).toEqual(expect.arrayContaining(['/api/v1/requests', '/api/v1/public/requests', '/api/v1/requests/{id}/events', '/api/v1/auth/token']));
    expect(res.body.components.schemas.CreateRequestDto.required).toEqual(expect.arrayContaining(['applicant', 'channel', 'receivedOn', 'description']));
  });
});
