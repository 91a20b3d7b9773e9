import sqlite3 from 'sqlite3';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { addDays } from '../src/domain/calendar';
import { OPEN_WORK_STATUSES } from '../src/domain/lifecycle';
import { DailyDigestService, DIGEST_LIST_MAX } from '../src/notifications/daily-digest.service';
import { ListRequestsQueryDto } from '../src/requests/dto/request.dto';
import { ApplicantEntity } from '../src/requests/entities/applicant.entity';
import { InformationRequestEntity } from '../src/requests/entities/information-request.entity';
import { listRequestIds } from '../src/requests/request-list-query';
import { searchCondition } from '../src/requests/request-search';
import { SearchIndexService, SQLITE_SEARCH_TRIGGERS } from '../src/requests/search-index.service';
import { runForAgency } from '../src/agencies/agency-scope';
import { ASSIGNEES, seed, TODAY } from './support/random-requests';
import { migratedTemplate } from './support/sqlite-template';
import { createTestApp, TestApp } from './support/test-app';

/**
 * Issue 15: the list is read from indexes now. The list query of the previous release is kept
 * here as the oracle (with the identity number and credit code added where a search is asked to
 * find them); on random records, every filter, a few searches and pages from the first to past
 * the last give the same items in the same order and the same totals.
 */
const PAGE_SIZE = 20;

async function oldList(ds: DataSource, query: ListRequestsQueryDto, today: string, withIdentity = false, agencyId?: number): Promise<{ ids: string[]; total: number }> {
  const page = Math.max(1, Number(query.page ?? 1));
  const qb = ds.createQueryBuilder(InformationRequestEntity, 'r').innerJoin(ApplicantEntity, 'a', 'a.id = r.applicant_id').select('r').addSelect(['a.name', 'a.idDocumentNumber', 'a.phone']);
  if (agencyId !== undefined) qb.andWhere('r.agency_id = :agencyId', { agencyId });
  if (query.status === 'open') qb.andWhere('r.status IN (:...openStatuses)', { openStatuses: OPEN_WORK_STATUSES });
  else if (query.status) qb.andWhere('r.status = :status', { status: query.status });
  if (query.channel) qb.andWhere('r.channel = :channel', { channel: query.channel });
  if (query.applicantType) qb.andWhere('r.applicant_type = :type', { type: query.applicantType });
  if (query.assignee === 'none') qb.andWhere('r.assignee_id IS NULL');
  else if (query.assignee) qb.andWhere('r.assignee_id = :assignee', { assignee: query.assignee });
  if (query.overdue === 'true') qb.andWhere('r.status IN (:...openStatuses) AND r.due_on < :today', { today, openStatuses: OPEN_WORK_STATUSES });
  if (query.overdue === 'false') qb.andWhere('NOT (r.status IN (:...openStatuses) AND r.due_on IS NOT NULL AND r.due_on < :today)', { today, openStatuses: OPEN_WORK_STATUSES });
  if (query.dueBefore) qb.andWhere('r.due_on IS NOT NULL AND r.due_on < :dueBefore', { dueBefore: query.dueBefore });
  if (query.receivedFrom) qb.andWhere('r.received_on >= :receivedFrom', { receivedFrom: query.receivedFrom });
  if (query.receivedTo) qb.andWhere('r.received_on <= :receivedTo', { receivedTo: query.receivedTo });
  if (query.concludedFrom) qb.andWhere('r.concluded_on >= :concludedFrom', { concludedFrom: query.concludedFrom });
  if (query.concludedTo) qb.andWhere('r.concluded_on <= :concludedTo', { concludedTo: query.concludedTo });
  if (query.outcome) qb.andWhere('r.outcome = :outcome', { outcome: query.outcome });
  if (query.q) {
    const like = `%${query.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    const identity = withIdentity ? " OR a.id_document_number LIKE :like ESCAPE '\\' OR a.organisation_code LIKE :like ESCAPE '\\'" : '';
    qb.andWhere(`(r.tracking_number LIKE :like ESCAPE '\\' OR r.description LIKE :like ESCAPE '\\' OR a.name LIKE :like ESCAPE '\\'${identity})`, { like });
  }
  qb.orderBy('CASE WHEN r.due_on IS NULL THEN 1 ELSE 0 END', 'ASC')
    .addOrderBy('r.due_on', 'ASC')
    .addOrderBy('r.submitted_at', 'DESC')
    // The new list orders equals by id; the old one left them in any order.
    .addOrderBy('r.id', 'ASC')
    .offset((page - 1) * PAGE_SIZE)
    .limit(PAGE_SIZE);
  const [{ entities }, total] = await Promise.all([qb.getRawAndEntities(), qb.getCount()]);
  return { ids: entities.map((e) => e.id), total };
}

function pagesOf(total: number): number[] {
  const last = Math.max(1, Math.ceil(total / PAGE_SIZE));
  return [...new Set([1, 2, Math.ceil(last / 2), Math.ceil(last / 2) + 1, last - 1, last, last + 1].filter((p) => p >= 1))];
}

describe('Request list from indexes: same items, order and totals as the old query', () => {
  let t: TestApp;
  let auth: { Authorization: string };
  let idNumbers: string[];

  const api = async (query: Record<string, string>) => {
    const res = await request(t.http).get('/api/v1/requests').query(query).set(auth).expect(200);
    return { ids: (res.body.items as Array<{ id: string }>).map((i) => i.id), total: res.body.total as number };
  };

  beforeAll(async () => {
    t = await createTestApp();
    t.clock.setNow(`${TODAY}T02:00:00Z`);
    auth = { Authorization: `Bearer ${await t.token()}` };
    ({ idNumbers } = await seed(t, 2600, 15));
  }, 120_000);
  afterAll(() => t.close());

  const FILTERS: Array<Record<string, string>> = [
    {},
    { status: 'open' },
    { status: 'concluded' },
    { status: 'awaiting_confirmation' },
    { status: 'withdrawn' },
    { overdue: 'true' },
    { overdue: 'false' },
    { status: 'open', overdue: 'false' },
    { channel: 'online' },
    { applicantType: 'natural_person' },
    { applicantType: 'research_institution' },
    { assignee: 'none' },
    { assignee: ASSIGNEES[0] },
    { status: 'open', assignee: ASSIGNEES[1] },
    { dueBefore: TODAY },
    { receivedFrom: addDays(TODAY, -30), receivedTo: TODAY },
    { receivedFrom: '2026-01-01', receivedTo: '2026-12-31' },
    { status: 'concluded', concludedFrom: '2026-01-01', concludedTo: '2026-12-31' },
    { outcome: 'granted', concludedFrom: '2026-03-01', concludedTo: '2026-05-31' },
    { applicantType: 'legal_service_org', overdue: 'true' },
    { channel: 'fax', status: 'open' },
  ];

  it.each(FILTERS.map((f) => [JSON.stringify(f), f]))('filter %s', async (_label, filter) => {
    const first = await oldList(t.dataSource, filter, TODAY);
    for (const page of pagesOf(first.total)) {
      const expected = await oldList(t.dataSource, { ...filter, page: String(page) }, TODAY);
      expect({ page, ...(await api({ ...filter, page: String(page) })) }).toEqual({ page, ...expected });
    }
  });

  const SEARCHES: Array<Record<string, string>> = [
    { q: '拆迁补偿' },
    { q: 'Road Plan' },
    { q: '50%_' },
    { q: '（第3次）' },
    { q: '2026-0012' },
    { q: '张三丰' },
    { q: '欧阳修' },
    { q: '环境影响评价', status: 'concluded' },
    { q: '财政预算', overdue: 'false' },
    { q: '拆迁补偿', applicantType: 'natural_person', page: '2' },
  ];

  it.each(SEARCHES.map((s) => [JSON.stringify(s), s]))('search %s', async (_label, query) => {
    const expected = await oldList(t.dataSource, query, TODAY);
    expect(expected.total).toBeGreaterThan(0);
    expect(await api(query)).toEqual(expected);
  });

  it('finds an identity number and a credit code, which the old list did not search', async () => {
    for (const q of [idNumbers[7], idNumbers[7].slice(4, 14), '91110000MA00000042']) {
      const expected = await oldList(t.dataSource, { q }, TODAY, true);
      expect(expected.total).toBeGreaterThan(0);
      expect(await api({ q })).toEqual(expected);
      expect((await oldList(t.dataSource, { q }, TODAY)).total).toBe(0);
    }
  });

  it('a term spanning the end of a tracking number and the start of its description finds nothing, as before', async () => {
    const [row] = await t.dataSource.query<Array<{ n: string; d: string }>>(`SELECT tracking_number AS n, description AS d FROM information_request ORDER BY id LIMIT 1`);
    const q = `${row.n.slice(-3)} ${[...row.d].slice(0, 2).join('')}`;
    expect(await oldList(t.dataSource, { q }, TODAY)).toEqual({ ids: [], total: 0 });
    expect(await api({ q })).toEqual({ ids: [], total: 0 });
  });

  it('finds a tracking number typed without its dash or with a full-width dash', async () => {
    const expected = await oldList(t.dataSource, { q: '2026-000123' }, TODAY);
    expect(expected.total).toBe(1);
    expect(await api({ q: '2026000123' })).toEqual(expected);
    expect(await api({ q: '2026－000123' })).toEqual(expected);
    // Another year's number of the same sequence is not it (SQLite looks up the digits after the year first).
    expect(await oldList(t.dataSource, { q: '2025-000123' }, TODAY, true)).toEqual({ ids: [], total: 0 });
    expect(await api({ q: '2025000123' })).toEqual({ ids: [], total: 0 });
  });

  it('a term of one or two characters is a substring of the number, description or name, as before (张三 also finds 张三丰; 拆迁)', async () => {
    for (const q of ['张三', '拆迁', '七']) {
      const first = await oldList(t.dataSource, { q }, TODAY);
      expect(first.total).toBeGreaterThan(PAGE_SIZE);
      for (const page of ['1', '2']) expect(await api({ q, page })).toEqual(await oldList(t.dataSource, { q, page }, TODAY));
    }
    const names: Array<{ n: number }> = await t.dataSource.query(`SELECT COUNT(*) AS n FROM information_request r JOIN applicant a ON a.id = r.applicant_id WHERE a.name = '张三'`);
    expect((await api({ q: '张三' })).total).toBeGreaterThan(Number(names[0].n));
  });

  (process.env.TEST_DATABASE_URL ? it : it.skip)('PostgreSQL: a term of one or two characters is looked up in the character-pair indexes, not by a scan', async () => {
    const runner = t.dataSource.createQueryRunner();
    await runner.startTransaction();
    try {
      // The test's few rows would be scanned anyway: can the indexes answer the term at all?
      await runner.query('SET LOCAL enable_seqscan = off');
      const plan = async (sql: string) => ((await runner.query(`EXPLAIN ${sql}`, ['张三'])) as Array<{ 'QUERY PLAN': string }>).map((r) => r['QUERY PLAN']).join('\n');
      // The subqueries of the search condition, as written there.
      const cond = searchCondition('postgres', '张三').where;
      expect(cond).toContain('ogi_grams(st.text) @> ARRAY[CAST(:searchGram AS text)]');
      expect(cond).toContain('ogi_grams(sa.name) @> ARRAY[CAST(:searchGram AS text)]');
      expect(await plan('SELECT st.request_id FROM request_search_text st WHERE ogi_grams(st.text) @> ARRAY[CAST($1 AS text)]')).toContain('IDX_request_search_text_grams');
      expect(await plan('SELECT sa.id FROM applicant sa WHERE ogi_grams(sa.name) @> ARRAY[CAST($1 AS text)]')).toContain('IDX_applicant_name_grams');
      // A longer term: the trigram index of the same text, not one on the request row, which
      // every update of a due date or status would write again (migration 1795763700000).
      expect(await plan("SELECT st.request_id FROM request_search_text st WHERE st.text LIKE '%' || $1 || '%'")).toContain('IDX_request_search_text_trgm');
      const [{ gin }] = (await runner.query(`SELECT COUNT(*) AS gin FROM pg_indexes WHERE tablename = 'information_request' AND indexdef LIKE '%USING gin%'`)) as Array<{ gin: string }>;
      expect(Number(gin)).toBe(0);
      // Kept by its trigger: one text per request, its number and description.
      const [{ n, same }] = (await runner.query(
        `SELECT COUNT(*) AS n, COUNT(*) FILTER (WHERE st.text = r.tracking_number || ' ' || r.description) AS same FROM information_request r LEFT JOIN request_search_text st ON st.request_id = r.id`,
      )) as Array<{ n: string; same: string }>;
      expect(Number(n)).toBeGreaterThan(0);
      expect(Number(same)).toBe(Number(n));
    } finally {
      await runner.rollbackTransaction();
      await runner.release();
    }
  });

  it("the daily digest's overdue and due-soon lists are the open list's, in its order", async () => {
    const open: Array<{ id: string; overdue: boolean; dueSoon: boolean }> = [];
    const { total } = await api({ status: 'open' });
    for (let page = 1; page <= Math.ceil(total / PAGE_SIZE); page++) {
      open.push(
        ...(
          await request(t.http)
            .get('/api/v1/requests')
            .query({ status: 'open', page: String(page) })
            .set(auth)
            .expect(200)
        ).body.items,
      );
    }
    const service: unknown = t.app.get(DailyDigestService);
    const digest = await (service as { openItems(): Promise<Array<{ id: string; overdue: boolean; dueSoon: boolean }>> }).openItems();
    const pick = (items: typeof open, key: 'overdue' | 'dueSoon') => items.filter((i) => i[key]).map((i) => i.id);
    expect(pick(open, 'overdue').length).toBeGreaterThan(20);
    expect(pick(open, 'dueSoon').length).toBeGreaterThan(0);
    expect([pick(digest, 'overdue'), pick(digest, 'dueSoon')]).toEqual([pick(open, 'overdue'), pick(open, 'dueSoon')]);
  });

  it('a digest message lists the first 100 lines of a list, with its full count and a link to the whole list', async () => {
    await t.dataSource.query("UPDATE staff_user SET email = 'duty@agency.test'");
    const overdue = await api({ status: 'open', overdue: 'true' });
    expect(overdue.total).toBeGreaterThan(DIGEST_LIST_MAX);
    expect(await t.app.get(DailyDigestService).sendDailyDigest()).toMatchObject({ ran: true, overdue: overdue.total });
    const [mail] = await t.dataSource.query<Array<{ text_body: string; html_body: string }>>("SELECT text_body, html_body FROM mail_outbox WHERE kind = 'digest' AND recipient = 'duty@agency.test'");
    const part = mail.text_body.split('3 个工作日内到期')[0].split(`已逾期（${overdue.total} 件）`)[1];
    expect(part.split('\n').filter((l) => l.startsWith('- '))).toHaveLength(DIGEST_LIST_MAX);
    expect(part).toContain(`另有 ${overdue.total - DIGEST_LIST_MAX} 件未列出：http`);
    expect(part).toContain('/staff/requests?status=open&overdue=true');
    expect(mail.html_body).toContain(`另有 ${overdue.total - DIGEST_LIST_MAX} 件未列出`);
  });

  (process.env.TEST_DATABASE_URL ? it.skip : it)(
    'SQLite: the start-up copy of the search triggers is what the migrations created',
    async () => {
      // This run's template, which the migrations alone wrote (an app puts its own copy back at start-up).
      const template = await migratedTemplate();
      expect(template).not.toBeNull();
      const migrated = await new DataSource({ type: 'sqlite', database: template!, flags: sqlite3.OPEN_READONLY }).initialize();
      try {
        const stored = new Map((await migrated.query<Array<{ name: string; sql: string }>>("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")).map((r) => [r.name, r.sql]));
        for (const [name, ddl] of SQLITE_SEARCH_TRIGGERS) expect({ name, sql: stored.get(name) }).toEqual({ name, sql: ddl });
      } finally {
        await migrated.destroy();
      }
    },
    60_000,
  );

  (process.env.TEST_DATABASE_URL ? it.skip : it)(
    'SQLite: a search alone is counted and sorted on its documents, which follow every change of the due date, submission time and agency',
    async () => {
      const ds = t.dataSource;
      const searches = ['拆迁补偿', '2026-0012', '张三丰', 'Road Plan'];
      const samePages = async (agencyId?: number, list = api) => {
        for (const q of searches) {
          const first = await oldList(ds, { q }, TODAY, false, agencyId);
          expect(first.total).toBeGreaterThan(0);
          for (const page of pagesOf(first.total)) {
            const expected = await oldList(ds, { q, page: String(page) }, TODAY, false, agencyId);
            expect({ q, page, ...(await list({ q, page: String(page) })) }).toEqual({ q, page, ...expected });
          }
        }
      };
      await samePages();
      const ftsRows = async () => Number((await ds.query<Array<{ n: number }>>('SELECT COUNT(*) AS n FROM request_search_data'))[0].n);
      const before = await ftsRows();
      // Writes to the order keys, as a calendar change or a step makes them, and one request in ten
      // moved to another agency (a transfer before receipt).
      await ds.query(`INSERT INTO agency (id, code, name, parent_id, created_at) VALUES (2, 'zrzy', '某县自然资源局', 1, '2026-01-01T00:00:00.000Z')`);
      await ds.query(`UPDATE information_request SET due_on = NULL WHERE tracking_number LIKE '%3'`);
      await ds.query(`UPDATE information_request SET due_on = '2026-02-02' WHERE tracking_number LIKE '%7' OR tracking_number LIKE '%8'`);
      await ds.query(`UPDATE information_request SET submitted_at = '2025-12-31T16:00:00.000Z', due_on = '2026-02-02' WHERE tracking_number LIKE '%5'`);
      await ds.query(`UPDATE information_request SET agency_id = 2 WHERE tracking_number LIKE '%1'`);
      // Keys only: the FTS index is not rewritten.
      expect(await ftsRows()).toBe(before);
      await samePages(1);
      const inAgency2 = async (query: Record<string, string>) => {
        const { ids, total } = await runForAgency(2, () => listRequestIds(ds.manager, query, TODAY, (Number(query.page ?? 1) - 1) * PAGE_SIZE, PAGE_SIZE));
        return { ids, total: total ?? -1 };
      };
      await samePages(2, inAgency2);
      expect(await t.app.get(SearchIndexService).verify(false)).toEqual({ mismatched: 0, repaired: 0 });
      // A document whose keys went astray is found by the state check and repaired.
      await ds.query(`UPDATE request_search_doc SET due_on = '1999-01-01' WHERE seq IN (SELECT seq FROM request_search_doc LIMIT 3)`);
      expect(await t.app.get(SearchIndexService).verify(true)).toEqual({ mismatched: 3, repaired: 3 });
      expect(await t.app.get(SearchIndexService).verify(false)).toEqual({ mismatched: 0, repaired: 0 });
      await samePages(1);
      await ds.query('UPDATE information_request SET agency_id = 1');
      await ds.query('DELETE FROM agency WHERE id = 2');
    },
    120_000,
  );

  it('with equal submission times, the pages still hold every request once, ordered by id among equals', async () => {
    await t.dataSource.query(`UPDATE information_request SET submitted_at = '2026-01-01T00:00:00.000Z' WHERE tracking_number < '2026-000800'`);
    for (const filter of [{}, { status: 'open' }, { q: '拆迁补偿' }] as Array<Record<string, string>>) {
      const { total } = await api(filter);
      const seen: string[] = [];
      for (let page = 1; page <= Math.ceil(total / PAGE_SIZE); page++) seen.push(...(await api({ ...filter, page: String(page) })).ids);
      expect(new Set(seen).size).toBe(total);
      const rows: Array<{ id: string; due_on: string | null; submitted_at: string }> = await t.dataSource.query(
        `SELECT id, due_on, submitted_at FROM information_request WHERE id IN (${seen.map((_, i) => (t.dataSource.options.type === 'postgres' ? `$${i + 1}` : '?')).join(',')})`,
        seen,
      );
      const byId = new Map(rows.map((r) => [r.id, r]));
      const key = (id: string) => {
        const r = byId.get(id)!;
        return [r.due_on === null ? 1 : 0, r.due_on ?? '', r.submitted_at, id] as const;
      };
      for (let i = 1; i < seen.length; i++) {
        const [a, b] = [key(seen[i - 1]), key(seen[i])];
        const ordered = a[0] !== b[0] ? a[0] < b[0] : a[1] !== b[1] ? a[1] < b[1] : a[2] !== b[2] ? a[2] > b[2] : a[3] < b[3];
        expect(ordered).toBe(true);
      }
    }
  });
});
