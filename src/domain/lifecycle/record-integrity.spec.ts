import fc from 'fast-check';
import { WorkingCalendar } from '../calendar';
import { DomainError } from '../errors';
import { calendarFixture } from './calendar.fixture';
import { computeDue } from './reply-clock';
import { applyEvent, INITIAL_STATE, LifecycleEvent, outcomeOfItems, replay, RequestState } from './request-lifecycle';
import { allowedSteps } from './event-info';

const calendar: WorkingCalendar = calendarFixture();
type Step = [LifecycleEvent['type'], string, Record<string, unknown>?];

function run(steps: Step[], today = '2025-12-31', itemCount = 1): { state: RequestState; dueOn: string | null; overdue: boolean } {
  const state = steps.reduce((s, [type, on, data]) => applyEvent(s, { type, on, data: data ?? {} }, { calendar, today, itemCount }), INITIAL_STATE);
  const due = computeDue(state, calendar, today);
  return { state, dueOn: due.dueOn, overdue: due.overdue };
}

function failure(fn: () => unknown): { code: string; message: string } {
  try {
    fn();
  } catch (e) {
    return { code: (e as DomainError).code, message: (e as Error).message };
  }
  return { code: 'no error', message: '' };
}

// Received Monday 2025-03-03: 20 working days → due Monday 2025-03-31.
const received: Step = ['registered', '2025-03-03', { channel: 'in_person' }];

describe('D15: lateness is permanent', () => {
  it.each([
    ['an extension', ['extension_granted', '2025-04-10', { extraWorkingDays: 20, approvedBy: '王主任', reason: '信息量大' }]],
    ['an Art. 35 deadline', ['deadline_set', '2025-04-10', { dueOn: '2025-06-30', reason: '数量巨大' }]],
    ['a correction notice', ['correction_requested', '2025-04-10', { correctionDueOn: '2025-04-30' }]],
  ] as Array<[string, Step]>)('%s after the due date is refused (409) naming the date that passed', (_name, step) => {
    const err = failure(() => run([received, step]));
    expect(err.code).toBe('INVALID_TRANSITION');
    expect(err.message).toContain('2025-03-31');
  });

  it('the same steps on the last day of the period are accepted', () => {
    expect(run([received, ['extension_granted', '2025-03-31', { extraWorkingDays: 20, approvedBy: '王主任', reason: '信息量大' }]]).dueOn).toBe('2025-04-28');
  });

  it('an Art. 35 deadline must be later than the due date in force', () => {
    const err = failure(() => run([received, ['deadline_set', '2025-03-10', { dueOn: '2025-03-20', reason: '数量巨大' }]]));
    expect(err).toMatchObject({ code: 'UNPROCESSABLE' });
    expect(err.message).toContain('2025-03-31');
    expect(run([received, ['deadline_set', '2025-03-10', { dueOn: '2025-04-30', reason: '数量巨大' }]]).dueOn).toBe('2025-04-30');
    expect(failure(() => run([received, ['deadline_set', '2025-03-10', { dueOn: '2025-04-30', reason: 'a' }], ['deadline_set', '2025-03-11', { dueOn: '2025-05-30', reason: 'b' }]])).code).toBe(
      'INVALID_TRANSITION',
    );
  });

  it('recorded history with a late extension replays without error and stays late', () => {
    const history: LifecycleEvent[] = [
      { type: 'registered', on: '2025-03-03', data: { channel: 'in_person' } },
      { type: 'extension_granted', on: '2025-04-10', data: { extraWorkingDays: 20, approvedBy: '王主任', reason: '信息量大' } },
      { type: 'decided', on: '2025-04-20', data: { outcome: 'granted' } },
    ];
    const state = replay(history, { calendar, today: '2025-12-31', itemCount: 1 });
    const due = computeDue(state, calendar, '2025-12-31');
    expect(state.lapsedDueOn).toBe('2025-03-31');
    expect(due).toMatchObject({ dueOn: '2025-03-31', overdue: true });
  });

  it('a step during a consultation that outlasted its cap finds the deadline passed', () => {
    // Consultation from 03-10 is capped at 15 working days: due 2025-04-22; answered 05-06.
    const { state } = run([received, ['consultation_started', '2025-03-10', { party: 'third_party' }], ['consultation_ended', '2025-05-06']]);
    expect(state.lapsedDueOn).toBe('2025-04-22');
    expect(allowedSteps(state)).not.toContain('extension_granted');
  });

  it('forms stop offering the steps that move a deadline once a recorded step found it passed', () => {
    expect(allowedSteps(run([received], '2025-04-01').state)).toEqual(expect.arrayContaining(['extension_granted', 'deadline_set', 'correction_requested']));
    const late = run([received, ['reasons_requested', '2025-04-01', { note: '请说明理由' }]], '2025-04-01').state;
    expect(allowedSteps(late)).toEqual(expect.not.arrayContaining(['extension_granted', 'deadline_set', 'correction_requested']));
  });

  it('property: over random histories, no reply after a due date that had passed is ever on time', () => {
    const stepArb = fc.record({
      gap: fc.integer({ min: 0, max: 25 }),
      kind: fc.constantFrom('extension', 'deadline', 'correction', 'correction_received', 'consult', 'consult_end', 'fee', 'fee_paid', 'nothing'),
      n: fc.integer({ min: 1, max: 40 }),
    });
    fc.assert(
      fc.property(fc.array(stepArb, { maxLength: 8 }), fc.integer({ min: 0, max: 60 }), (plan, replyGap) => {
        let state = applyEvent(INITIAL_STATE, { type: 'registered', on: '2025-03-03', data: { channel: 'in_person' } }, { calendar, today: '2025-12-31', itemCount: 1 });
        let day = '2025-03-03';
        let passedDue: string | null = null;
        const ctx = { calendar, today: '2025-12-31', itemCount: 1 };
        const tryStep = (type: LifecycleEvent['type'], on: string, data: Record<string, unknown>) => {
          const before = computeDue(state, calendar, on).dueOn;
          try {
            state = applyEvent(state, { type, on, data }, ctx);
            day = on;
          } catch {
            return;
          }
          if (before && on > before && !passedDue && state.status !== 'awaiting_correction') passedDue = before;
        };
        for (const p of plan) {
          const on = calendar.addWorkingDays(day, p.gap).date;
          if (on > '2025-12-01') break;
          const data: Record<string, Record<string, unknown>> = {
            extension: { extraWorkingDays: Math.min(p.n, 20), approvedBy: '王主任', reason: '理由' },
            deadline: { dueOn: calendar.addWorkingDays(on, p.n).date, reason: '理由' },
            correction: { correctionDueOn: calendar.addWorkingDays(on, 10).date },
            correction_received: {},
            consult: { party: 'third_party' },
            consult_end: {},
            fee: { amountYuan: 100 },
            fee_paid: {},
            nothing: {},
          };
          const type = (
            {
              extension: 'extension_granted',
              deadline: 'deadline_set',
              correction: 'correction_requested',
              correction_received: 'correction_received',
              consult: 'consultation_started',
              consult_end: 'consultation_ended',
              fee: 'fee_notice_issued',
              fee_paid: 'fee_paid',
              nothing: 'due_recomputed',
            } as const
          )[p.kind];
          tryStep(type, on, data[p.kind]);
        }
        const replyOn = calendar.addWorkingDays(day, replyGap).date;
        const dueBeforeReply = computeDue(state, calendar, replyOn).dueOn;
        tryStep('decided', replyOn, { outcome: 'granted' });
        if (state.status !== 'concluded') return;
        const final = computeDue(state, calendar, '2025-12-31');
        if (passedDue || (dueBeforeReply && replyOn > dueBeforeReply)) expect(final.overdue).toBe(true);
        // And a replay of the stored history agrees with the live fold.
        expect(final.overdue).toBe(computeDue(state, calendar, '2026-06-30').overdue);
      }),
      { numRuns: 300 },
    );
  });
});

describe('D1: items decide the outcome', () => {
  const two = (declared: string, items: string[], reason = '理由') =>
    run([received, ['decided', '2025-03-10', { outcome: declared, reason, itemOutcomes: items.map((outcome, item) => ({ item, outcome })) }]], '2025-12-31', items.length);

  it('one item not held and one a state secret is not （二）: nothing was disclosed', () => {
    const err = failure(() => two('partially_granted', ['unable_not_held', 'withheld_state_secret']));
    expect(err.code).toBe('UNPROCESSABLE');
    expect(err.message).toContain('没有任何事项予以公开');
    expect(two('withheld_state_secret', ['unable_not_held', 'withheld_state_secret']).state.outcome).toBe('withheld_state_secret');
  });

  it('a declared state secret with every item granted is refused', () => {
    const err = failure(() => two('withheld_state_secret', ['granted', 'granted']));
    expect(err.code).toBe('UNPROCESSABLE');
    expect(err.message).toContain('所有事项均予以公开');
  });

  it('granted and withheld items: only （二） is accepted', () => {
    expect(two('partially_granted', ['granted', 'withheld_process_info']).state.outcome).toBe('partially_granted');
    expect(failure(() => two('granted', ['granted', 'withheld_process_info'])).code).toBe('UNPROCESSABLE');
    expect(failure(() => two('withheld_process_info', ['granted', 'withheld_process_info'])).code).toBe('UNPROCESSABLE');
  });

  it('the principal ground must be one of the items', () => {
    expect(failure(() => two('withheld_internal_affairs', ['unable_not_held', 'withheld_state_secret'])).message).toContain('主要一项');
  });

  it("keeps each item reason; a withheld item needs one (its own or the reply's)", () => {
    const { state } = run(
      [
        received,
        [
          'decided',
          '2025-03-10',
          {
            outcome: 'partially_granted',
            itemOutcomes: [
              { item: 0, outcome: 'granted' },
              { item: 1, outcome: 'withheld_third_party_rights', reason: '涉及他人隐私' },
            ],
          },
        ],
      ],
      '2025-12-31',
      2,
    );
    expect(state.itemReasons).toEqual([null, '涉及他人隐私']);
    expect(
      failure(() =>
        run(
          [
            received,
            [
              'decided',
              '2025-03-10',
              {
                outcome: 'partially_granted',
                itemOutcomes: [
                  { item: 0, outcome: 'granted' },
                  { item: 1, outcome: 'withheld_third_party_rights' },
                ],
              },
            ],
          ],
          '2025-12-31',
          2,
        ),
      ).code,
    ).toBe('VALIDATION_FAILED');
  });

  it('outcomeOfItems is the one rule (table)', () => {
    expect(outcomeOfItems('granted', ['granted'])).toBe('granted');
    expect(outcomeOfItems('partially_granted', ['partially_granted', 'unable_not_held'])).toBe('partially_granted');
    expect(outcomeOfItems('unable_not_held', ['unable_not_held', 'unable_not_held'])).toBe('unable_not_held');
    expect(outcomeOfItems('partially_granted', ['granted'], false)).toBe('partially_granted');
  });

  it('records made before D1 replay with the outcome they were counted under', () => {
    const history: LifecycleEvent[] = [
      { type: 'registered', on: '2025-03-03', data: { channel: 'in_person' } },
      { type: 'decided', on: '2025-03-10', data: { outcome: 'granted', reason: 'x', itemOutcomes: [{ item: 1, outcome: 'unable_not_held' }] } },
    ];
    expect(replay(history, { calendar, today: '2025-12-31', itemCount: 2 }).outcome).toBe('partially_granted');
    // Consistent with D1: replayed by D1 (nothing was disclosed, so not （二）).
    const consistent: LifecycleEvent[] = [
      history[0],
      { type: 'decided', on: '2025-03-10', data: { outcome: 'unable_not_held', reason: 'x', itemOutcomes: [{ item: 1, outcome: 'withheld_state_secret' }] } },
    ];
    expect(replay(consistent, { calendar, today: '2025-12-31', itemCount: 2 }).outcome).toBe('unable_not_held');
  });
});

describe('D19, D17, D18, D21, Art. 35', () => {
  const submitted: Step = ['submitted', '2025-03-03', { channel: 'online' }];

  it('D19: an unconfirmed submission can be withdrawn; it was never received', () => {
    const { state, dueOn } = run([submitted, ['withdrawn', '2025-03-04']]);
    expect(state).toMatchObject({ status: 'withdrawn', withdrawnOn: '2025-03-04', receivedOn: null, outcome: null, concludedOn: null });
    expect(dueOn).toBeNull();
    expect(failure(() => run([submitted, ['withdrawn', '2025-03-04'], ['receipt_confirmed', '2025-03-05']])).code).toBe('INVALID_TRANSITION');
  });

  it('D19: after receipt, withdrawal concludes as （六）3', () => {
    expect(run([submitted, ['receipt_confirmed', '2025-03-04'], ['withdrawn', '2025-03-05']]).state).toMatchObject({ status: 'concluded', outcome: 'other_other' });
  });

  it('D17: delivery only after conclusion; the conclusion date does not move', () => {
    expect(failure(() => run([received, ['delivered', '2025-03-05', { method: 'post' }]])).code).toBe('INVALID_TRANSITION');
    const { state } = run([received, ['decided', '2025-03-10', { outcome: 'granted' }], ['delivered', '2025-03-12', { method: 'post', reference: 'EMS1234567890' }]]);
    expect(state).toMatchObject({ concludedOn: '2025-03-10', deliveries: [{ on: '2025-03-12', method: 'post', reference: 'EMS1234567890' }] });
    expect(failure(() => run([received, ['decided', '2025-03-10', { outcome: 'granted' }], ['delivered', '2025-03-12', { method: 'pigeon' }]])).code).toBe('VALIDATION_FAILED');
    expect(failure(() => run([received, ['decided', '2025-03-10', { outcome: 'granted' }], ['withdrawn', '2025-03-12']])).code).toBe('INVALID_TRANSITION');
  });

  it('D18: the payment window runs from the day after the notice was received', () => {
    // Notice issued Mon 03-10, received Fri 03-14: 20 working days from Mon 03-17 → Mon 04-14 (Qingming 04-04 off).
    expect(run([received, ['fee_notice_issued', '2025-03-10', { amountYuan: 100, deliveredOn: '2025-03-14' }]]).state.fee).toMatchObject({ deliveredOn: '2025-03-14', payBy: '2025-04-14' });
    expect(run([received, ['fee_notice_issued', '2025-03-10', { amountYuan: 100 }]]).state.fee).toMatchObject({ deliveredOn: '2025-03-10', payBy: '2025-04-08' });
    expect(failure(() => run([received, ['fee_notice_issued', '2025-03-10', { amountYuan: 100, deliveredOn: '2025-03-07' }]])).code).toBe('UNPROCESSABLE');
  });

  it("D18: the party's 15 working days run from its receipt; the exclusion from dispatch", () => {
    // Sent 03-10, received 03-12: the cap falls 15 working days after 03-12 (04-02), excluded from 03-10.
    const open = run([received, ['consultation_started', '2025-03-10', { party: 'third_party', deliveredOn: '2025-03-12' }]], '2025-06-30');
    const plain = run([received, ['consultation_started', '2025-03-10', { party: 'third_party' }]], '2025-06-30');
    expect(plain.dueOn).toBe('2025-04-22');
    expect(open.dueOn).toBe('2025-04-24');
  });

  it('D21: a not-held reply names where the information is held', () => {
    const { state } = run([received, ['decided', '2025-03-10', { outcome: 'unable_not_held', referTo: { agency: '某县自然资源局', contact: '0000-1234567' } }]]);
    expect(state.referTo).toEqual({ agency: '某县自然资源局', contact: '0000-1234567' });
    expect(failure(() => run([received, ['decided', '2025-03-10', { outcome: 'granted', referTo: { agency: '某局' } }]])).code).toBe('VALIDATION_FAILED');
  });

  it('Art. 35: asking for reasons does not pause the clock, once', () => {
    const { state, dueOn } = run([received, ['reasons_requested', '2025-03-05', { note: '请说明申请数量的合理性' }]]);
    expect(state.reasonsRequested).toEqual({ on: '2025-03-05', note: '请说明申请数量的合理性' });
    expect(dueOn).toBe('2025-03-31');
    expect(failure(() => run([received, ['reasons_requested', '2025-03-05', {}]])).code).toBe('VALIDATION_FAILED');
    expect(failure(() => run([received, ['reasons_requested', '2025-03-05', { note: 'a' }], ['reasons_requested', '2025-03-06', { note: 'b' }]])).code).toBe('INVALID_TRANSITION');
  });
});
