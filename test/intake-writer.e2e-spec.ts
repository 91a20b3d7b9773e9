import request from 'supertest';
import { UnitOfWork } from '../src/common/unit-of-work';
import { CalendarService } from '../src/calendar/calendar.service';
import { IntakeDraft, IntakeWriter } from '../src/requests/intake-writer';
import { RequestIntakeService } from '../src/requests/request-intake.service';
import { createTestApp, TestApp, validResidentId } from './support/test-app';

/** Group commit of new requests: fewer transactions, the same rows, each caller its own outcome. */
describe('IntakeWriter (group commit of new requests)', () => {
  let t: TestApp;
  let auth: Record<string, string>;
  const body = (i: number, email?: string) => ({
    applicant: { type: 'natural_person', name: `申请人${i}`, idDocumentNumber: validResidentId(), ...(email ? { email } : {}) },
    channel: 'in_person',
    receivedOn: '2026-06-01',
    description: `申请内容 ${i}`,
    items: [{ description: `第一项 ${i}` }, { description: `第二项 ${i}` }],
  });

  beforeAll(async () => {
    t = await createTestApp();
    t.clock.setNow('2026-06-15T02:00:00Z');
    auth = { Authorization: `Bearer ${await t.token()}` };
  });
  afterAll(() => t.close());

  it('writes 120 concurrent registrations in far fewer transactions, every one complete and numbered without gaps', async () => {
    const uow = t.app.get(UnitOfWork);
    const writer = t.app.get(IntakeWriter);
    // The writer's transactions, told apart from the app's scheduled ones (the search index merge runs
    // one every 2 s, and a slow run met it): each group written is its own transaction, its own manager.
    const run = jest.spyOn(uow, 'run');
    const groups = jest.spyOn(writer, 'insertGroup');
    const before = await t.count('information_request');
    const responses = await Promise.all(
      Array.from({ length: 120 }, (_, i) =>
        request(t.http)
          .post('/api/v1/requests')
          .set(auth)
          .send(body(i, i % 3 === 0 ? `a${i}@example.com` : undefined)),
      ),
    );
    const written = groups.mock.calls.map(([m, drafts]) => ({ m, size: drafts.length }));
    const transactions = new Set(written.map((w) => w.m)).size;
    expect(run.mock.calls.length).toBeGreaterThanOrEqual(transactions);
    run.mockRestore();
    groups.mockRestore();
    expect(responses.map((r) => r.status)).toEqual(Array(120).fill(201));
    // Grouped: with one-by-one writes this would be 120.
    expect(written.reduce((n, w) => n + w.size, 0)).toBe(120);
    expect(transactions).toBeLessThan(60);

    const numbers = responses.map((r) => r.body.trackingNumber as string).sort();
    expect(new Set(numbers).size).toBe(120);
    const seqs = numbers.map((n) => Number(n.slice(5)));
    expect(seqs[seqs.length - 1] - seqs[0]).toBe(119);
    expect(await t.count('information_request')).toBe(before + 120);

    // Each response names its own request: the number, the id and the applicant belong together.
    for (const r of responses.slice(0, 20)) {
      const [row] = await t.dataSource.query(
        `SELECT r.tracking_number AS tn, a.name AS name, (SELECT COUNT(*) FROM request_item i WHERE i.request_id = r.id) AS items, (SELECT COUNT(*) FROM request_event e WHERE e.request_id = r.id) AS events FROM information_request r JOIN applicant a ON a.id = r.applicant_id WHERE r.id = ${t.dataSource.options.type === 'postgres' ? '$1' : '?'}`,
        [r.body.id],
      );
      const i = responses.indexOf(r);
      expect(row).toEqual({ tn: r.body.trackingNumber, name: `申请人${i}`, items: expect.anything(), events: expect.anything() });
      expect(Number(row.items)).toBe(2);
      expect(Number(row.events)).toBe(1);
    }
    // Receipts only for those with an e-mail address, each naming its own number.
    const mails: Array<{ recipient: string; subject: string }> = await t.dataSource.query(`SELECT recipient, subject FROM mail_outbox WHERE kind = 'receipt-notice'`);
    expect(mails).toHaveLength(40);
    for (const m of mails) {
      const i = Number(/^a(\d+)@/.exec(m.recipient)![1]);
      expect(m.subject).toContain(responses[i].body.trackingNumber);
    }
  });

  it('a request that cannot be written fails alone; the others in its group are written', async () => {
    const writer = t.app.get(IntakeWriter);
    const uow = t.app.get(UnitOfWork);
    const calendar = await t.app.get(CalendarService).current();
    // draftRequest is private: the test reaches it to build drafts without HTTP.
    const service: { draftRequest: (...args: unknown[]) => IntakeDraft } = t.app.get<{ draftRequest: (...args: unknown[]) => IntakeDraft }>(RequestIntakeService);
    const draft = (i: number) => service.draftRequest(body(i), { type: 'registered', on: '2026-06-01', data: { channel: 'in_person' } }, { id: null, label: '测试' }, calendar, '2026-06-15', 1);
    const before = await t.count('information_request');
    const [existing] = await t.dataSource.query('SELECT id FROM applicant LIMIT 1');
    // The writer's transactions, told apart from the app's scheduled ones (the search index merge runs
    // one every 2 s, and a slow run met it): each group written is its own transaction, its own manager.
    const run = jest.spyOn(uow, 'run');
    const groups = jest.spyOn(writer, 'insertGroup');

    // The first write starts a transaction at once; the eleven made in the same tick wait and form one group.
    const lone = writer.write(draft(1000));
    const group = Array.from({ length: 11 }, (_, i) => {
      const d = draft(1001 + i);
      if (i === 5) d.applicant.id = existing.id; // collides with a stored applicant: the group's INSERT fails
      return writer.write(d);
    });
    const settled = await Promise.allSettled([lone, ...group]);
    const written = groups.mock.calls.map(([m, drafts]) => ({ m, size: drafts.length }));
    const transactions = new Set(written.map((w) => w.m)).size;
    expect(run.mock.calls.length).toBeGreaterThanOrEqual(transactions);
    run.mockRestore();
    groups.mockRestore();

    expect(settled.map((s) => s.status)).toEqual(['fulfilled', ...Array(5).fill('fulfilled'), 'rejected', ...Array(5).fill('fulfilled')]);
    // 1 alone + 1 failed group + 11 retried one by one.
    expect(written.map((w) => w.size)).toEqual([1, 11, ...Array(11).fill(1)]);
    expect(transactions).toBe(13);
    expect(await t.count('information_request')).toBe(before + 11);
    const orphans = await t.dataSource.query(`SELECT COUNT(*) AS n FROM request_item i LEFT JOIN information_request r ON r.id = i.request_id WHERE r.id IS NULL`);
    expect(Number(orphans[0].n)).toBe(0);
  });

  it('numbers stay gap-free after a failed group', async () => {
    const rows: Array<{ tracking_number: string }> = await t.dataSource.query('SELECT tracking_number FROM information_request ORDER BY tracking_number');
    const seqs = rows.map((r) => Number(r.tracking_number.slice(5)));
    expect(seqs).toEqual(seqs.map((_, i) => i + 1));
  });
});
