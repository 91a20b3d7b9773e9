import fc from 'fast-check';
import { addDays } from '../calendar';
import { calendarFixture } from '../lifecycle/calendar.fixture';
import { APPLICANT_TYPES, DECIDABLE_OUTCOMES, OUTCOMES } from '../lifecycle/codes';
import { applyEvent, INITIAL_STATE, LifecycleEvent } from '../lifecycle/request-lifecycle';
import { bucketsFromRecords, checkCarryOver, compileSection3, ReportRecord } from './section3';
import { ReportFormat, section3Rows, SECTION3_COLUMNS } from './section3-layout';

const calendar = calendarFixture();
const compile = (records: ReportRecord[], year: number, format: ReportFormat) => compileSection3(bucketsFromRecords(records, year), year, format);
const col = (type: string) => SECTION3_COLUMNS.indexOf(type as (typeof SECTION3_COLUMNS)[number]);

let n = 0;
const rec = (over: Partial<ReportRecord>): ReportRecord => ({ id: `r${++n}`, applicantType: 'natural_person', receivedOn: '2024-03-01', concludedOn: null, outcome: null, ...over });

describe('Section 3 layout', () => {
  it('has 25 numeric rows in the 2021 format and 23 in the 2019 format', () => {
    expect(section3Rows('2021')).toHaveLength(25);
    expect(section3Rows('2019')).toHaveLength(23);
    expect(section3Rows('2021').filter((r) => r.kind === 'result')).toHaveLength(21);
    expect(section3Rows('2019').filter((r) => r.kind === 'result')).toHaveLength(19);
    expect(SECTION3_COLUMNS).toHaveLength(7);
  });
});

describe('Section 3 counting (hand-built fixtures)', () => {
  it.each(OUTCOMES.map((o) => [o]))('counts an application concluded as %s in its own row (2021) and column', (outcome) => {
    for (const type of APPLICANT_TYPES) {
      const t = compile([rec({ applicantType: type, concludedOn: '2024-04-01', outcome })], 2024, '2021');
      expect(t.rows[outcome][col(type)]).toBe(1);
      expect(t.rows[outcome][6]).toBe(1);
      expect(t.rows.concluded_total[col(type)]).toBe(1);
      expect(t.rows.new_received[col(type)]).toBe(1);
      const others = Object.entries(t.rows).filter(([k]) => !['new_received', 'concluded_total', outcome].includes(k));
      expect(others.every(([, v]) => v.every((x) => x === 0))).toBe(true);
      expect(t.checks.every((c) => c.ok)).toBe(true);
    }
  });

  it('folds the three （六） rows into one in the 2019 format', () => {
    const records = ['other_overdue_correction', 'other_unpaid_fee', 'other_other'].map((outcome) => rec({ concludedOn: '2020-05-01', receivedOn: '2020-04-01', outcome }));
    const t = compile(records, 2020, '2019');
    expect(t.rows.other).toEqual([3, 0, 0, 0, 0, 0, 3]);
    expect(t.rows.other_other).toBeUndefined();
    expect(t.checks.every((c) => c.ok)).toBe(true);
  });

  it('year boundaries: received 31 Dec and answered 2 Jan', () => {
    const r = rec({ receivedOn: '2024-12-31', concludedOn: '2025-01-02', outcome: 'granted' });
    const first = compile([r], 2024, '2021');
    expect(first.rows.new_received[6]).toBe(1);
    expect(first.rows.carried_to_next_year[6]).toBe(1);
    expect(first.rows.concluded_total[6]).toBe(0);
    const second = compile([r], 2025, '2021');
    expect(second.rows.carried_over_from_last_year[6]).toBe(1);
    expect(second.rows.granted[6]).toBe(1);
    expect(second.rows.new_received[6]).toBe(0);
    expect(checkCarryOver(second, first.rows.carried_to_next_year, 'compiled').ok).toBe(true);
  });

  it('year boundaries: submitted online 30 Dec, confirmed 4 Jan, belongs to the new year (D2)', () => {
    const events: LifecycleEvent[] = [
      { type: 'submitted', on: '2025-12-30', data: { channel: 'online' } },
      { type: 'receipt_confirmed', on: '2026-01-04', data: {} },
    ];
    const state = events.reduce((s, e) => applyEvent(s, e, { calendar, today: '2026-06-30', itemCount: 1 }), INITIAL_STATE);
    const r = rec({ receivedOn: state.receivedOn, concludedOn: null });
    expect(compile([r], 2025, '2021').rows.new_received[6]).toBe(0);
    expect(compile([r], 2025, '2021').rows.carried_to_next_year[6]).toBe(0);
    expect(compile([r], 2026, '2021').rows.new_received[6]).toBe(1);
  });

  it('does not count an unconfirmed submission at all', () => {
    const t = compile([rec({ receivedOn: null })], 2024, '2021');
    expect(Object.values(t.rows).every((v) => v.every((x) => x === 0))).toBe(true);
  });

  it('a correction keeps the original receipt date (D5)', () => {
    const events: LifecycleEvent[] = [
      { type: 'registered', on: '2024-12-27', data: { channel: 'in_person' } },
      { type: 'correction_requested', on: '2024-12-30', data: { correctionDueOn: '2025-01-15' } },
      { type: 'correction_received', on: '2025-01-06', data: {} },
      { type: 'decided', on: '2025-01-20', data: { outcome: 'unable_unclear_after_correction' } },
    ];
    const s = events.reduce((st, e) => applyEvent(st, e, { calendar, today: '2026-06-30', itemCount: 1 }), INITIAL_STATE);
    const r = rec({ receivedOn: s.receivedOn, concludedOn: s.concludedOn, outcome: s.outcome });
    expect(compile([r], 2024, '2021').rows.new_received[6]).toBe(1);
    expect(compile([r], 2025, '2021').rows.unable_unclear_after_correction[6]).toBe(1);
  });

  it('R6 and R1 point at a record with no valid outcome', () => {
    const t = compile([rec({ concludedOn: '2024-05-01', outcome: 'made_up' })], 2024, '2021');
    expect(t.checks.find((c) => c.rule === 'R6')).toMatchObject({ ok: false, detail: expect.stringContaining('made_up') });
    expect(t.checks.find((c) => c.rule === 'R2')!.ok).toBe(false);
  });

  it("R5 warns when last year's published 四 differs from this year's 二", () => {
    const t = compile([rec({ receivedOn: '2023-12-01' })], 2024, '2021');
    expect(checkCarryOver(t, [0, 0, 0, 0, 0, 0, 0], 'published')).toMatchObject({ rule: 'R5', ok: false, severity: 'warning' });
  });
});

/** An independent recount: the statutory definitions written out plainly, one cell at a time. */
function recount(records: ReportRecord[], year: number, format: ReportFormat, row: string, column: string): number {
  const start = `${year}-01-01`;
  const end = `${year}-12-31`;
  const inCol = (r: ReportRecord) => column === 'total' || r.applicantType === column;
  const received = (r: ReportRecord) => r.receivedOn !== null;
  const concludedIn = (r: ReportRecord) => received(r) && r.concludedOn !== null && r.concludedOn >= start && r.concludedOn <= end;
  const pred: Record<string, (r: ReportRecord) => boolean> = {
    new_received: (r) => received(r) && r.receivedOn! >= start && r.receivedOn! <= end,
    carried_over_from_last_year: (r) => received(r) && r.receivedOn! < start && (r.concludedOn === null || r.concludedOn >= start),
    concluded_total: concludedIn,
    carried_to_next_year: (r) => received(r) && r.receivedOn! <= end && (r.concludedOn === null || r.concludedOn > end),
    other: (r) => concludedIn(r) && ['other_overdue_correction', 'other_unpaid_fee', 'other_other'].includes(r.outcome!),
  };
  const p = pred[row] ?? ((r: ReportRecord) => concludedIn(r) && r.outcome === row);
  return records.filter((r) => inCol(r) && p(r)).length;
}

type Step = { kind: number; gap: number; outcome: number; days: number };

/** Random histories driven through the real lifecycle, so only reachable states are generated. */
function simulate(start: string, applicantType: string, steps: Step[], id: string): ReportRecord {
  let state = applyEvent(INITIAL_STATE, { type: 'registered', on: start, data: { channel: 'in_person' } }, { calendar, today: '2027-12-31', itemCount: 2 });
  let on = start;
  for (const s of steps) {
    if (state.status === 'concluded') break;
    on = addDays(on, s.gap);
    if (on > '2026-12-31') break;
    const outcome = DECIDABLE_OUTCOMES[s.outcome % DECIDABLE_OUTCOMES.length];
    const candidates: Record<string, LifecycleEvent[]> = {
      in_progress: [
        { type: 'correction_requested', on, data: { correctionDueOn: addDays(on, 10) } },
        { type: 'consultation_started', on, data: { party: 'third_party' } },
        { type: 'fee_notice_issued', on, data: { amountYuan: 100 } },
        { type: 'extension_granted', on, data: { extraWorkingDays: 1 + (s.days % 20), approvedBy: 'x', reason: 'y' } },
        { type: 'decided', on, data: { outcome, reason: 'r', itemOutcomes: s.days % 3 === 0 ? [{ item: 1, outcome: 'granted' }] : undefined } },
        { type: 'withdrawn', on, data: {} },
      ],
      awaiting_correction: [
        { type: 'correction_received', on, data: {} },
        { type: 'correction_lapsed', on: addDays(state.correction?.dueOn ?? on, 1), data: {} },
      ],
      consulting: [
        { type: 'consultation_ended', on, data: {} },
        { type: 'decided', on, data: { outcome: 'withheld_third_party_rights', reason: 'r' } },
      ],
      awaiting_fee: [
        { type: 'fee_paid', on, data: {} },
        { type: 'fee_lapsed', on: addDays(state.fee?.payBy ?? on, 1), data: {} },
      ],
    };
    const options = candidates[state.status!] ?? [];
    const event = options[s.kind % options.length];
    if (!event || event.on < (state.lastEventOn ?? start)) continue;
    try {
      state = applyEvent(state, event, { calendar, today: '2027-12-31', itemCount: 2 });
      on = event.on;
    } catch {
      // A step the lifecycle refuses (e.g. a second correction) is simply not taken.
    }
  }
  return { id, applicantType, receivedOn: state.receivedOn, concludedOn: state.concludedOn, outcome: state.outcome };
}

describe('Section 3 property: random histories across three years', () => {
  const step = fc.record({ kind: fc.nat(11), gap: fc.integer({ min: 0, max: 120 }), outcome: fc.nat(40), days: fc.nat(60) });
  const request = fc.record({
    offset: fc.integer({ min: 0, max: 3 * 365 }),
    type: fc.constantFrom(...APPLICANT_TYPES),
    steps: fc.array(step, { maxLength: 6 }),
  });

  it('R1–R6 hold and every cell equals a direct recount, in both formats', () => {
    fc.assert(
      fc.property(fc.array(request, { maxLength: 60 }), (requests) => {
        const records = requests.map((r, i) => simulate(addDays('2024-01-01', r.offset), r.type, r.steps, `p${i}`));
        let previous: number[] | null = null;
        for (const year of [2024, 2025, 2026]) {
          for (const format of ['2019', '2021'] as ReportFormat[]) {
            const t = compile(records, year, format);
            for (const check of t.checks) expect(check).toMatchObject({ ok: true });
            for (const spec of section3Rows(format)) {
              for (const [c, column] of SECTION3_COLUMNS.entries()) {
                expect(t.rows[spec.key][c]).toBe(recount(records, year, format, spec.key, column));
              }
            }
            if (format === '2021') {
              expect(checkCarryOver(t, previous, 'compiled').ok).toBe(true);
              previous = t.rows.carried_to_next_year;
            }
          }
        }
      }),
      { numRuns: 300 },
    );
  });
});
