import { EntityManager } from 'typeorm';
import { ConclusionPosition, Section3RowCondition } from '../domain/report';
import { isPostgres, Params, tallyQuery } from '../requests/request-tally';

/**
 * The total of a Section 3 cell from the report tally of migration 1795761300000: requests per
 * (year received, year concluded, applicant type, outcome). A date's position in the report year
 * (before, in, after, open) is its year compared with the report year, so a cell is exactly a set
 * of tally rows. Read with the deltas not yet folded in: exact at any moment.
 */
function yearCondition(column: string, positions: readonly ConclusionPosition[], year: string, p: Params): string {
  const parts = positions.map((position) => {
    switch (position) {
      case 'before':
        return `(${column} <> '' AND ${column} < ${p.add(year)})`;
      case 'in':
        return `${column} = ${p.add(year)}`;
      case 'after':
        return `${column} > ${p.add(year)}`;
      case 'open':
        return `${column} = ''`;
    }
  });
  return parts.length ? `(${parts.join(' OR ')})` : '1 = 0';
}

export async function reportCellTotal(m: EntityManager, year: number, c: Section3RowCondition, applicantType: string | null, agencyId: number): Promise<number> {
  const p = new Params(isPostgres(m));
  const where = () =>
    [
      `agency_id = ${p.add(agencyId)}`,
      yearCondition('received_year', c.received, String(year), p),
      yearCondition('concluded_year', c.concluded, String(year), p),
      ...(c.outcomes ? [`outcome IN (${c.outcomes.map((o) => p.add(o)).join(', ')})`] : []),
      ...(applicantType ? [`applicant_type = ${p.add(applicantType)}`] : []),
    ].join(' AND ');
  const [row] = await tallyQuery<Array<{ n: string | number | null }>>(
    m,
    `SELECT SUM(n) AS n FROM (SELECT n FROM report_tally WHERE ${where()} UNION ALL SELECT n FROM report_tally_delta WHERE ${where()}) t`,
    p.values,
  );
  return Number(row?.n ?? 0);
}
