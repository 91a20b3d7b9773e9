import { COUNTED_IN_YEAR, ConclusionPosition, Section3RowCondition, YearPosition } from '../domain/report';

/**
 * SQL for the domain's Section 3 row conditions (src/domain/report/section3.ts), so that the
 * bucket query and the drill-down count exactly what rowsOf says. Dates are ISO strings, compared
 * as text; :start and :end are the first and last day of the year.
 */

const ORDER: YearPosition[] = ['before', 'in', 'after'];

/**
 * The dates of `column` in the given positions, as one range (positions are contiguous in
 * before < in < after, so any allowed set is a single range: index-friendly), or NULL for 'open'.
 */
export function positionSql(column: string, positions: readonly ConclusionPosition[]): string {
  const dated = ORDER.filter((p) => positions.includes(p));
  const open = positions.includes('open');
  if (dated.length && ORDER.indexOf(dated.at(-1)!) - ORDER.indexOf(dated[0]) !== dated.length - 1) {
    throw new Error(`positions ${dated.join(',')} are not contiguous`);
  }
  const bounds: string[] = [];
  if (dated[0] === 'in') bounds.push(`${column} >= :start`);
  if (dated[0] === 'after') bounds.push(`${column} > :end`);
  if (dated.at(-1) === 'in') bounds.push(`${column} <= :end`);
  if (dated.at(-1) === 'before') bounds.push(`${column} < :start`);
  const range = dated.length === 0 ? null : bounds.length ? bounds.join(' AND ') : `${column} IS NOT NULL`;
  if (!open) return range ?? '1 = 0';
  if (dated.length === ORDER.length) return '1 = 1';
  return range ? `(${column} IS NULL OR ${range})` : `${column} IS NULL`;
}

/** The position of a date in the year, as the bucket query groups it. */
export function positionCase(column: string, nullable: boolean): string {
  return `CASE ${nullable ? `WHEN ${column} IS NULL THEN 'open' ` : ''}WHEN ${column} < :start THEN 'before' WHEN ${column} > :end THEN 'after' ELSE 'in' END`;
}

/** WHERE text and parameters of one row's records (alias r). */
export function rowConditionSql(c: Section3RowCondition): { where: string; params: Record<string, unknown> } {
  const parts = [positionSql('r.received_on', c.received), positionSql('r.concluded_on', c.concluded)];
  if (c.outcomes) parts.push('r.outcome IN (:...rowOutcomes)');
  return { where: parts.join(' AND '), params: c.outcomes ? { rowOutcomes: [...c.outcomes] } : {} };
}

/** WHERE text of every record the year counts (D2–D4). */
export const COUNTED_SQL = rowConditionSql({ ...COUNTED_IN_YEAR, outcomes: null }).where;
