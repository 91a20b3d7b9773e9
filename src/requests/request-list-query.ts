import { scopedAgencyId } from '../agencies/agency-scope';
import { EntityManager, ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import { IsoDate } from '../domain/calendar';
import { OPEN_WORK_STATUSES } from '../domain/lifecycle';
import { ListRequestsQueryDto } from './dto/request.dto';
import { ApplicantEntity } from './entities/applicant.entity';
import { InformationRequestEntity } from './entities/information-request.entity';
import { isShortTerm, searchCondition, searchDocCondition, searchTerms } from './request-search';
import { RowCount, tallyCount } from './request-tally';

/**
 * The request list, read from the indexes of migration 1795761000000.
 *
 * The list's order is due date (none last), then newest first, then id. It is read as two
 * segments, requests with a due date and those without, each in the order of an index that ends
 * in (due_on, submitted_at DESC, id): a page is the next rows of an index range, never a sort of
 * the whole table, and a page past the middle of a segment is read from its far end. The total
 * counts the request table alone with the same filters. A search reads the matching requests
 * from the search index and sorts those.
 */

/** "Open" as SQL, from the one constant: `status IN (…)`, the same text as the partial index. */
export const OPEN_STATUS_SQL = `(${OPEN_WORK_STATUSES.map((s) => {
  if (!/^[a-z_]+$/.test(s)) throw new Error(`unexpected status code ${s}`);
  return `'${s}'`;
}).join(', ')})`;

type Filters = Omit<ListRequestsQueryDto, 'page'> & {
  /** A short search term's trigrams, read from the index vocabulary (SQLite); see searchCondition. */
  shortTrigrams?: string[] | null;
};

/** At most this many trigrams narrow a short term; a term that begins more (one character) is scanned. */
const SHORT_TERM_TRIGRAMS = 200;

/** SQLite, a search of one or two characters: the indexed trigrams beginning with it, for searchCondition. */
async function withShortTrigrams(m: EntityManager, f: Filters): Promise<Filters> {
  if (!f.q || f.shortTrigrams !== undefined || databaseOf(m) !== 'sqlite' || !isShortTerm(f.q)) return f;
  // The vocabulary of the trigram index, in term order; a temporary table of this connection.
  await m.query(`CREATE VIRTUAL TABLE IF NOT EXISTS temp.request_search_vocab USING fts5vocab(main, 'request_search', 'row')`);
  const term = searchTerms(f.q)[0].toLowerCase();
  const rows: Array<{ term: string }> = await m.query('SELECT term FROM temp.request_search_vocab WHERE term >= ? AND term < ? LIMIT ?', [term, `${term}\u{10FFFF}`, SHORT_TERM_TRIGRAMS + 1]);
  return { ...f, shortTrigrams: rows.length > SHORT_TERM_TRIGRAMS ? null : rows.map((r) => r.term) };
}

interface Segment {
  where: string;
  order: Array<[string, 'ASC' | 'DESC']>;
}

const WITH_DUE: Segment = {
  where: 'r.due_on IS NOT NULL',
  order: [
    ['r.due_on', 'ASC'],
    ['r.submitted_at', 'DESC'],
    ['r.id', 'ASC'],
  ],
};
const WITHOUT_DUE: Segment = {
  where: 'r.due_on IS NULL',
  order: [
    ['r.submitted_at', 'DESC'],
    ['r.id', 'ASC'],
  ],
};

function databaseOf(m: EntityManager): 'sqlite' | 'postgres' {
  return m.connection.options.type === 'postgres' ? 'postgres' : 'sqlite';
}

/** The filters of the list on the request table; `overdue=false` is left to the caller. */
function applyFilters(qb: SelectQueryBuilder<InformationRequestEntity>, f: Filters, today: IsoDate, walk = false): SelectQueryBuilder<InformationRequestEntity> {
  // Reading a page in list order, these filters are checked on the list index's entries; written
  // as expressions, no other index can be chosen for them (and a sort of all their rows).
  const col = (name: string) => (walk ? `(r.${name} || '')` : `r.${name}`);
  // Staff read their own agency's requests only (D22); the list indexes lead with the agency.
  const agencyId = scopedAgencyId();
  if (agencyId !== null) qb.andWhere('r.agency_id = :agencyId', { agencyId });
  if (f.status === 'open') qb.andWhere(`r.status IN ${OPEN_STATUS_SQL}`);
  else if (f.status) qb.andWhere('r.status = :status', { status: f.status });
  if (f.channel) qb.andWhere('r.channel = :channel', { channel: f.channel });
  if (f.applicantType) qb.andWhere('r.applicant_type = :type', { type: f.applicantType });
  if (f.assignee === 'none') qb.andWhere('r.assignee_id IS NULL');
  else if (f.assignee) qb.andWhere('r.assignee_id = :assignee', { assignee: f.assignee });
  if (f.overdue === 'true') qb.andWhere(`r.status IN ${OPEN_STATUS_SQL} AND r.due_on < :today`, { today });
  if (f.dueBefore) qb.andWhere('r.due_on IS NOT NULL AND r.due_on < :dueBefore', { dueBefore: f.dueBefore });
  if (f.receivedFrom) qb.andWhere(`${col('received_on')} >= :receivedFrom`, { receivedFrom: f.receivedFrom });
  if (f.receivedTo) qb.andWhere(`${col('received_on')} <= :receivedTo`, { receivedTo: f.receivedTo });
  if (f.concludedFrom) qb.andWhere(`${col('concluded_on')} >= :concludedFrom`, { concludedFrom: f.concludedFrom });
  if (f.concludedTo) qb.andWhere(`${col('concluded_on')} <= :concludedTo`, { concludedTo: f.concludedTo });
  if (f.outcome) qb.andWhere(`${col('outcome')} = :outcome`, { outcome: f.outcome });
  if (f.q) {
    const search = searchCondition(databaseOf(qb.connection.manager), f.q, 'r', f.shortTrigrams ?? null);
    qb.andWhere(search.where, search.params);
  }
  return qb;
}

/** Waiting for the applicant: the condition of the partial index of migration 1795765100000, word for word. */
export const WAITING_STATUS_SQL = "('awaiting_correction', 'awaiting_fee')";

const NOT_OVERDUE = `NOT (r.status IN ${OPEN_STATUS_SQL} AND r.due_on IS NOT NULL AND r.due_on < :today)`;

/** Every filter of the list, `overdue=false` included, on a query over `information_request r`: the ledger export exports what the list shows. */
export function applyListConditions(qb: SelectQueryBuilder<InformationRequestEntity>, f: Filters, today: IsoDate): SelectQueryBuilder<InformationRequestEntity> {
  applyFilters(qb, f, today);
  if (f.overdue === 'false') qb.andWhere(NOT_OVERDUE, { today });
  return qb;
}

function base(m: EntityManager, f: Filters, today: IsoDate, walk = false): SelectQueryBuilder<InformationRequestEntity> {
  return applyFilters(m.createQueryBuilder(InformationRequestEntity, 'r'), f, today, walk);
}

interface Counted {
  total: number;
  /** How many have a due date: the first segment. */
  withDue: number;
  /** The due dates of the matching requests lie in [minDue, maxDue]: where to start reading the list index. */
  minDue: IsoDate | null;
  maxDue: IsoDate | null;
}

/**
 * The total and the size of each segment, and the range of their due dates (where to start and
 * stop reading the list index): summed from the tallies where they hold the filter (see
 * request-tally.ts), else counted over the narrowest index the filters allow.
 */
async function countSegments(m: EntityManager, f: Filters, today: IsoDate): Promise<Counted> {
  const g = f.overdue === 'false' ? { ...f, overdue: undefined } : f;
  const counted = await countOf(m, g, today);
  if (f.overdue !== 'false') return counted;
  // Not overdue = all minus overdue: two counts on tallies or indexes instead of a NOT over every row.
  const overdue = await countOf(m, { ...g, overdue: 'true' }, today);
  return { ...counted, total: counted.total - overdue.total, withDue: counted.withDue - overdue.total };
}

async function countOf(m: EntityManager, f: Filters, today: IsoDate): Promise<Counted> {
  const rows: RowCount = async (extra) => {
    const qb = base(m, f, today).select('COUNT(*)', 'n').addSelect('SUM(CASE WHEN r.due_on IS NULL THEN 1 ELSE 0 END)', 'undated');
    // With the count in the same query, PostgreSQL does not turn MIN/MAX into a walk of the list index.
    qb.addSelect('MIN(r.due_on)', 'lo').addSelect('MAX(r.due_on)', 'hi').andWhere(extra.where, extra.params);
    const row = await qb.getRawOne<{ n: string | number; undated: string | number | null; lo: string | null; hi: string | null }>();
    return { total: Number(row?.n ?? 0), undated: Number(row?.undated ?? 0), minDue: row?.lo ?? null, maxDue: row?.hi ?? null };
  };
  const c = (await tallyCount(m, f, today, rows)) ?? (await rows({ where: '1 = 1', params: {} }));
  return { total: c.total, withDue: c.total - c.undated, minDue: c.minDue, maxDue: c.maxDue };
}

export async function countRequests(m: EntityManager, f: Filters, today: IsoDate): Promise<number> {
  return (await countSegments(m, await withShortTrigrams(m, f), today)).total;
}

/** Rows [from, from + take) of one segment, read from whichever end of it is nearer. */
async function segmentIds(m: EntityManager, f: Filters, today: IsoDate, segment: Segment, c: Counted, size: number, from: number, take: number): Promise<string[]> {
  const reverse = Number.isFinite(size) && from > size - (from + take);
  const qb = base(m, f, today, true).select('r.id', 'id').andWhere(segment.where);
  if (f.overdue === 'false') qb.andWhere(NOT_OVERDUE, { today });
  if (segment === WITH_DUE && c.minDue && c.maxDue) qb.andWhere('r.due_on >= :minDue AND r.due_on <= :maxDue', { minDue: c.minDue, maxDue: c.maxDue });
  segment.order.forEach(([column, direction], i) => {
    const dir = reverse ? (direction === 'ASC' ? 'DESC' : 'ASC') : direction;
    if (i === 0) qb.orderBy(column, dir);
    else qb.addOrderBy(column, dir);
  });
  qb.offset(reverse ? Math.max(0, size - from - take) : from).limit(take);
  const ids = (await qb.getRawMany<{ id: string }>()).map((r) => r.id);
  return reverse ? ids.reverse() : ids;
}

export interface ListedRow {
  request: InformationRequestEntity;
  applicant: { name: string; idDocumentNumber: string | null; phone: string | null };
}

/** The requests with these ids and their applicants' list fields, in the order given. */
export async function loadListed(m: EntityManager, ids: string[]): Promise<ListedRow[]> {
  if (!ids.length) return [];
  const { entities, raw } = await m
    .createQueryBuilder(InformationRequestEntity, 'r')
    .innerJoin(ApplicantEntity, 'a', 'a.id = r.applicant_id')
    .select('r')
    .addSelect(['a.name', 'a.idDocumentNumber', 'a.phone'])
    .where('r.id IN (:...ids)', { ids })
    .getRawAndEntities();
  const byId = new Map(
    entities.map((request, i) => {
      const row = raw[i] as Record<string, string | null>;
      return [request.id, { request, applicant: { name: row.a_name ?? '', idDocumentNumber: row.a_id_document_number, phone: row.a_phone } }];
    }),
  );
  return ids.flatMap((id) => byId.get(id) ?? []);
}

/** No filter but the search (and the agency, which every list has). */
function searchAlone(f: Filters): boolean {
  return !!f.q && Object.entries(f).every(([key, value]) => key === 'q' || key === 'shortTrigrams' || !value);
}

/**
 * SQLite, a search and no other filter: the matching documents carry the list's order and the
 * agency (migration 1795765000000), so the matches are counted and sorted without reading their
 * requests (a phrase matching 1,270 of 1M requests: 4 ms, against 9–13 ms looking each one up).
 * null: the query on the requests themselves.
 */
function searchDocQuery(m: EntityManager, f: Filters): { qb: SelectQueryBuilder<ObjectLiteral>; alias: string; id: string } | null {
  if (databaseOf(m) !== 'sqlite' || !searchAlone(f)) return null;
  const doc = searchDocCondition(f.q ?? '');
  if (!doc) return null;
  const qb = m.createQueryBuilder().from('request_search', 'ss').innerJoin('request_search_doc', 'sd', 'sd.seq = ss.rowid').where(doc.where, doc.params);
  const agencyId = scopedAgencyId();
  if (agencyId !== null) qb.andWhere('sd.agency_id = :agencyId', { agencyId });
  return { qb, alias: 'sd', id: 'sd.request_id' };
}

/** Few matches, or a search: the matching requests are sorted (in the old list order, plus id). */
async function sortedPage(m: EntityManager, f: Filters, today: IsoDate, offset: number, limit: number, withTotal: boolean): Promise<{ ids: string[]; total: number | null }> {
  const matches = searchDocQuery(m, f) ?? { qb: base(m, f, today), alias: 'r', id: 'r.id' };
  const { qb, alias, id } = matches;
  qb.select(id, 'id')
    .orderBy(`CASE WHEN ${alias}.due_on IS NULL THEN 1 ELSE 0 END`, 'ASC')
    .addOrderBy(`${alias}.due_on`, 'ASC')
    .addOrderBy(`${alias}.submitted_at`, 'DESC')
    .addOrderBy(id, 'ASC')
    .offset(offset)
    .limit(limit);
  if (withTotal) qb.addSelect('COUNT(*) OVER ()', 'total');
  if (f.overdue === 'false') qb.andWhere(NOT_OVERDUE, { today });
  const rows = await qb.getRawMany<{ id: string; total?: string | number }>();
  if (!withTotal) return { ids: rows.map((r) => r.id), total: null };
  if (rows.length) return { ids: rows.map((r) => r.id), total: Number(rows[0].total) };
  return { ids: [], total: offset ? await countRequests(m, f, today) : 0 };
}

/** Up to this many matches are sorted; more are read in the order of an index. */
const SORT_AT_MOST = 1000;

/** One page of the list: the ids in list order and the exact total (or null when not asked for). */
export async function listRequestIds(m: EntityManager, f: Filters, today: IsoDate, offset: number, limit: number, withTotal = true): Promise<{ ids: string[]; total: number | null }> {
  f = await withShortTrigrams(m, f);
  if (limit === 0) return { ids: [], total: withTotal ? await countRequests(m, f, today) : null };
  // A search reads its matches from the search index, with the total in the same query.
  if (f.q) return sortedPage(m, f, today, offset, limit, withTotal);
  if (!withTotal && offset === 0) {
    // The first page without its total: the first rows of each segment, no count.
    const empty: Counted = { total: Infinity, withDue: Infinity, minDue: null, maxDue: null };
    const ids = await segmentIds(m, f, today, WITH_DUE, empty, Infinity, 0, limit);
    if (ids.length < limit) ids.push(...(await segmentIds(m, f, today, WITHOUT_DUE, empty, Infinity, 0, limit - ids.length)));
    return { ids, total: null };
  }
  const c = await countSegments(m, f, today);
  if (c.total <= SORT_AT_MOST) return { ids: (await sortedPage(m, f, today, offset, limit, false)).ids, total: c.total };
  const ids: string[] = [];
  const segments: Array<[Segment, number, number]> = [
    [WITH_DUE, 0, c.withDue],
    [WITHOUT_DUE, c.withDue, c.total - c.withDue],
  ];
  for (const [segment, start, size] of segments) {
    const from = Math.max(offset, start) - start;
    const to = Math.min(offset + limit, start + size) - start;
    if (to > from) ids.push(...(await segmentIds(m, f, today, segment, c, size, from, to - from)));
  }
  return { ids, total: c.total };
}

/** Open requests due on or before a date (overdue ones included), in list order: the digest's lists. Read 2,000 at a time, yielding between reads. */
export async function openDueBy(m: EntityManager, by: IsoDate): Promise<InformationRequestEntity[]> {
  const all: InformationRequestEntity[] = [];
  for (;;) {
    const last = all[all.length - 1];
    const qb = m
      .createQueryBuilder(InformationRequestEntity, 'r')
      .select(['r.id', 'r.trackingNumber', 'r.status', 'r.channel', 'r.applicantType', 'r.submittedAt', 'r.receivedOn', 'r.dueOn', 'r.dueIsProvisional', 'r.assigneeId', 'r.outcome', 'r.concludedOn'])
      .where(`r.status IN ${OPEN_STATUS_SQL}`)
      .andWhere('r.due_on IS NOT NULL AND r.due_on <= :by', { by });
    const agencyId = scopedAgencyId();
    if (agencyId !== null) qb.andWhere('r.agency_id = :agencyId', { agencyId });
    if (last) {
      qb.andWhere('(r.due_on > :d OR (r.due_on = :d AND (r.submitted_at < :s OR (r.submitted_at = :s AND r.id > :id))))', { d: last.dueOn, s: last.submittedAt, id: last.id });
    }
    const page = await qb.orderBy('r.due_on', 'ASC').addOrderBy('r.submitted_at', 'DESC').addOrderBy('r.id', 'ASC').limit(2000).getMany();
    all.push(...page);
    if (page.length < 2000) return all;
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/**
 * Requests waiting for a correction or a fee whose deadline has passed, by tracking number: the
 * correction deadline is the one in its (single) correction notice; the fee deadline, 20 working
 * days from the receipt of the (single) fee notice, has passed exactly when that receipt is on or
 * before `feeReceivedBy`, the last day whose deadline is before today. The test
 * lapsed-query.e2e-spec holds this equal to the replay of the events.
 */
export async function lapsedRequests(m: EntityManager, today: IsoDate, feeReceivedBy: IsoDate, limit?: number): Promise<Array<{ id: string; trackingNumber: string }>> {
  return lapsedQuery(m, today, feeReceivedBy, limit).getRawMany();
}

/**
 * The query of lapsedRequests. In an agency, the requests waiting for a correction or a fee are
 * read in number order from their own partial index (migration 1795765100000), and a limited
 * list (the staff home's) stops at the first lapsed ones: at 1M requests 5,000 were waiting,
 * and checking and sorting all of them took 15–20 ms.
 */
export function lapsedQuery(m: EntityManager, today: IsoDate, feeReceivedBy: IsoDate, limit?: number): SelectQueryBuilder<InformationRequestEntity> {
  const pg = databaseOf(m) === 'postgres';
  const json = (key: string) => (pg ? `(e.payload::jsonb ->> '${key}')` : `json_extract(e.payload, '$.${key}')`);
  // Each request's notice looked up in the indexes of migration 1795761200000, the deadline (or
  // receipt) compared in the index. Written as EXISTS, PostgreSQL chose to hash every fee notice
  // of the platform (50 ms at 1M requests) however few requests the list needed; as a value
  // (MIN) it read each notice's payload (150 ms for the digest's full list; 31 ms now).
  const noticed = (type: string, condition: string) => `(SELECT 1 FROM request_event e WHERE e.request_id = r.id AND e.type = '${type}' AND ${condition} LIMIT 1) IS NOT NULL`;
  const correctionLapsed = noticed('correction_requested', `${json('correctionDueOn')} < :today`);
  const feeLapsed = noticed('fee_notice_issued', `COALESCE(NULLIF(${json('deliveredOn')}, ''), e.occurred_on) <= :feeReceivedBy`);
  const qb = m
    .createQueryBuilder(InformationRequestEntity, 'r')
    .select('r.id', 'id')
    .addSelect('r.tracking_number', 'trackingNumber')
    // One parenthesised condition: TypeORM joins the next andWhere (the agency's) without brackets,
    // and an OR at the top level let another agency's lapsed corrections through.
    .where(`((r.status = 'awaiting_correction' AND ${correctionLapsed}) OR (r.status = 'awaiting_fee' AND ${feeLapsed}))`, { today, feeReceivedBy });
  // SQLite reads a partial index only for a query that states its condition. PostgreSQL infers
  // it from the two branches; stated again, it expected a handful of rows and sorted them all.
  if (!pg) qb.andWhere(`r.status IN ${WAITING_STATUS_SQL}`);
  const agencyId = scopedAgencyId();
  if (agencyId !== null) qb.andWhere('r.agency_id = :agencyId', { agencyId });
  // Across agencies (the command line), sorted after the waiting requests were found, not by
  // walking every number of the unique index.
  qb.orderBy(agencyId !== null ? 'r.tracking_number' : "r.tracking_number || ''", 'ASC');
  if (limit !== undefined) qb.limit(limit);
  return qb;
}
