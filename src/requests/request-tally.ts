import { scopedAgencyId } from '../agencies/agency-scope';
import { EntityManager } from 'typeorm';
import { readsCommitted } from '../database/read-data-source';
import { addDays, IsoDate } from '../domain/calendar';
import { OPEN_WORK_STATUSES } from '../domain/lifecycle';
import { ListRequestsQueryDto } from './dto/request.dto';

/**
 * Exact counts from the tallies of migration 1795761100000: the number of requests per
 * combination of the list's filter columns, without a date (kind `all`) or per month of one date
 * (`due`, `received`, `concluded`). A filter on whole months is a sum over a few hundred tally
 * rows; the days of a month cut by the filter are counted from the rows, by the date's index.
 * Triggers append the changes to a delta table in the writing transaction; a count reads the
 * tally and the deltas not yet folded in, so it is exact at any moment.
 */

type Filters = Omit<ListRequestsQueryDto, 'page'>;
type Kind = 'all' | 'due' | 'received' | 'concluded';

/** A count and, as the list needs them, how many have no due date and bounds of their due dates. */
export interface TallyCount {
  total: number;
  undated: number;
  /** Bounds of the matching requests' due dates (not necessarily the tightest). */
  minDue: IsoDate | null;
  maxDue: IsoDate | null;
}

/** A range of a date column of the request, both ends inclusive, either open. */
interface DateRange {
  kind: Exclude<Kind, 'all'>;
  column: 'due_on' | 'received_on' | 'concluded_on';
  lo: IsoDate | null;
  hi: IsoDate | null;
}

export const isPostgres = (m: EntityManager) => m.connection.options.type === 'postgres';

/** Open while a SQLite fold is between its two statements (foldTallies). */
let foldGate: Promise<void> | null = null;

/**
 * A read of a tally and its deltas, never between the two statements of a SQLite fold. Without a
 * fold in progress the query is issued at once, in the caller's turn, so it is queued on the
 * connection before any fold that starts later.
 */
let readers = 0;
let drained: (() => void) | null = null;

export function tallyQuery<T>(m: EntityManager, sql: string, values: unknown[]): Promise<T> {
  // PostgreSQL and SQLite's separate reader see a fold whole or not at all.
  if (readsCommitted(m.connection)) return m.query<T>(sql, values);
  if (foldGate) return foldGate.then(() => tallyQuery<T>(m, sql, values));
  readers++;
  return m.query<T>(sql, values).finally(() => {
    if (--readers === 0 && drained) drained();
  });
}

/** The tallies are kept per agency: a staff count is its agency's rows (D22); no scope sums the platform. */
function agencyCondition(p: Params): string[] {
  const agencyId = scopedAgencyId();
  return agencyId === null ? [] : [`agency_id = ${p.add(agencyId)}`];
}

const andAgency = (p: Params) =>
  agencyCondition(p)
    .map((c) => ` AND ${c}`)
    .join('');

export class Params {
  readonly values: unknown[] = [];
  constructor(private readonly pg: boolean) {}
  add(value: unknown): string {
    this.values.push(value);
    return this.pg ? `$${this.values.length}` : '?';
  }
}

const month = (d: IsoDate) => d.slice(0, 7);
const nextMonth = (ym: string) => month(addDays(`${ym}-28`, 7));
const prevMonth = (ym: string) => month(addDays(`${ym}-01`, -1));
const lastDayOf = (ym: string) => addDays(`${nextMonth(ym)}-01`, -1);

/** The one date range a filter sets, `undefined` without one, `null` when it sets two (not answered by a tally). */
function dateRangeOf(f: Filters, today: IsoDate): DateRange | undefined | null {
  const ranges: DateRange[] = [];
  const dueLimits = [f.dueBefore, f.overdue === 'true' ? today : undefined].filter((d): d is string => !!d).sort();
  if (dueLimits.length) ranges.push({ kind: 'due', column: 'due_on', lo: null, hi: addDays(dueLimits[0], -1) });
  if (f.receivedFrom || f.receivedTo) ranges.push({ kind: 'received', column: 'received_on', lo: f.receivedFrom ?? null, hi: f.receivedTo ?? null });
  if (f.concludedFrom || f.concludedTo) ranges.push({ kind: 'concluded', column: 'concluded_on', lo: f.concludedFrom ?? null, hi: f.concludedTo ?? null });
  if (ranges.length > 1) return null;
  return ranges[0];
}

/**
 * The months of a range counted from the tally ([first, last], either open) and the days left
 * at its ends, as conditions to add to the range's own: before `first` and after `last`.
 */
export function splitByMonth(lo: IsoDate | null, hi: IsoDate | null): { first: string | null; last: string | null; headBefore: IsoDate | null; tailFrom: IsoDate | null } | null {
  const first = lo === null ? null : lo.endsWith('-01') ? month(lo) : nextMonth(month(lo));
  const last = hi === null ? null : hi === lastDayOf(month(hi)) ? month(hi) : prevMonth(month(hi));
  if (first !== null && last !== null && first > last) return null;
  return {
    first,
    last,
    headBefore: lo !== null && first !== null && !lo.endsWith('-01') ? `${first}-01` : null,
    tailFrom: hi !== null && last !== null && hi !== lastDayOf(month(hi)) ? `${nextMonth(last)}-01` : null,
  };
}

/** The tally condition of the filter's columns (not its date range) for one kind, or null when the tally cannot answer it. */
function dimensionCondition(f: Filters, kind: Kind, p: Params): string | null {
  const where = [`kind = ${p.add(kind)}`, ...agencyCondition(p)];
  if (f.status === 'open' || f.overdue === 'true') where.push(`status IN (${OPEN_WORK_STATUSES.map((s) => p.add(s)).join(', ')})`);
  if (f.status && f.status !== 'open') where.push(`status = ${p.add(f.status)}`);
  if (f.channel) where.push(`channel = ${p.add(f.channel)}`);
  if (f.applicantType) where.push(`applicant_type = ${p.add(f.applicantType)}`);
  if (f.assignee) where.push(`assignee = ${p.add(f.assignee === 'none' ? '' : f.assignee)}`);
  if (f.outcome) {
    if (kind !== 'all' && kind !== 'concluded') return null;
    where.push(`outcome = ${p.add(f.outcome)}`);
  }
  return where.join(' AND ');
}

/** Sums over the tally and its deltas of one condition (written per table with fresh parameters). */
async function sumTally(m: EntityManager, condition: (p: Params) => string | null): Promise<TallyCount | null> {
  const p = new Params(isPostgres(m));
  const a = condition(p);
  const b = a === null ? null : condition(p);
  if (a === null || b === null) return null;
  const columns = 'n, undated, min_due, max_due';
  const [row] = await tallyQuery<Array<{ n: string | number | null; undated: string | number | null; lo: string | null; hi: string | null }>>(
    m,
    `SELECT SUM(n) AS n, SUM(CASE WHEN undated = 1 THEN n ELSE 0 END) AS undated, MIN(min_due) AS lo, MAX(max_due) AS hi FROM (SELECT ${columns} FROM request_tally WHERE ${a} UNION ALL SELECT ${columns} FROM request_tally_delta WHERE ${b}) t`,
    p.values,
  );
  return { total: Number(row?.n ?? 0), undated: Number(row?.undated ?? 0), minDue: row?.lo ?? null, maxDue: row?.hi ?? null };
}

/** Counts of rows of the list's query with one more condition (the days a month cut leaves). */
export type RowCount = (extra: { where: string; params: Record<string, string> }) => Promise<TallyCount>;

/**
 * The count of the list's filter from the tallies, plus the rows of the cut months counted by
 * `rows`; null for what a tally does not hold: a search, two date ranges, an outcome with a due
 * or received range, `overdue=false` (the caller subtracts the overdue ones).
 */
export async function tallyCount(m: EntityManager, f: Filters, today: IsoDate, rows: RowCount): Promise<TallyCount | null> {
  if (f.q || f.overdue === 'false') return null;
  const range = dateRangeOf(f, today);
  if (range === null) return null;
  if (range === undefined) return sumTally(m, (p) => dimensionCondition(f, 'all', p));
  const split = splitByMonth(range.lo, range.hi);
  // A range within one or two months: its rows are few, count them.
  if (!split) return rows({ where: '1 = 1', params: {} });
  const whole = await sumTally(m, (p) => {
    const dims = dimensionCondition(f, range.kind, p);
    if (dims === null) return null;
    return [dims, ...(split.first ? [`month >= ${p.add(split.first)}`] : []), ...(split.last ? [`month <= ${p.add(split.last)}`] : [])].join(' AND ');
  });
  if (!whole) return null;
  const parts = [whole];
  if (split.headBefore) parts.push(await rows({ where: `r.${range.column} < :tallyHeadBefore`, params: { tallyHeadBefore: split.headBefore } }));
  if (split.tailFrom) parts.push(await rows({ where: `r.${range.column} >= :tallyTailFrom`, params: { tallyTailFrom: split.tailFrom } }));
  const bound = (pick: (c: TallyCount) => IsoDate | null, better: (a: IsoDate, b: IsoDate) => boolean) =>
    parts.map(pick).reduce<IsoDate | null>((acc, d) => (d === null ? acc : acc === null || better(d, acc) ? d : acc), null);
  return {
    total: parts.reduce((n, c) => n + c.total, 0),
    undated: parts.reduce((n, c) => n + c.undated, 0),
    minDue: bound(
      (c) => c.minDue,
      (a, b) => a < b,
    ),
    maxDue: bound(
      (c) => c.maxDue,
      (a, b) => a > b,
    ),
  };
}

/** Requests received per month of a year and applicant type, from the tally. */
export async function receivedPerMonth(m: EntityManager, year: number): Promise<Array<{ month: string; type: string; n: number }>> {
  const p = new Params(isPostgres(m));
  const cond = () => `kind = 'received' AND month >= ${p.add(`${year}-01`)} AND month <= ${p.add(`${year}-12`)}${andAgency(p)}`;
  const rows = await tallyQuery<Array<{ month: string; type: string; n: string | number }>>(
    m,
    `SELECT month, applicant_type AS type, SUM(n) AS n FROM (SELECT month, applicant_type, n FROM request_tally WHERE ${cond()} UNION ALL SELECT month, applicant_type, n FROM request_tally_delta WHERE ${cond()}) t GROUP BY month, applicant_type`,
    p.values,
  );
  return rows.map((r) => ({ month: r.month, type: r.type, n: Number(r.n) }));
}

/** Outcomes of the requests concluded (and received) in a year, from the tally. */
export async function outcomesOfYear(m: EntityManager, year: number): Promise<Map<string, number>> {
  const p = new Params(isPostgres(m));
  const cond = () => `kind = 'concluded' AND unreceived = 0 AND month >= ${p.add(`${year}-01`)} AND month <= ${p.add(`${year}-12`)}${andAgency(p)}`;
  const rows = await tallyQuery<Array<{ outcome: string; n: string | number }>>(
    m,
    `SELECT outcome, SUM(n) AS n FROM (SELECT outcome, n FROM request_tally WHERE ${cond()} UNION ALL SELECT outcome, n FROM request_tally_delta WHERE ${cond()}) t GROUP BY outcome`,
    p.values,
  );
  return new Map(rows.map((r) => [r.outcome, Number(r.n)]));
}

const TALLY_DIMENSIONS = 'agency_id, kind, month, status, channel, applicant_type, assignee, outcome, undated, unreceived';
const REPLY_DIMENSIONS = 'agency_id, concluded_on, received_on, dated, on_time';
const lesser = (a: string, b: string) => `CASE WHEN ${a} IS NULL THEN ${b} WHEN ${b} IS NULL OR ${a} <= ${b} THEN ${a} ELSE ${b} END`;
const greater = (a: string, b: string) => `CASE WHEN ${a} IS NULL THEN ${b} WHEN ${b} IS NULL OR ${a} >= ${b} THEN ${a} ELSE ${b} END`;

/**
 * Folds up to `batch` of the oldest deltas of each tally into it, in one transaction; returns how
 * many were folded. On PostgreSQL the deltas are taken by `DELETE … RETURNING`, so two instances
 * folding at once never fold a delta twice, and groups are written in key order.
 */
export async function foldTallies(m: EntityManager, batch: number): Promise<number> {
  const pg = isPostgres(m);
  let folded = 0;
  for (const [tally, delta, dims, aggregates, update] of [
    [
      'request_tally',
      'request_tally_delta',
      TALLY_DIMENSIONS,
      'MIN(min_due), MAX(max_due), SUM(n)',
      `n = request_tally.n + excluded.n, min_due = ${lesser('request_tally.min_due', 'excluded.min_due')}, max_due = ${greater('request_tally.max_due', 'excluded.max_due')}`,
    ],
    ['reply_tally', 'reply_tally_delta', REPLY_DIMENSIONS, 'SUM(n)', 'n = reply_tally.n + excluded.n'],
    // The report's cells (migration 1795761300000, src/reports/report-cell-tally.ts).
    ['report_tally', 'report_tally_delta', 'agency_id, received_year, concluded_year, applicant_type, outcome', 'SUM(n)', 'n = report_tally.n + excluded.n'],
  ] as const) {
    const columns = `${dims}, ${tally === 'request_tally' ? 'min_due, max_due, ' : ''}n`;
    const upsert = (source: string, where: string) =>
      `INSERT INTO ${tally} (${columns}) SELECT ${dims}, ${aggregates} FROM ${source} WHERE ${where} GROUP BY ${dims} ORDER BY ${dims} ON CONFLICT (${dims}) DO UPDATE SET ${update}`;
    if (pg) {
      const [{ n }] = await m.query<Array<{ n: string }>>(
        `WITH d AS (DELETE FROM ${delta} WHERE id IN (SELECT id FROM ${delta} ORDER BY id LIMIT $1) RETURNING *), u AS (${upsert('d', 'TRUE')} RETURNING 1) SELECT (SELECT COUNT(*) FROM d) AS n`,
        [batch],
      );
      folded += Number(n);
    } else {
      const [{ last, n }] = await m.query<Array<{ last: number | null; n: number }>>(`SELECT MAX(id) AS last, COUNT(*) AS n FROM (SELECT id FROM ${delta} ORDER BY id LIMIT ?) t`, [batch]);
      if (last === null) continue;
      // The app's reads share SQLite's one connection: a count run between these two statements
      // would see the deltas in the tally and still in the delta table. Reads wait at the gate.
      let open!: () => void;
      foldGate = new Promise<void>((resolve) => (open = resolve));
      // Reads already on their way finish first; later ones wait at the gate.
      if (readers > 0) await new Promise<void>((resolve) => (drained = resolve));
      drained = null;
      try {
        await m.query(upsert(delta, 'id <= ?'), [last]);
        await m.query(`DELETE FROM ${delta} WHERE id <= ?`, [last]);
      } finally {
        foldGate = null;
        open();
      }
      folded += Number(n);
    }
  }
  return folded;
}

/** The earliest and the latest date (of receipt or reply) of the replies concluded in [start, end], or null without any. */
export async function replyDateRange(m: EntityManager, start: IsoDate, end: IsoDate): Promise<{ lo: IsoDate; hi: IsoDate } | null> {
  const p = new Params(isPostgres(m));
  const cond = () => `concluded_on >= ${p.add(start)} AND concluded_on <= ${p.add(end)}${andAgency(p)}`;
  const [row] = await tallyQuery<Array<{ lo: string | null; hi: string | null }>>(
    m,
    `SELECT MIN(CASE WHEN received_on < concluded_on THEN received_on ELSE concluded_on END) AS lo, MAX(CASE WHEN received_on > concluded_on THEN received_on ELSE concluded_on END) AS hi FROM (SELECT received_on, concluded_on FROM reply_tally WHERE ${cond()} AND n <> 0 UNION ALL SELECT received_on, concluded_on FROM reply_tally_delta WHERE ${cond()}) t`,
    p.values,
  );
  return row?.lo && row.hi ? { lo: row.lo, hi: row.hi } : null;
}

/** SQLite: the connection whose temporary ordinal table holds which ordinals (see replyWorkingDays). */
const ordinalTables = new WeakMap<object, { key: string; turn: Promise<unknown> }>();

/**
 * Replies concluded in [start, end] grouped by working days from receipt to reply: `ordinals`
 * numbers every day from `ordinals[0]` on by the working days before it (from the calendar,
 * which SQL does not know), so a pair's working days are a difference of two ordinals, taken in
 * SQL: a few dozen rows come back however many replies. `missing` counts replies whose date of
 * receipt or reply lies outside the ordinals (one recorded since the caller read the date range):
 * the caller numbers more days and asks again, so one statement gives one consistent answer.
 * PostgreSQL joins a VALUES list; SQLite's planner cannot index one (it scanned the day list once
 * per pair), so the ordinals go into a temporary table of the connection, filled again only when
 * they change, its fill and read taken one caller at a time.
 */
export async function replyWorkingDays(
  m: EntityManager,
  start: IsoDate,
  end: IsoDate,
  ordinals: Array<[IsoDate, number]>,
): Promise<{ groups: Array<{ days: number; n: number; dated: number; onTime: number }>; missing: number }> {
  if (!ordinals.length) return { groups: [], missing: 0 };
  const pg = isPostgres(m);
  const p = new Params(pg);
  const values = pg ? ordinals.map(([day, k]) => `(${p.add(day)}, CAST(${p.add(k)} AS integer))`).join(', ') : '';
  const days = pg ? 'w' : 'temp.work_day_ordinal';
  const cond = () => `concluded_on >= ${p.add(start)} AND concluded_on <= ${p.add(end)}${andAgency(p)}`;
  const columns = 'concluded_on, received_on, dated, on_time, n';
  const sql = `${pg ? `WITH w (day, k) AS (VALUES ${values}) ` : ''}SELECT CASE WHEN t.concluded_on < t.received_on THEN 0 WHEN wc.k IS NULL OR wr.k IS NULL THEN -1 ELSE wc.k - wr.k END AS days, SUM(t.n) AS n, SUM(CASE WHEN t.dated = 1 THEN t.n ELSE 0 END) AS dated, SUM(CASE WHEN t.on_time = 1 THEN t.n ELSE 0 END) AS on_time FROM (SELECT ${columns} FROM reply_tally WHERE ${cond()} UNION ALL SELECT ${columns} FROM reply_tally_delta WHERE ${cond()}) t LEFT JOIN ${days} wc ON wc.day = t.concluded_on LEFT JOIN ${days} wr ON wr.day = t.received_on GROUP BY 1`;
  const read = async () => {
    const rows = await tallyQuery<Array<{ days: string | number; n: string | number; dated: string | number; on_time: string | number }>>(m, sql, p.values);
    const all = rows.map((r) => ({ days: Number(r.days), n: Number(r.n), dated: Number(r.dated), onTime: Number(r.on_time) }));
    return { groups: all.filter((g) => g.days >= 0), missing: all.filter((g) => g.days < 0).reduce((n, g) => n + g.n, 0) };
  };
  if (pg) return read();
  const connection = m.connection.driver as object;
  const table = ordinalTables.get(connection) ?? { key: '', turn: Promise.resolve() };
  ordinalTables.set(connection, table);
  const key = `${ordinals[0][0]}:${ordinals.map(([, k]) => k).join(',')}`;
  const turn = table.turn.then(async () => {
    if (table.key !== key) {
      table.key = '';
      await m.query('CREATE TEMP TABLE IF NOT EXISTS work_day_ordinal (day varchar(10) PRIMARY KEY, k integer NOT NULL) WITHOUT ROWID');
      await m.query('DELETE FROM temp.work_day_ordinal');
      for (let i = 0; i < ordinals.length; i += 400) {
        const chunk = ordinals.slice(i, i + 400);
        await m.query(`INSERT INTO temp.work_day_ordinal (day, k) VALUES ${chunk.map(() => '(?, ?)').join(', ')}`, chunk.flat());
      }
      table.key = key;
    }
    return read();
  });
  table.turn = turn.catch(() => undefined);
  return turn;
}
