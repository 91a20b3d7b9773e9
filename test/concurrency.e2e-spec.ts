import request from 'supertest';
import { createTestApp, TestApp, validResidentId } from './support/test-app';

describe('Concurrent writes in one instance (SQLite: WAL, busy timeout, queued transactions)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
    t.clock.setNow('2026-06-15T02:00:00Z');
  });
  afterAll(() => t.close());

  it('200 concurrent writes of every kind all succeed, and none surfaces SQLITE_BUSY', async () => {
    const auth = { Authorization: `Bearer ${await t.token()}` };
    const staffBody = { applicant: { type: 'natural_person', name: '并发', idDocumentNumber: validResidentId() }, channel: 'in_person', receivedOn: '2026-06-01', description: 'x' };
    const ids = await Promise.all(Array.from({ length: 50 }, async () => (await request(t.http).post('/api/v1/requests').set(auth).send(staffBody).expect(201)).body.id as string));
    const writes = [
      ...Array.from({ length: 80 }, () =>
        request(t.http)
          .post('/api/v1/public/requests')
          .send({ applicant: { ...staffBody.applicant, phone: '13800138000', email: 'c@example.com' }, description: 'y' }),
      ),
      ...Array.from({ length: 50 }, () => request(t.http).post('/api/v1/requests').set(auth).send(staffBody)),
      ...ids.map((id) => request(t.http).post(`/api/v1/requests/${id}/events`).set(auth).send({ type: 'decided', on: '2026-06-10', outcome: 'granted' })),
      ...Array.from({ length: 20 }, (_, i) =>
        request(t.http)
          .post('/api/v1/review-cases')
          .set(auth)
          .send({ kind: 'administrative_review', filedOn: '2026-05-01', caseNumber: `案${i}` }),
      ),
    ];
    expect(writes).toHaveLength(200);
    const results = await Promise.all(writes);
    const failures = results.filter((r) => r.status >= 300).map((r) => `${r.status} ${JSON.stringify(r.body).slice(0, 120)}`);
    expect(failures).toEqual([]);
    expect(await t.count('information_request')).toBe(50 + 80 + 50);
    expect(await t.count('review_case')).toBe(20);
    const concluded = await t.dataSource.query(`SELECT COUNT(*) AS n FROM information_request WHERE status = 'concluded'`);
    expect(Number(concluded[0].n)).toBe(50);
  });
});
