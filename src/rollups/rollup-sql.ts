import { EntityManager, SelectQueryBuilder } from 'typeorm';
import { ReportFormat, section3RowCondition, section3Rows, Section3Bucket, SECTION3_COLUMNS, YearPosition } from '../domain/report';
import { NotFoundError } from '../domain/errors';
import { InformationRequestEntity } from '../requests/entities/information-request.entity';
import { isPostgres, Params, tallyQuery } from '../requests/request-tally';
import { COUNTED_SQL, rowConditionSql } from '../reports/section3-sql';

/**
 * The SQL of a roll-up (D22): one statement over the requests of a subtree, grouped by agency as
 * well as by the report's buckets, so each agency's own table and the sum come from one read of
 * the report index (agency_id, received_on, concluded_on, applicant_type, outcome).
 */

/** Which agencies a query covers: null = every agency on the platform (the root's roll-up), no condition. */
export type AgencySet = readonly number[] | null;

/** `r.agency_id IN (…)` with the ids written out: integers read from the agency table, hundreds at most (no bind-parameter limit). */
export function agencyInSql(alias: string, ids: AgencySet): string {
  if (ids === null) return '1 = 1';
  if (!ids.length) return '1 = 0';
  return `${alias}.agency_id IN (${ids.map((id) => String(Math.trunc(Number(id)))).join(', ')})`;
}

export type AgencyBucket = Section3Bucket & { agencyId: number };

const POSITIONS: Array<YearPosition | 'open'> = ['before', 'in', 'after', 'open'];

/** Section 3 buckets of every agency of the set, one GROUP BY (the same columns as ReportsService.section3Buckets, plus the agency). */
export async function rollupBuckets(m: EntityManager, year: number, ids: AgencySet): Promise<AgencyBucket[]> {
  const rows = await m
    .createQueryBuilder(InformationRequestEntity, 'r')
    .select('r.agency_id', 'a')
    .addSelect('r.applicant_type', 't')
    // Positions as small integers, named below (cheaper to group than positionCase's labels). COUNTED_SQL
    // leaves only receipts up to the year's end and conclusions from its start (or none), so two
    // branches place the receipt and three the conclusion.
    .addSelect(`CASE WHEN r.received_on < :start THEN 0 ELSE 1 END`, 'rb')
    .addSelect(`CASE WHEN r.concluded_on IS NULL THEN 3 WHEN r.concluded_on > :end THEN 2 ELSE 1 END`, 'cb')
    .addSelect(`CASE WHEN r.concluded_on <= :end THEN r.outcome ELSE NULL END`, 'oc')
    .addSelect('COUNT(*)', 'n')
    .where(COUNTED_SQL)
    .andWhere(agencyInSql('r', ids))
    .setParameters({ start: `${year}-01-01`, end: `${year}-12-31` })
    .groupBy('a')
    .addGroupBy('t')
    .addGroupBy('rb')
    .addGroupBy('cb')
    .addGroupBy('oc')
    .getRawMany<{ a: string | number; t: string; rb: string | number; cb: string | number; oc: string | null; n: string | number }>();
  return rows.map((r) => ({ agencyId: Number(r.a), applicantType: r.t, received: POSITIONS[Number(r.rb)] as YearPosition, concluded: POSITIONS[Number(r.cb)], outcome: r.oc, count: Number(r.n) }));
}

/** Replies of the year per agency from the reply tally (and its deltas): how many, how many had a due date, how many on time. */
export async function repliesByAgency(m: EntityManager, year: number, ids: AgencySet): Promise<Map<number, { concluded: number; dated: number; onTime: number }>> {
  const p = new Params(isPostgres(m));
  const cond = () => `concluded_on >= ${p.add(`${year}-01-01`)} AND concluded_on <= ${p.add(`${year}-12-31`)} AND ${agencyInSql('t0', ids)}`;
  const columns = 'agency_id, dated, on_time, n';
  const rows = await tallyQuery<Array<{ a: string | number; n: string | number; dated: string | number; on_time: string | number }>>(
    m,
    `SELECT agency_id AS a, SUM(n) AS n, SUM(CASE WHEN dated = 1 THEN n ELSE 0 END) AS dated, SUM(CASE WHEN on_time = 1 THEN n ELSE 0 END) AS on_time FROM (SELECT ${columns} FROM reply_tally t0 WHERE ${cond()} UNION ALL SELECT ${columns} FROM reply_tally_delta t0 WHERE ${cond()}) t GROUP BY agency_id`,
    p.values,
  );
  return new Map(rows.map((r) => [Number(r.a), { concluded: Number(r.n), dated: Number(r.dated), onTime: Number(r.on_time) }]));
}

/** The requests of one Section 3 cell over a set of agencies (alias r). */
function cellQuery(m: EntityManager, year: number, format: ReportFormat, row: string, column: string, ids: AgencySet): SelectQueryBuilder<InformationRequestEntity> {
  const spec = section3Rows(format).find((s) => s.key === row);
  if (!spec || !(SECTION3_COLUMNS as readonly string[]).includes(column)) throw new NotFoundError(`单元格不存在：${row}/${column}`);
  const { where, params } = rowConditionSql(section3RowCondition(spec));
  const qb = m
    .createQueryBuilder(InformationRequestEntity, 'r')
    .where(agencyInSql('r', ids))
    .andWhere('r.received_on IS NOT NULL')
    .andWhere(where, { start: `${year}-01-01`, end: `${year}-12-31`, ...params });
  if (column !== 'total') qb.andWhere('r.applicant_type = :column', { column });
  return qb;
}

/** How many requests of the cell each agency holds: one GROUP BY. */
export async function cellCountsByAgency(m: EntityManager, year: number, format: ReportFormat, row: string, column: string, ids: AgencySet): Promise<Map<number, number>> {
  const rows = await cellQuery(m, year, format, row, column, ids).select('r.agency_id', 'a').addSelect('COUNT(*)', 'n').groupBy('r.agency_id').getRawMany<{ a: string | number; n: string | number }>();
  return new Map(rows.map((r) => [Number(r.a), Number(r.n)]));
}

/** Page `page` (of `size`) of each agency's requests in the cell, in tracking-number order: one statement, numbered per agency. */
export async function cellPagesByAgency(
  m: EntityManager,
  year: number,
  format: ReportFormat,
  row: string,
  column: string,
  ids: AgencySet,
  page: number,
  size: number,
): Promise<Map<number, Array<{ id: string; trackingNumber: string }>>> {
  const [sql, params] = cellQuery(m, year, format, row, column, ids)
    .select('r.agency_id', 'a')
    .addSelect('r.id', 'id')
    .addSelect('r.tracking_number', 'tn')
    .addSelect('ROW_NUMBER() OVER (PARTITION BY r.agency_id ORDER BY r.tracking_number)', 'rn')
    .getQueryAndParameters();
  const lo = (Math.max(1, Math.trunc(page)) - 1) * size;
  const rows = await m.query<Array<{ a: string | number; id: string; tn: string }>>(`SELECT t.a, t.id, t.tn FROM (${sql}) t WHERE t.rn > ${lo} AND t.rn <= ${lo + size} ORDER BY t.a, t.tn`, params);
  const out = new Map<number, Array<{ id: string; trackingNumber: string }>>();
  for (const r of rows) {
    const list = out.get(Number(r.a)) ?? [];
    list.push({ id: r.id, trackingNumber: r.tn });
    out.set(Number(r.a), list);
  }
  return out;
}
