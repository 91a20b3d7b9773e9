import request from 'supertest';
import { ReportFormat, section3RowCondition, section3Rows, SECTION3_COLUMNS } from '../src/domain/report';
import { InformationRequestEntity } from '../src/requests/entities/information-request.entity';
import { foldTallies } from '../src/requests/request-tally';
import { rowConditionSql } from '../src/reports/section3-sql';
import { mulberry32, mutate, seed, TODAY } from './support/random-requests';
import { createTestApp, TestApp } from './support/test-app';

/**
 * Issue 15: a Section 3 cell's total comes from the report tally and its pages from the index of
 * the year received or concluded. On random records, changed at random and partly folded, every
 * cell of both formats equals the report's number and a plain query's count, and its pages list
 * the same applications in the same order as a sort of the plain query.
 */
describe('Report drill-down from the report tally and the year indexes', () => {
  let t: TestApp;
  let auth: { Authorization: string };

  beforeAll(async () => {
    t = await createTestApp();
    t.clock.setNow(`${TODAY}T02:00:00Z`);
    auth = { Authorization: `Bearer ${await t.token()}` };
    await seed(t, 900, 77);
    await mutate(t, mulberry32(5), 200);
    await foldTallies(t.dataSource.manager, 500);
  }, 120_000);
  afterAll(() => t.close());

  const plain = async (year: number, format: ReportFormat, row: string, column: string, page: number) => {
    const spec = section3Rows(format).find((s) => s.key === row)!;
    const { where, params } = rowConditionSql(section3RowCondition(spec));
    const qb = t.dataSource
      .createQueryBuilder(InformationRequestEntity, 'r')
      .where('r.received_on IS NOT NULL')
      .andWhere(where, { start: `${year}-01-01`, end: `${year}-12-31`, ...params });
    if (column !== 'total') qb.andWhere('r.applicant_type = :column', { column });
    const total = await qb.getCount();
    const items = (
      await qb
        .select(['r.id', 'r.trackingNumber'])
        .orderBy('r.tracking_number', 'ASC')
        .skip((page - 1) * 50)
        .take(50)
        .getMany()
    ).map((r) => ({ id: r.id, trackingNumber: r.trackingNumber }));
    return { items, total };
  };

  it.each([
    [2025, '2021'],
    [2026, '2021'],
    [2026, '2019'],
  ] as Array<[number, ReportFormat]>)(
    'every cell of %i (format %s): report number = tally total = plain count, same pages',
    async (year, format) => {
      const report = (await request(t.http).get(`/api/v1/reports/${year}/section3`).query({ format }).set(auth).expect(200)).body as { rows: Record<string, number[]> };
      let nonEmpty = 0;
      for (const spec of section3Rows(format)) {
        for (const [i, column] of SECTION3_COLUMNS.entries()) {
          const first = (await request(t.http).get(`/api/v1/reports/${year}/section3/cells/${spec.key}/${column}`).query({ format }).set(auth).expect(200)).body as { total: number };
          const expected = await plain(year, format, spec.key, column, 1);
          expect({ cell: `${spec.key}/${column}`, ...first }).toEqual({ cell: `${spec.key}/${column}`, ...expected });
          expect(first.total).toBe(report.rows[spec.key][i]);
          if (first.total > 100) {
            const page = Math.ceil(first.total / 50);
            const last = (await request(t.http).get(`/api/v1/reports/${year}/section3/cells/${spec.key}/${column}`).query({ format, page }).set(auth).expect(200)).body as unknown;
            expect(last).toEqual(await plain(year, format, spec.key, column, page));
          }
          if (first.total) nonEmpty++;
        }
      }
      expect(nonEmpty).toBeGreaterThan(20);
    },
    120_000,
  );
});
