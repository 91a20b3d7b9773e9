import fc from 'fast-check';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { AgencyEntity } from '../src/agencies/entities/agency.entity';
import { OUTCOMES } from '../src/domain/lifecycle';
import { AgencySettingEntity } from '../src/reports/entities/agency-setting.entity';
import { InformationRequestEntity } from '../src/requests/entities/information-request.entity';
import { ReviewCaseEntity } from '../src/review-cases/entities/review-case.entity';
import { Auth, bearer } from './support/builders';
import { createTestApp, TestApp } from './support/test-app';

type Rows = Record<string, number[]>;
type Section4 = Record<'review' | 'litigation_direct' | 'litigation_after_review', Record<string, number>>;

const TYPES = ['natural_person', 'commercial_enterprise', 'research_institution', 'social_welfare_org', 'legal_service_org', 'other_org'];
const DATES = ['2023-05-04', '2023-12-30', '2024-01-02', '2024-06-10', '2024-12-31', '2025-01-01', '2025-03-15', '2025-12-31', '2026-01-05', '2026-05-20'];
const KINDS = ['administrative_review', 'litigation_direct', 'litigation_after_review'];

const recordArb = fc.record({
  agency: fc.nat(),
  type: fc.constantFrom(...TYPES),
  received: fc.option(fc.constantFrom(...DATES), { nil: null }),
  lag: fc.option(fc.integer({ min: 0, max: 500 }), { nil: null }),
  outcome: fc.constantFrom(...OUTCOMES),
});
const caseArb = fc.record({
  agency: fc.nat(),
  kind: fc.constantFrom(...KINDS),
  filed: fc.constantFrom(...DATES),
  lag: fc.option(fc.integer({ min: 0, max: 400 }), { nil: null }),
  result: fc.constantFrom('upheld', 'corrected', 'other'),
  coDefendant: fc.boolean(),
});
const treeArb = fc.array(fc.nat(), { minLength: 1, maxLength: 7 }); // parent index of each new agency, among those before it

function plusDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/**
 * Issue 16, phase 2 (D22): a roll-up is the per-cell sum of the agencies' own tables, for random
 * trees, records, cases and Section 4 settings, in both formats; each agency's part equals its own report.
 */
describe('Roll-ups: the sum of the agencies’ own tables', () => {
  let t: TestApp;
  let admin: Auth;
  let run = 0;

  beforeAll(async () => {
    t = await createTestApp();
    admin = bearer(await t.adminToken());
  }, 60_000);
  afterAll(() => t.close());

  const get = async (path: string) => (await request(t.http).get(path).set(admin).expect(200)).body;

  it('roll-up = Σ own tables per cell (Section 3 both formats, Section 4), for the top node and a middle one', async () => {
    await fc.assert(
      fc.asyncProperty(
        treeArb,
        fc.array(recordArb, { maxLength: 40 }),
        fc.array(caseArb, { maxLength: 8 }),
        fc.array(fc.boolean(), { minLength: 8, maxLength: 8 }),
        async (parents, records, cases, bases) => {
          run++;
          const m = t.dataSource.manager;
          // A fresh subtree under the root per run: earlier runs' records sit in other subtrees and must not leak in.
          const ids: number[] = [];
          const codes: string[] = [];
          for (let i = 0; i <= parents.length; i++) {
            const code = `p${run}x${i}`;
            const parentId = i === 0 ? 1 : ids[parents[i - 1] % i];
            await m.insert(AgencyEntity, { code, name: `机关${run}-${i}`, parentId, createdAt: '2026-01-01T00:00:00Z' });
            ids.push((await m.findOneByOrFail(AgencyEntity, { code })).id);
            codes.push(code);
          }
          for (let i = 0; i < ids.length; i++)
            if (bases[i % bases.length]) await m.insert(AgencySettingEntity, { agencyId: ids[i], key: 'section4_basis', value: 'concluded_or_pending', updatedAt: 'x', updatedBy: 'x' });
          const now = new Date().toISOString();
          const rows = records.map((r, i) => {
            const concludedOn = r.received && r.lag !== null ? plusDays(r.received, r.lag) : null;
            const open = !concludedOn || concludedOn > '2026-06-15';
            return {
              id: randomUUID(),
              agencyId: ids[r.agency % ids.length],
              trackingNumber: `R${run}-${i}`,
              accessCodeHash: '0'.repeat(64),
              applicantId: randomUUID(),
              applicantType: r.type,
              channel: 'online',
              submittedAt: now,
              receivedOn: r.received,
              status: !r.received ? 'awaiting_confirmation' : open ? 'in_progress' : 'concluded',
              description: '随机记录',
              deliveryMethod: 'electronic',
              dueOn: r.received ? plusDays(r.received, 28) : null,
              dueIsProvisional: false,
              outcome: open ? null : r.outcome,
              concludedOn: open ? null : concludedOn,
              version: 1,
              createdAt: now,
              updatedAt: now,
            };
          });
          if (rows.length) await m.insert(InformationRequestEntity, rows);
          for (const c of cases) {
            const concludedOn = c.lag !== null ? plusDays(c.filed, c.lag) : null;
            await m.insert(ReviewCaseEntity, {
              id: randomUUID(),
              agencyId: ids[c.agency % ids.length],
              kind: c.kind,
              filedOn: c.filed,
              agencyRole: c.coDefendant ? 'co_defendant_review_organ' : 'original_agency',
              result: concludedOn && concludedOn <= '2026-06-15' ? c.result : null,
              concludedOn: concludedOn && concludedOn <= '2026-06-15' ? concludedOn : null,
              createdAt: now,
              createdBy: '测试',
              version: 1,
            });
          }
          const middle = codes[Math.min(codes.length - 1, 1 + (parents[0] % codes.length))];
          for (const node of [codes[0], middle]) {
            const subtree = (await get(`/api/v1/agencies/${node}/rollup/2025/section4`)).agencies.map((a: { code: string }) => a.code) as string[];
            for (const format of ['2019', '2021']) {
              const rollup = await get(`/api/v1/agencies/${node}/rollup/2025/section3?format=${format}`);
              const sum: Rows = {};
              for (const code of subtree) {
                const own = (await get(`/api/v1/agencies/${code}/reports/2025/section3?format=${format}`)).rows as Rows;
                expect(rollup.agencies.find((a: { code: string }) => a.code === code).rows).toEqual(own);
                for (const [k, v] of Object.entries(own)) sum[k] = v.map((n, c) => (sum[k]?.[c] ?? 0) + n);
              }
              expect(rollup.rows).toEqual(sum);
              expect(rollup.columns).toHaveLength(7);
            }
            const s4 = await get(`/api/v1/agencies/${node}/rollup/2025/section4`);
            const sum4: Section4 = { review: {}, litigation_direct: {}, litigation_after_review: {} };
            for (const code of subtree) {
              const own = (await get(`/api/v1/agencies/${code}/reports/2025/section4`)) as Section4;
              for (const g of Object.keys(sum4) as Array<keyof Section4>) for (const [c, n] of Object.entries(own[g])) sum4[g][c] = (sum4[g][c] ?? 0) + n;
            }
            for (const g of Object.keys(sum4) as Array<keyof Section4>) expect(s4[g]).toEqual(sum4[g]);
          }
          // The top node's subtree is exactly the agencies created in this run.
          expect((await get(`/api/v1/agencies/${codes[0]}/rollup/2025/section4`)).agencies.map((a: { code: string }) => a.code).sort()).toEqual([...codes].sort());
        },
      ),
      { numRuns: 12 },
    );
  }, 240_000);

  it('the drill-down of every non-empty roll-up cell: agencies’ totals add up to the cell, each page is that agency’s', async () => {
    const rollup = await get('/api/v1/agencies/main/rollup/2025/section3?format=2021');
    let checked = 0;
    for (const [row, values] of Object.entries(rollup.rows as Rows)) {
      for (const [c, column] of (rollup.columns as string[]).entries()) {
        if (!values[c] && c !== 6) continue;
        const cell = await get(`/api/v1/agencies/main/rollup/2025/section3/cells/${row}/${column}?format=2021`);
        expect([row, column, cell.total]).toEqual([row, column, values[c]]);
        expect(cell.agencies.reduce((n: number, a: { total: number }) => n + a.total, 0)).toBe(values[c]);
        for (const a of cell.agencies) {
          expect(a.items.length).toBe(Math.min(50, a.total));
          expect(rollup.agencies.find((x: { code: string }) => x.code === a.code).rows[row][c]).toBe(a.total);
        }
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(10);
    // One agency's list asked of a node it is not under (the root under a child of it), or an unknown code: 404.
    const child = (rollup.agencies as Array<{ code: string }>).find((a) => a.code !== 'main')!.code;
    const row = Object.keys(rollup.rows as Rows)[0];
    for (const agency of ['main', 'nope']) await request(t.http).get(`/api/v1/agencies/${child}/rollup/2025/section3/cells/${row}/total?format=2021&agency=${agency}`).set(admin).expect(404);
  }, 120_000);
});
