import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { CalendarService } from '../src/calendar/calendar.service';
import { DashboardService, DashboardStats } from '../src/dashboard/dashboard.service';
import { addDays, shanghaiDateOf, WorkingCalendar } from '../src/domain/calendar';
import { APPLICANT_TYPES, EVENT_BASIS, isConfirmationOverdue, LifecycleEvent, OPEN_WORK_STATUSES, OUTCOMES, replay, RequestStatus } from '../src/domain/lifecycle';
import { DerivedStateService } from '../src/requests/derived-state.service';
import { ApplicantPrivacyService } from '../src/requests/applicant-privacy.service';
import { RequestQueriesService } from '../src/requests/request-queries.service';
import { lapsedQuery } from '../src/requests/request-list-query';
import { runForAgency } from '../src/agencies/agency-scope';
import { feeNoticesLapsedBy } from '../src/domain/lifecycle/watch-lists';
import { foldTallies } from '../src/requests/request-tally';
import { SearchIndexService } from '../src/requests/search-index.service';
import { mulberry32, mutate } from './support/random-requests';
import { ADMIN, createTestApp, openForm, TestApp, validResidentId } from './support/test-app';

/** Issue 15: what the pages read from SQL now gives what the previous release computed. */

const TODAY = '2026-06-15';

function placeholders(t: TestApp, n: number): string {
  return Array.from({ length: n }, (_, i) => (t.dataSource.options.type === 'postgres' ? `$${i + 1}` : '?')).join(', ');
}

/** A request row (and its applicant, and its events) written straight to the tables. */
async function insertRequest(
  t: TestApp,
  r: { status: string; receivedOn: string | null; dueOn: string | null; concludedOn?: string | null; outcome?: string | null; type?: string; events?: LifecycleEvent[]; submittedAt?: string },
): Promise<string> {
  const applicantId = randomUUID();
  const id = randomUUID();
  const now = new Date().toISOString();
  const type = r.type ?? 'natural_person';
  await t.dataSource.query(`INSERT INTO applicant (id, type, name, created_at) VALUES (${placeholders(t, 4)})`, [applicantId, type, '测试', now]);
  await t.dataSource.query(
    `INSERT INTO information_request (id, tracking_number, access_code_hash, applicant_id, applicant_type, channel, submitted_at, received_on, status, description, delivery_method, due_on, due_is_provisional, outcome, concluded_on, version, created_at, updated_at) VALUES (${placeholders(t, 18)})`,
    [
      id,
      `T-${id.slice(0, 18)}`,
      '0'.repeat(64),
      applicantId,
      type,
      'in_person',
      r.submittedAt ?? now,
      r.receivedOn,
      r.status,
      '测试申请',
      'electronic',
      r.dueOn,
      t.dataSource.options.type === 'postgres' ? false : 0,
      r.outcome ?? null,
      r.concludedOn ?? null,
      1,
      now,
      now,
    ],
  );
  await t.dataSource.query(`INSERT INTO request_item (id, request_id, position, description) VALUES (${placeholders(t, 4)})`, [randomUUID(), id, 0, '测试申请']);
  for (const [i, e] of (r.events ?? []).entries()) {
    await t.dataSource.query(`INSERT INTO request_event (id, request_id, seq, type, occurred_on, recorded_at, actor_label, basis, payload) VALUES (${placeholders(t, 9)})`, [
      randomUUID(),
      id,
      i + 1,
      e.type,
      e.on,
      now,
      '测试',
      EVENT_BASIS[e.type],
      JSON.stringify(e.data),
    ]);
  }
  return id;
}

/** The dashboard figures as the previous release computed them: every concluded row of the year in JS. */
async function oldStats(t: TestApp, calendar: WorkingCalendar, year: number): Promise<Omit<DashboardStats, 'receivedByMonth'> & { received: Record<string, number> }> {
  const [start, end] = [`${year}-01-01`, `${year}-12-31`];
  const p = t.dataSource.options.type === 'postgres' ? ['$1', '$2'] : ['?', '?'];
  const received: Record<string, number> = {};
  for (const row of await t.dataSource.query(
    `SELECT SUBSTR(received_on, 6, 2) AS m, applicant_type AS t, COUNT(*) AS n FROM information_request WHERE received_on >= ${p[0]} AND received_on <= ${p[1]} GROUP BY SUBSTR(received_on, 6, 2), applicant_type`,
    [start, end],
  )) {
    received[`${Number(row.m)}:${row.t}`] = Number(row.n);
  }
  const rows: Array<{ received_on: string; concluded_on: string; due_on: string | null; outcome: string | null }> = await t.dataSource.query(
    `SELECT received_on, concluded_on, due_on, outcome FROM information_request WHERE concluded_on >= ${p[0]} AND concluded_on <= ${p[1]} AND received_on IS NOT NULL`,
    [start, end],
  );
  const outcomeCounts = new Map<string, number>();
  let onTime = 0;
  let withDue = 0;
  const days: number[] = [];
  for (const r of rows) {
    outcomeCounts.set(r.outcome ?? 'unknown', (outcomeCounts.get(r.outcome ?? 'unknown') ?? 0) + 1);
    if (r.due_on) {
      withDue++;
      if (r.concluded_on <= r.due_on) onTime++;
    }
    days.push(calendar.countWorkingDays(r.received_on, r.concluded_on).count);
  }
  days.sort((a, b) => a - b);
  const mid = Math.floor(days.length / 2);
  const open: Array<{ status: string; due_on: string | null; submitted_at: string }> = await t.dataSource.query('SELECT status, due_on, submitted_at FROM information_request');
  const isOpen = (s: string) => (OPEN_WORK_STATUSES as readonly string[]).includes(s);
  return {
    year,
    received,
    outcomes: OUTCOMES.filter((o) => outcomeCounts.get(o)).map((o) => ({ outcome: o, count: outcomeCounts.get(o)! })),
    concluded: rows.length,
    answeredOnTime: onTime,
    onTimeShare: withDue ? onTime / withDue : null,
    medianWorkingDaysToReply: days.length ? (days.length % 2 ? days[mid] : (days[mid - 1] + days[mid]) / 2) : null,
    openNow: open.filter((r) => isOpen(r.status)).length,
    overdueNow: open.filter((r) => isOpen(r.status) && r.due_on !== null && r.due_on < TODAY).length,
    awaitingConfirmation: open.filter((r) => r.status === 'awaiting_confirmation').length,
    awaitingConfirmationLate: open.filter((r) => isConfirmationOverdue({ status: r.status as RequestStatus, submittedOn: shanghaiDateOf(new Date(r.submitted_at)) }, calendar, TODAY)).length,
  };
}

describe('Pages at a million requests: the same answers from indexes and SQL', () => {
  let t: TestApp;
  let auth: { Authorization: string };
  let calendar: WorkingCalendar;

  beforeAll(async () => {
    t = await createTestApp();
    t.clock.setNow(`${TODAY}T02:00:00Z`);
    auth = { Authorization: `Bearer ${await t.token()}` };
    calendar = await t.app.get(CalendarService).current();
  });
  afterAll(() => t.close());

  it('dashboard: on-time share, median working days, outcomes and monthly counts equal the old computation over every row', async () => {
    const rand = mulberry32(7);
    for (let i = 0; i < 400; i++) {
      const receivedOn = rand() < 0.05 ? null : addDays(TODAY, -Math.floor(rand() * 500));
      const concluded = receivedOn && rand() < 0.7;
      const status = concluded ? 'concluded' : receivedOn ? OPEN_WORK_STATUSES[Math.floor(rand() * 4)] : 'awaiting_confirmation';
      const concludedOn = concluded ? addDays(receivedOn, Math.floor(rand() * 60)) : null;
      const dueOn = receivedOn && rand() < 0.9 ? addDays(receivedOn, 20 + Math.floor(rand() * 20)) : null;
      // Submitted up to a week before today (Shanghai hours either side of midnight UTC): some unconfirmed ones are late (D19).
      const submittedAt = `${addDays(receivedOn ?? TODAY, -Math.floor(rand() * 7))}T${String(Math.floor(rand() * 24)).padStart(2, '0')}:30:00.000Z`;
      await insertRequest(t, {
        submittedAt,
        status,
        receivedOn,
        dueOn,
        concludedOn: concludedOn && concludedOn <= TODAY ? concludedOn : null,
        outcome: concluded ? OUTCOMES[Math.floor(rand() * OUTCOMES.length)] : null,
        type: APPLICANT_TYPES[Math.floor(rand() * 6)],
      });
    }
    for (const year of [2025, 2026]) {
      const expected = await oldStats(t, calendar, year);
      const res = await request(t.http).get('/api/v1/dashboard').query({ year }).set(auth).expect(200);
      const stats = res.body as DashboardStats;
      const received: Record<string, number> = {};
      for (const m of stats.receivedByMonth) for (const [type, n] of Object.entries(m.byType)) if (n) received[`${m.month}:${type}`] = n;
      const { receivedByMonth: _months, ...rest } = stats;
      expect({ ...rest, received }).toEqual(expected);
      expect(expected.concluded).toBeGreaterThan(50);
      expect(expected.awaitingConfirmationLate).toBeGreaterThan(0);
      expect(expected.awaitingConfirmationLate).toBeLessThan(expected.awaitingConfirmation);
    }
    // The direct service call gives the same.
    expect((await t.app.get(DashboardService).stats(2026)).concluded).toBe((await oldStats(t, calendar, 2026)).concluded);
    // The figures are sums over tallies (migration 1795761100000): after changes and deletions,
    // with part of the deltas folded, they still equal the computation over every row.
    await mutate(t, rand, 120);
    await foldTallies(t.dataSource.manager, 37);
    for (const year of [2025, 2026]) {
      const stats = await t.app.get(DashboardService).stats(year);
      const received: Record<string, number> = {};
      for (const m of stats.receivedByMonth) for (const [type, n] of Object.entries(m.byType)) if (n) received[`${m.month}:${type}`] = n;
      const { receivedByMonth: _months, ...rest } = stats;
      expect({ ...rest, received }).toEqual(await oldStats(t, calendar, year));
    }
  });

  it('lapsed corrections and fees: the SQL selection equals the replay of every waiting request', async () => {
    const rand = mulberry32(11);
    await t.dataSource.query("DELETE FROM information_request WHERE status IN ('awaiting_correction', 'awaiting_fee')");
    for (let i = 0; i < 160; i++) {
      const receivedOn = addDays(TODAY, -20 - Math.floor(rand() * 60));
      const on = addDays(receivedOn, 1 + Math.floor(rand() * 10));
      const events: LifecycleEvent[] = [{ type: 'registered', on: receivedOn, data: { channel: 'in_person' } }];
      let status: string;
      if (rand() < 0.5) {
        events.push({ type: 'correction_requested', on, data: { correctionDueOn: addDays(on, 1 + Math.floor(rand() * 60)) } });
        status = 'awaiting_correction';
      } else {
        const delivered = rand() < 0.3 ? { deliveredOn: addDays(on, Math.floor(rand() * 5)) } : rand() < 0.2 ? { deliveredOn: '' } : {};
        events.push({ type: 'fee_notice_issued', on, data: { amountYuan: 10, pausesClock: true, ...delivered } });
        status = 'awaiting_fee';
      }
      // A few corrections received and a fee paid: not waiting any more, whatever their old deadlines.
      if (rand() < 0.1) {
        events.push(status === 'awaiting_correction' ? { type: 'correction_received', on: addDays(on, 1), data: {} } : { type: 'fee_paid', on: addDays(on, 1), data: {} });
        status = 'in_progress';
      }
      const state = replay(events, { calendar, today: TODAY, itemCount: 1 });
      expect(state.status).toBe(status);
      await insertRequest(t, { status, receivedOn, dueOn: null, events });
    }
    const waiting: Array<{ id: string; tracking_number: string }> = await t.dataSource.query(
      "SELECT id, tracking_number FROM information_request WHERE status IN ('awaiting_correction', 'awaiting_fee') ORDER BY tracking_number",
    );
    const expected: Array<{ trackingNumber: string; kind: string; deadline: string }> = [];
    for (const w of waiting) {
      const events: Array<{ type: LifecycleEvent['type']; occurred_on: string; payload: string }> = await t.dataSource.query(
        `SELECT type, occurred_on, payload FROM request_event WHERE request_id = ${placeholders(t, 1)} ORDER BY seq`,
        [w.id],
      );
      const state = replay(
        events.map((e) => ({ type: e.type, on: e.occurred_on, data: JSON.parse(e.payload) as Record<string, unknown> })),
        { calendar, today: TODAY, itemCount: 1 },
      );
      if (state.status === 'awaiting_correction' && state.correction!.dueOn < TODAY) expected.push({ trackingNumber: w.tracking_number, kind: 'correction', deadline: state.correction!.dueOn });
      if (state.status === 'awaiting_fee' && state.fee!.payBy < TODAY) expected.push({ trackingNumber: w.tracking_number, kind: 'fee', deadline: state.fee!.payBy });
    }
    const lapsed = await t.app.get(RequestQueriesService).findLapsed();
    expect(lapsed.map((l) => ({ trackingNumber: l.trackingNumber, kind: l.kind, deadline: l.deadline }))).toEqual(expected);
    expect(expected.length).toBeGreaterThan(20);
    expect(expected.some((e) => e.kind === 'fee') && expected.some((e) => e.kind === 'correction')).toBe(true);
    expect((await t.app.get(RequestQueriesService).findLapsed(5)).map((l) => l.trackingNumber)).toEqual(expected.slice(0, 5).map((e) => e.trackingNumber));
    // In an agency (the staff home's case) the waiting requests are read from their own index in
    // number order, and a limited list stops at its first lapsed ones: no sort of them all.
    const [{ agency }] = await t.dataSource.query<Array<{ agency: number }>>('SELECT MIN(agency_id) AS agency FROM information_request');
    const inAgency = (limit?: number) => runForAgency(Number(agency), () => t.app.get(RequestQueriesService).findLapsed(limit));
    expect((await inAgency()).map((l) => ({ trackingNumber: l.trackingNumber, kind: l.kind, deadline: l.deadline }))).toEqual(expected);
    expect((await inAgency(7)).map((l) => l.trackingNumber)).toEqual(expected.slice(0, 7).map((e) => e.trackingNumber));
    const [sql, params] = runForAgency(Number(agency), () => lapsedQuery(t.dataSource.manager, TODAY, feeNoticesLapsedBy(TODAY, calendar), 11)).getQueryAndParameters();
    let plan: string;
    if (t.dataSource.options.type === 'postgres') {
      const runner = t.dataSource.createQueryRunner();
      await runner.startTransaction();
      try {
        // The test's few rows would be read whole anyway: can the index give the order at all?
        await runner.query('SET LOCAL enable_seqscan = off');
        await runner.query('SET LOCAL enable_sort = off');
        plan = ((await runner.query(`EXPLAIN ${sql}`, params)) as Array<{ 'QUERY PLAN': string }>).map((r) => r['QUERY PLAN']).join('\n');
      } finally {
        await runner.rollbackTransaction();
        await runner.release();
      }
      expect(plan).not.toMatch(/^\s*(->\s*)?Sort/m);
      // Each request's notice looked up by its own index entry, never every fee notice hashed.
      expect(plan).not.toContain('hashed SubPlan');
    } else {
      // No transaction of the test's own on SQLite: the app's one connection is shared, and a
      // transaction opened beside its UnitOfWork queue can interleave with the app's own (the
      // search index's merge on its timer) and leave the connection in one nobody commits.
      plan = (await t.dataSource.query<Array<{ detail: string }>>(`EXPLAIN QUERY PLAN ${sql}`, params)).map((r) => r.detail).join('\n');
      expect(plan).not.toContain('TEMP B-TREE');
    }
    expect(plan).toContain('IDX_information_request_waiting');

    // The home page lists 20 of them and says there are more.
    const staff = request.agent(t.http);
    const login = await openForm(staff, '/staff/login');
    await staff
      .post('/staff/login')
      .type('form')
      .send({ _csrf: login.csrf, ...ADMIN })
      .expect(303);
    const home = await staff.get('/staff').expect(200);
    const section = /<section class="card warn-card" id="lapsed">([\s\S]*?)<\/section>/.exec(home.text)![1];
    expect(section.match(/<tr><td><a href=/g)).toHaveLength(20);
    expect(section).toContain('另有更多期限已过的申请未列出');
    for (const e of expected.slice(0, 20)) expect(section).toContain(e.trackingNumber);
  });

  it('search follows intake and erasure: an erased name and identity number are no longer found', async () => {
    const idNumber = validResidentId();
    const created = await request(t.http)
      .post('/api/v1/requests')
      .set(auth)
      .send({
        applicant: { type: 'natural_person', name: '司马光明', idDocumentNumber: idNumber, phone: '13900139000' },
        channel: 'in_person',
        receivedOn: '2016-03-01',
        description: '申请公开独一无二的砸缸记录',
      })
      .expect(201);
    const find = async (q: string) => (await request(t.http).get('/api/v1/requests').query({ q }).set(auth).expect(200)).body.items.map((i: { id: string }) => i.id);
    for (const q of ['司马光明', '马光明', idNumber, '砸缸记录', created.body.trackingNumber]) expect(await find(q)).toEqual([created.body.id]);
    t.clock.setNow('2016-03-10T02:00:00Z');
    await request(t.http).post(`/api/v1/requests/${created.body.id}/events`).set(auth).send({ type: 'decided', on: '2016-03-10', outcome: 'granted' }).expect(201);
    t.clock.setNow(`${TODAY}T02:00:00Z`);
    expect(await t.app.get(ApplicantPrivacyService).erasePersonalData(10, { id: null, label: '测试' })).toBeGreaterThanOrEqual(1);
    for (const q of ['司马光明', '马光明', idNumber]) expect(await find(q)).toEqual([]);
    expect(await find('砸缸记录')).toEqual([created.body.id]);
    if (t.dataSource.options.type === 'sqlite') {
      const [doc] = await t.dataSource.query('SELECT body FROM request_search_doc WHERE request_id = ?', [created.body.id]);
      expect(doc.body).not.toContain('司马');
      expect(doc.body).not.toContain(idNumber);
      // The FTS index drops a deleted document's terms at once (secure-delete), not at a later merge.
      expect((await t.dataSource.query("SELECT v FROM request_search_config WHERE k = 'secure-delete'"))[0].v).toBe(1);
      expect(await t.dataSource.query(`SELECT rowid FROM request_search WHERE request_search MATCH '"司马光"'`)).toEqual([]);
    }
  });

  it('SQLite: a table rebuilt without the search triggers gets them back at start-up, and its documents are brought up to date', async () => {
    if (t.dataSource.options.type !== 'sqlite') return;
    const id = await insertRequest(t, { status: 'in_progress', receivedOn: TODAY, dueOn: addDays(TODAY, 28) });
    await t.dataSource.query('DROP TRIGGER trg_applicant_search_au');
    await t.dataSource.query('DROP INDEX IDX_information_request_list; CREATE INDEX IDX_information_request_list ON information_request (due_on)');
    await t.dataSource.query("UPDATE applicant SET name = '诸葛孔明' WHERE id = (SELECT applicant_id FROM information_request WHERE id = ?)", [id]);
    expect((await t.app.get(SearchIndexService).verify(false)).mismatched).toBe(1);
    await t.app.get(SearchIndexService).onModuleInit();
    expect((await t.app.get(SearchIndexService).verify(false)).mismatched).toBe(0);
    const [index] = await t.dataSource.query("SELECT sql FROM sqlite_master WHERE name = 'IDX_information_request_list'");
    expect(index.sql).toContain('submitted_at DESC');
    expect((await request(t.http).get('/api/v1/requests').query({ q: '诸葛孔明' }).set(auth).expect(200)).body.total).toBe(1);
  });

  it('a calendar change recomputes every open deadline in chunks, each with its timeline entry, and leaves no stored state behind', async () => {
    // Only requests written through the app: the rows written straight to the tables have no history.
    await t.dataSource.query("DELETE FROM information_request WHERE tracking_number LIKE 'T-%' OR status <> 'concluded'");
    const ids: string[] = [];
    const post = (i: number) =>
      request(t.http)
        .post('/api/v1/requests')
        .set(auth)
        .send({
          applicant: { type: 'natural_person', name: `甲${i}`, idDocumentNumber: validResidentId(), phone: '13800138000' },
          channel: 'in_person',
          receivedOn: '2026-06-01',
          description: `申请 ${i}`,
        })
        .expect(201)
        .then((r) => ids.push(r.body.id as string));
    for (let i = 0; i < 450; i += 50) await Promise.all(Array.from({ length: 50 }, (_, k) => post(i + k)));
    // Due before the new holiday: untouched. Consulting since before it: recomputed with the rest.
    const early = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        request(t.http)
          .post('/api/v1/requests')
          .set(auth)
          .send({
            applicant: { type: 'natural_person', name: `乙${i}`, idDocumentNumber: validResidentId(), phone: '13800138000' },
            channel: 'in_person',
            receivedOn: '2026-05-06',
            description: `申请 ${i}`,
          })
          .expect(201)
          .then((r) => r.body.id as string),
      ),
    );
    const consulting = early.slice(0, 3);
    for (const id of consulting) await request(t.http).post(`/api/v1/requests/${id}/events`).set(auth).send({ type: 'consultation_started', on: '2026-05-20', party: 'third_party' }).expect(201);
    const before = (await request(t.http).get(`/api/v1/requests/${ids[0]}`).set(auth).expect(200)).body.dueOn as string;
    const current = (await request(t.http).get('/api/v1/calendar/2026').set(auth).expect(200)).body as { holidays: string[]; makeUpWorkdays: string[] };
    const put = await request(t.http)
      .put('/api/v1/calendar/2026')
      .set({ Authorization: `Bearer ${await t.adminToken()}` })
      .send({ holidays: [...current.holidays, '2026-06-16'].sort(), makeUpWorkdays: current.makeUpWorkdays, source: '测试' })
      .expect(200);
    const recomputedIds: Array<{ request_id: string }> = await t.dataSource.query("SELECT request_id FROM request_event WHERE type = 'due_recomputed'");
    expect(put.body.recomputed).toBe(recomputedIds.length);
    expect(recomputedIds.map((r) => r.request_id).sort()).toEqual([...ids, ...consulting].sort());
    const after = (await request(t.http).get(`/api/v1/requests/${ids[449]}`).set(auth).expect(200)).body;
    expect(after.dueOn).toBe(addDays(before, 1));
    expect(after.events.at(-1)).toMatchObject({ type: 'due_recomputed', data: { fromDueOn: before, toDueOn: addDays(before, 1) } });
    expect((await t.app.get(DerivedStateService).verify(false)).mismatched).toBe(0);
  }, 120_000);
});
