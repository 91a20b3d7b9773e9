import fc from 'fast-check';
import { randomUUID } from 'node:crypto';
import { APPLICANT_TYPES, OUTCOMES } from '../src/domain/lifecycle';
import { bucketsFromRecords, compileSection3, REPORT_FORMATS, ReportRecord, rowsOf, bucketOf, section3Rows, SECTION3_COLUMNS } from '../src/domain/report';
import { ReportsService } from '../src/reports/reports.service';
import { ApplicantEntity } from '../src/requests/entities/applicant.entity';
import { InformationRequestEntity } from '../src/requests/entities/information-request.entity';
import { createTestApp, TestApp } from './support/test-app';

/**
 * Issue 14: the Section 3 classification is written once, in the domain. For random records in
 * the database (SQLite here, PostgreSQL under test:pg), the bucket query equals
 * bucketsFromRecords, and every drill-down cell lists exactly the records rowsOf puts in it.
 */
const YEAR = 2025;
// Days of 2024–2026, half of them on the year's edges, where a wrong comparison shows.
const day = fc.oneof(
  fc.integer({ min: 0, max: 3 * 365 }).map((n) => new Date(Date.UTC(2024, 0, 1) + n * 86_400_000).toISOString().slice(0, 10)),
  fc.constantFrom('2024-12-31', '2025-01-01', '2025-12-31', '2026-01-01'),
);
const record = fc
  .record({
    applicantType: fc.constantFrom(...APPLICANT_TYPES),
    receivedOn: fc.option(day, { freq: 6 }),
    conclusion: fc.option(fc.tuple(fc.oneof(fc.constant(0), fc.constant(1), fc.integer({ min: 0, max: 500 })), fc.constantFrom(...OUTCOMES)), { freq: 3 }),
  })
  .map(({ applicantType, receivedOn, conclusion }) => {
    // A request is concluded on or after the day it was received; an unconfirmed one is not concluded.
    const concludedOn = receivedOn && conclusion ? new Date(Date.parse(receivedOn) + conclusion[0] * 86_400_000).toISOString().slice(0, 10) : null;
    return { applicantType, receivedOn, concludedOn, outcome: concludedOn ? conclusion![1] : null };
  });

describe('Section 3 from SQL equals Section 3 from the domain (random records)', () => {
  let t: TestApp;
  let reports: ReportsService;

  beforeAll(async () => {
    t = await createTestApp();
    reports = t.app.get(ReportsService);
  });
  afterAll(async () => t.close());

  async function store(records: Array<Omit<ReportRecord, 'id'>>): Promise<Array<ReportRecord & { trackingNumber: string }>> {
    const m = t.dataSource.manager;
    await m.createQueryBuilder().delete().from(InformationRequestEntity).execute();
    await m.createQueryBuilder().delete().from(ApplicantEntity).execute();
    const now = '2026-01-05T00:00:00.000Z';
    const stored = records.map((r, i) => ({ ...r, id: randomUUID(), applicantId: randomUUID(), trackingNumber: `2025-${String(i + 1).padStart(6, '0')}` }));
    for (const r of stored) {
      await m.insert(ApplicantEntity, { id: r.applicantId, type: r.applicantType, name: '测试', createdAt: now });
      await m.insert(InformationRequestEntity, {
        id: r.id,
        trackingNumber: r.trackingNumber,
        accessCodeHash: 'x'.repeat(64),
        applicantId: r.applicantId,
        applicantType: r.applicantType,
        channel: 'in_person',
        submittedAt: now,
        receivedOn: r.receivedOn,
        status: r.concludedOn ? 'concluded' : r.receivedOn ? 'in_progress' : 'submitted',
        description: '随机记录',
        deliveryMethod: 'email',
        dueOn: null,
        outcome: r.outcome,
        concludedOn: r.concludedOn,
        createdAt: now,
        updatedAt: now,
      });
    }
    return stored;
  }

  const key = (b: { applicantType: string; received: string; concluded: string; outcome: string | null; count: number }) => `${b.applicantType}|${b.received}|${b.concluded}|${b.outcome}|${b.count}`;

  it('buckets and every drill-down cell agree with the domain', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(record, { minLength: 1, maxLength: 30 }), fc.constantFrom(...REPORT_FORMATS), async (records, format) => {
        const stored = await store(records);
        const sql = await reports.section3Buckets(YEAR);
        expect(sql.map(key).sort()).toEqual(bucketsFromRecords(stored, YEAR).map(key).sort());

        const table = compileSection3(bucketsFromRecords(stored, YEAR), YEAR, format);
        for (const spec of section3Rows(format)) {
          for (const column of ['total', stored[0].applicantType]) {
            const expected = stored
              .filter((r) => {
                const b = bucketOf(r, YEAR);
                return b !== null && rowsOf(b, format).includes(spec.key) && (column === 'total' || r.applicantType === column);
              })
              .map((r) => r.trackingNumber)
              .sort();
            const cell = await reports.section3Cell(YEAR, format, spec.key, column);
            expect({ row: spec.key, column, total: cell.total, numbers: cell.items.map((i) => i.trackingNumber) }).toEqual({
              row: spec.key,
              column,
              total: expected.length,
              numbers: expected.slice(0, 20),
            });
            expect(cell.total).toBe(table.rows[spec.key][SECTION3_COLUMNS.indexOf(column as (typeof SECTION3_COLUMNS)[number])]);
          }
        }
      }),
      { numRuns: 25 },
    );
  }, 300_000);
});
