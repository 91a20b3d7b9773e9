import { DataSource } from 'typeorm';
import { addDays } from '../src/domain/calendar';
import { APPLICANT_TYPES, CHANNELS, OPEN_WORK_STATUSES, STATUSES } from '../src/domain/lifecycle';
import { ListRequestsQueryDto } from '../src/requests/dto/request.dto';
import { InformationRequestEntity } from '../src/requests/entities/information-request.entity';
import { countRequests } from '../src/requests/request-list-query';
import { foldTallies, splitByMonth, tallyCount } from '../src/requests/request-tally';
import { TallyFolderService } from '../src/requests/tally-folder.service';
import { runForAgency } from '../src/agencies/agency-scope';
import { AgencyEntity } from '../src/agencies/entities/agency.entity';
import { SQLITE_TALLY_INDEXES, SQLITE_TALLY_TRIGGERS } from '../src/requests/tally-schema';
import { ASSIGNEES, mulberry32, mutate, seed, TODAY } from './support/random-requests';
import { createTestApp, TestApp } from './support/test-app';

/**
 * Issue 15: the list's totals are sums over tallies kept by triggers (migration 1795761100000).
 * On random records, changed and deleted at random with the deltas folded at random points, every
 * count equals a plain COUNT over the rows with the same conditions.
 */
type Filter = Omit<ListRequestsQueryDto, 'page'>;

async function countByRows(ds: DataSource, f: Filter, agencyId?: number): Promise<number> {
  const qb = ds.createQueryBuilder(InformationRequestEntity, 'r');
  if (agencyId !== undefined) qb.andWhere('r.agency_id = :agencyId', { agencyId });
  if (f.status === 'open') qb.andWhere('r.status IN (:...open)', { open: OPEN_WORK_STATUSES });
  else if (f.status) qb.andWhere('r.status = :status', { status: f.status });
  if (f.channel) qb.andWhere('r.channel = :channel', { channel: f.channel });
  if (f.applicantType) qb.andWhere('r.applicant_type = :type', { type: f.applicantType });
  if (f.assignee === 'none') qb.andWhere('r.assignee_id IS NULL');
  else if (f.assignee) qb.andWhere('r.assignee_id = :assignee', { assignee: f.assignee });
  if (f.overdue === 'true') qb.andWhere('r.status IN (:...open) AND r.due_on < :today', { open: OPEN_WORK_STATUSES, today: TODAY });
  if (f.overdue === 'false') qb.andWhere('NOT (r.status IN (:...open) AND r.due_on IS NOT NULL AND r.due_on < :today)', { open: OPEN_WORK_STATUSES, today: TODAY });
  if (f.dueBefore) qb.andWhere('r.due_on < :dueBefore', { dueBefore: f.dueBefore });
  if (f.receivedFrom) qb.andWhere('r.received_on >= :rf', { rf: f.receivedFrom });
  if (f.receivedTo) qb.andWhere('r.received_on <= :rt', { rt: f.receivedTo });
  if (f.concludedFrom) qb.andWhere('r.concluded_on >= :cf', { cf: f.concludedFrom });
  if (f.concludedTo) qb.andWhere('r.concluded_on <= :ct', { ct: f.concludedTo });
  if (f.outcome) qb.andWhere('r.outcome = :outcome', { outcome: f.outcome });
  return qb.getCount();
}

/** A random filter of the list (no search), with dates on and off month boundaries. */
function randomFilter(rand: () => number): Filter {
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)];
  const day = () => {
    const d = addDays(TODAY, -Math.floor(rand() * 240));
    const edge = rand();
    // A first or a last day of a month, or any day.
    if (edge < 0.2) return `${d.slice(0, 7)}-01`;
    if (edge < 0.4) return addDays(`${addDays(`${d.slice(0, 7)}-28`, 7).slice(0, 7)}-01`, -1);
    return d;
  };
  const f: Filter = {};
  if (rand() < 0.4) f.status = pick(['open', 'open', 'concluded', ...STATUSES]);
  if (rand() < 0.2) f.channel = pick(CHANNELS);
  if (rand() < 0.3) f.applicantType = pick(APPLICANT_TYPES);
  if (rand() < 0.2) f.assignee = pick(['none', ...ASSIGNEES]);
  if (rand() < 0.15) f.outcome = pick(['granted', 'unable_not_held', 'partially_granted']);
  const range = rand();
  if (range < 0.15) f.overdue = pick(['true', 'false']);
  else if (range < 0.3) f.dueBefore = day();
  else if (range < 0.55) [f.receivedFrom, f.receivedTo] = [rand() < 0.8 ? day() : undefined, rand() < 0.8 ? day() : undefined];
  else if (range < 0.8) [f.concludedFrom, f.concludedTo] = [rand() < 0.8 ? day() : undefined, rand() < 0.8 ? day() : undefined];
  else if (range < 0.85) [f.receivedFrom, f.concludedTo] = [day(), day()];
  return f;
}

describe('Tallies: the list totals are exact sums, whatever was changed and folded', () => {
  let t: TestApp;
  const rows = () => {
    throw new Error('counted rows for a filter of whole months');
  };

  beforeAll(async () => {
    t = await createTestApp();
    t.clock.setNow(`${TODAY}T02:00:00Z`);
    await seed(t, 1500, 42);
  }, 120_000);
  afterAll(() => t.close());

  it('splits a date range into whole months and the days cut at either end', () => {
    expect(splitByMonth('2026-01-01', '2026-12-31')).toEqual({ first: '2026-01', last: '2026-12', headBefore: null, tailFrom: null });
    expect(splitByMonth('2026-01-15', '2026-04-10')).toEqual({ first: '2026-02', last: '2026-03', headBefore: '2026-02-01', tailFrom: '2026-04-01' });
    expect(splitByMonth(null, '2026-02-28')).toEqual({ first: null, last: '2026-02', headBefore: null, tailFrom: null });
    expect(splitByMonth('2024-02-29', null)).toEqual({ first: '2024-03', last: null, headBefore: '2024-03-01', tailFrom: null });
    expect(splitByMonth('2026-03-02', '2026-04-29')).toBeNull();
    expect(splitByMonth('2026-03-01', '2026-03-31')).toEqual({ first: '2026-03', last: '2026-03', headBefore: null, tailFrom: null });
  });

  it('filters without a date, or on whole months, are answered from the tally alone', async () => {
    const m = t.dataSource.manager;
    for (const f of [{}, { status: 'concluded' }, { status: 'open', assignee: 'none' }, { applicantType: 'natural_person', channel: 'online' }, { outcome: 'granted' }] as Filter[]) {
      expect((await tallyCount(m, f, TODAY, rows))?.total).toBe(await countByRows(t.dataSource, f));
    }
    for (const f of [
      { receivedFrom: '2026-01-01', receivedTo: '2026-05-31' },
      { status: 'concluded', concludedFrom: '2026-01-01', concludedTo: '2026-03-31', outcome: 'granted' },
      { dueBefore: '2026-06-01' },
    ] as Filter[]) {
      expect((await tallyCount(m, f, TODAY, rows))?.total).toBe(await countByRows(t.dataSource, f));
    }
    // A search and two date ranges are not in a tally.
    expect(await tallyCount(m, { q: '张三' }, TODAY, rows)).toBeNull();
    expect(await tallyCount(m, { receivedFrom: '2026-01-01', concludedTo: '2026-03-31' }, TODAY, rows)).toBeNull();
  });

  it('a count read while the deltas are being folded is exact (never the folded deltas twice)', async () => {
    await mutate(t, mulberry32(31), 60);
    const m = t.dataSource.manager;
    const expected = await countByRows(t.dataSource, { status: 'concluded' });
    expect(Number((await t.dataSource.query<Array<{ n: number }>>('SELECT COUNT(*) AS n FROM request_tally_delta'))[0].n)).toBeGreaterThan(100);
    let folding = true;
    const fold = foldTallies(m, 1_000_000).finally(() => (folding = false));
    const seen: number[] = [];
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        do seen.push(await countRequests(m, { status: 'concluded' }, TODAY));
        while (folding);
      }),
    );
    await fold;
    expect(seen.length).toBeGreaterThan(4);
    expect(new Set(seen)).toEqual(new Set([expected]));
  });

  it('random filters equal a count of the rows, after random changes and deletions, folded or not', async () => {
    const rand = mulberry32(2026);
    const m = t.dataSource.manager;
    for (let round = 0; round < 4; round++) {
      for (let i = 0; i < 60; i++) {
        const f = randomFilter(rand);
        expect({ f, n: await countRequests(m, f, TODAY) }).toEqual({ f, n: await countByRows(t.dataSource, f) });
      }
      await mutate(t, rand, 150);
      // Fold some of the deltas: counts must not depend on how many were folded.
      if (round % 2 === 0) await foldTallies(m, 1 + Math.floor(rand() * 400));
    }
    const pending = async () => Number((await t.dataSource.query<Array<{ n: string | number }>>('SELECT COUNT(*) AS n FROM request_tally_delta'))[0].n);
    expect(await pending()).toBeGreaterThan(0);
    await t.app.get(TallyFolderService).foldAll();
    expect(await pending()).toBe(0);
    for (let i = 0; i < 60; i++) {
      const f = randomFilter(rand);
      expect({ f, n: await countRequests(m, f, TODAY) }).toEqual({ f, n: await countByRows(t.dataSource, f) });
    }
  }, 120_000);

  it('issue 16: per agency, random filters equal a count of that agency’s rows, after requests move between agencies', async () => {
    const rand = mulberry32(16);
    const m = t.dataSource.manager;
    for (const code of ['aa', 'bb']) await m.insert(AgencyEntity, { code, name: code, parentId: 1, createdAt: '2026-06-15T00:00:00Z' });
    const agencies = (await m.find(AgencyEntity)).map((a) => a.id);
    expect(agencies).toHaveLength(3);
    for (let round = 0; round < 3; round++) {
      // Requests move between agencies (as a transfer moves one): the tallies follow.
      const ids = (await m.query<Array<{ id: string }>>('SELECT id FROM information_request')).map((r) => r.id).filter(() => rand() < 0.3);
      for (const id of ids) await m.query(`UPDATE information_request SET agency_id = ${agencies[Math.floor(rand() * 3)]} WHERE id = '${id}'`);
      await mutate(t, rand, 60);
      if (round === 1) await foldTallies(m, 1 + Math.floor(rand() * 400));
      for (let i = 0; i < 30; i++) {
        const f = randomFilter(rand);
        for (const agencyId of agencies) {
          expect({ f, agencyId, n: await runForAgency(agencyId, () => countRequests(m, f, TODAY)) }).toEqual({ f, agencyId, n: await countByRows(t.dataSource, f, agencyId) });
        }
      }
    }
    // Together they are the platform's.
    expect(await countRequests(m, {}, TODAY)).toBe(await countByRows(t.dataSource, {}));
  }, 120_000);

  (process.env.TEST_DATABASE_URL ? it.skip : it)('SQLite: the start-up copy of the triggers and indexes is what the migrations created', async () => {
    const stored = new Map((await t.dataSource.query<Array<{ name: string; sql: string }>>("SELECT name, sql FROM sqlite_master WHERE type IN ('trigger', 'index')")).map((r) => [r.name, r.sql]));
    for (const [name, ddl] of [...SQLITE_TALLY_TRIGGERS, ...SQLITE_TALLY_INDEXES]) expect({ name, sql: stored.get(name) }).toEqual({ name, sql: ddl });
  });

  (process.env.TEST_DATABASE_URL ? it.skip : it)(
    'SQLite: triggers and indexes a table rebuild dropped are put back at start-up, and the tallies rebuilt',
    async () => {
      const rand = mulberry32(99);
      const m = t.dataSource.manager;
      for (const name of ['trg_request_tally_au', 'trg_report_tally_ai']) await t.dataSource.query(`DROP TRIGGER "${name}"`);
      await t.dataSource.query('DROP INDEX "IDX_information_request_received_year"');
      // Writes the tallies do not see, as after a rebuild of the table.
      await mutate(t, rand, 80);
      const drifted = await Promise.all([{}, { status: 'concluded' }, { channel: 'online' }].map(async (f) => (await countRequests(m, f, TODAY)) !== (await countByRows(t.dataSource, f))));
      expect(drifted).toContain(true);
      await t.app.get(TallyFolderService).onModuleInit();
      const names = (
        await t.dataSource.query<Array<{ name: string }>>("SELECT name FROM sqlite_master WHERE name IN ('trg_request_tally_au', 'trg_report_tally_ai', 'IDX_information_request_received_year')")
      ).map((r) => r.name);
      expect(names.sort()).toEqual(['IDX_information_request_received_year', 'trg_report_tally_ai', 'trg_request_tally_au']);
      await mutate(t, rand, 40);
      for (let i = 0; i < 40; i++) {
        const f = randomFilter(rand);
        expect({ f, n: await countRequests(m, f, TODAY) }).toEqual({ f, n: await countByRows(t.dataSource, f) });
      }
      const years = await t.dataSource.query<Array<{ y: string; n: string | number }>>(
        "SELECT COALESCE(SUBSTR(received_on, 1, 4), '') AS y, COUNT(*) AS n FROM information_request GROUP BY COALESCE(SUBSTR(received_on, 1, 4), '') ORDER BY 1",
      );
      await t.app.get(TallyFolderService).foldAll();
      const tallied = await t.dataSource.query<Array<{ y: string; n: string | number }>>(
        'SELECT received_year AS y, SUM(n) AS n FROM report_tally GROUP BY received_year HAVING SUM(n) <> 0 ORDER BY 1',
      );
      expect(tallied.map((r) => [r.y, Number(r.n)])).toEqual(years.map((r) => [r.y, Number(r.n)]));
    },
    60_000,
  );

  it('state:verify finds a tally that differs from a fresh count of the requests, and --repair rebuilds it', async () => {
    const folder = t.app.get(TallyFolderService);
    const clean = { request_tally: 0, reply_tally: 0, report_tally: 0 };
    expect(await folder.verify(false)).toEqual({ mismatched: clean, repaired: false });
    await t.dataSource.query("UPDATE request_tally SET n = n + 3 WHERE kind = 'all' AND status = 'concluded'");
    await t.dataSource.query('UPDATE report_tally SET n = n - 1 WHERE n > 0');
    const found = await folder.verify(false);
    expect(found.mismatched.request_tally).toBeGreaterThan(0);
    expect(found.mismatched.report_tally).toBeGreaterThan(0);
    expect(found.mismatched.reply_tally).toBe(0);
    expect((await folder.verify(true)).repaired).toBe(true);
    expect(await folder.verify(false)).toEqual({ mismatched: clean, repaired: false });
    expect(await countRequests(t.dataSource.manager, { status: 'concluded' }, TODAY)).toBe(await countByRows(t.dataSource, { status: 'concluded' }));
  });

  it('the migration fills the tallies from the requests already stored: folded tallies equal a fresh grouping', async () => {
    await t.app.get(TallyFolderService).foldAll();
    const tallied = await t.dataSource.query<
      Array<{
        status: string;
        n: string | number;
      }>
    >("SELECT status, SUM(n) AS n FROM request_tally WHERE kind = 'all' GROUP BY status HAVING SUM(n) <> 0 ORDER BY status");
    const counted = await t.dataSource.query<Array<{ status: string; n: string | number }>>('SELECT status, COUNT(*) AS n FROM information_request GROUP BY status ORDER BY status');
    expect(tallied.map((r) => [r.status, Number(r.n)])).toEqual(counted.map((r) => [r.status, Number(r.n)]));
  });
});
