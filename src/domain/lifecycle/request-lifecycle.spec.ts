import { DomainError } from '../errors';
import { calendarFixture } from './calendar.fixture';
import { computeDue } from './reply-clock';
import { applyEvent, INITIAL_STATE, LifecycleEvent, replay } from './request-lifecycle';

const calendar = calendarFixture();

function run(events: Array<[LifecycleEvent['type'], string, Record<string, unknown>?]>, today = '2026-06-30', itemCount = 1) {
  const list = events.map(([type, on, data]) => ({ type, on, data: data ?? {} }));
  // Steps are applied one by one as when recorded, each checked against today.
  const state = list.reduce((s, e) => applyEvent(s, e, { calendar, today, itemCount }), INITIAL_STATE);
  return { state, due: computeDue(state, calendar, today) };
}

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    return (e as DomainError).code;
  }
  return 'no error';
}

const received = (on: string): [LifecycleEvent['type'], string, Record<string, unknown>] => ['registered', on, { channel: 'in_person' }];

describe('reply clock scenarios', () => {
  it.each([
    { name: 'plain receipt', events: [received('2025-03-03')], due: '2025-03-31' },
    {
      name: 'correction restarts the clock in full from the corrected application (Art. 30)',
      events: [received('2025-03-03'), ['correction_requested', '2025-03-05', { correctionDueOn: '2025-03-20' }], ['correction_received', '2025-03-12']],
      due: '2025-04-10',
    },
    {
      name: 'D14 consultation Mon 10 → Fri 14 March excludes 4 working days, across Qingming',
      events: [received('2025-03-03'), ['consultation_started', '2025-03-10', { party: 'third_party' }], ['consultation_ended', '2025-03-14']],
      due: '2025-04-07',
    },
    {
      name: 'consultation spanning National Day 2025 excludes only the 3 working days in it',
      events: [received('2025-09-15'), ['consultation_started', '2025-09-29', { party: 'agency' }], ['consultation_ended', '2025-10-10']],
      due: '2025-10-22',
    },
    {
      name: 'fee pause from notice to payment',
      events: [received('2025-03-03'), ['fee_notice_issued', '2025-03-10', { amountYuan: 100, pausesClock: true }], ['fee_paid', '2025-03-17']],
      due: '2025-04-08',
    },
    {
      name: 'fee notice does not pause when the agency setting is off',
      events: [received('2025-03-03'), ['fee_notice_issued', '2025-03-10', { amountYuan: 100, pausesClock: false }], ['fee_paid', '2025-03-17']],
      due: '2025-03-31',
    },
    {
      name: 'extension of 20 working days, ending on make-up Sunday 2025-04-27 + 1',
      events: [received('2025-03-03'), ['extension_granted', '2025-03-20', { extraWorkingDays: 20, approvedBy: '王主任', reason: '信息量大' }]],
      due: '2025-04-28',
    },
    {
      name: 'an open consultation counts at most 15 working days',
      events: [received('2025-03-03'), ['consultation_started', '2025-03-10', { party: 'third_party' }]],
      due: '2025-04-22',
    },
    {
      name: 'Art. 35 agency-set deadline replaces the statutory one',
      events: [received('2025-03-03'), ['deadline_set', '2025-03-10', { dueOn: '2025-06-30', reason: '申请数量巨大' }]],
      due: '2025-06-30',
    },
  ] as Array<{ name: string; events: Array<[LifecycleEvent['type'], string, Record<string, unknown>?]>; due: string }>)('$name → $due', ({ events, due }) => {
    expect(run(events).due.dueOn).toBe(due);
  });

  it('an open consultation moves the due date day by day until its cap', () => {
    const events: Array<[LifecycleEvent['type'], string, Record<string, unknown>?]> = [received('2025-03-03'), ['consultation_started', '2025-03-10', { party: 'third_party' }]];
    expect(run(events, '2025-03-12').due.dueOn).toBe('2025-04-02');
    expect(run(events, '2025-03-13').due.dueOn).toBe('2025-04-03');
  });

  it('explains the due date: start, excluded intervals, holidays skipped', () => {
    const { due } = run([received('2025-09-15'), ['consultation_started', '2025-09-29', { party: 'agency' }], ['consultation_ended', '2025-10-10']]);
    expect(due.explanation).toMatchObject({
      startOn: '2025-09-15',
      startReason: 'receipt',
      baseWorkingDays: 20,
      totalWorkingDays: 23,
      excluded: [{ kind: 'consultation_agency', from: '2025-09-29', to: '2025-10-10', workingDays: 3, capped: false, open: false }],
      holidaysSkipped: ['2025-10-01', '2025-10-02', '2025-10-03', '2025-10-06', '2025-10-07', '2025-10-08'],
      makeUpDaysCounted: ['2025-09-28', '2025-10-11'],
    });
  });

  it('replays recorded history without re-checking it against the current date', () => {
    const history: LifecycleEvent[] = [{ type: 'registered', on: '2026-12-21', data: { channel: 'in_person' } }];
    expect(replay(history, { calendar, today: '2026-06-01', itemCount: 1 }).receivedOn).toBe('2026-12-21');
  });

  it('a provisional due date in 2027', () => {
    const { due } = run([received('2026-12-21')], '2026-12-22');
    expect(due).toMatchObject({ dueOn: '2027-01-19', provisional: true });
  });

  it('no due date while awaiting confirmation or a correction', () => {
    expect(run([['submitted', '2025-03-01', { channel: 'online' }]]).due.dueOn).toBeNull();
    expect(run([received('2025-03-03'), ['correction_requested', '2025-03-04', { correctionDueOn: '2025-03-20' }]]).due.dueOn).toBeNull();
  });

  it('a late reply is accepted and marked overdue', () => {
    const { state, due } = run([received('2025-03-03'), ['decided', '2025-04-15', { outcome: 'granted' }]]);
    expect(state.status).toBe('concluded');
    expect(due).toMatchObject({ dueOn: '2025-03-31', overdue: true });
  });

  it('flags a correction notice later than 7 working days after receipt', () => {
    expect(run([received('2025-03-03'), ['correction_requested', '2025-03-12', { correctionDueOn: '2025-03-30' }]]).state.correction!.late).toBe(false);
    expect(run([received('2025-03-03'), ['correction_requested', '2025-03-13', { correctionDueOn: '2025-03-30' }]]).state.correction!.late).toBe(true);
  });
});

describe('lifecycle transitions', () => {
  it('confirms an online submission: the confirmation day becomes the receipt date', () => {
    const { state, due } = run([
      ['submitted', '2025-12-30', { channel: 'online' }],
      ['receipt_confirmed', '2026-01-04'],
    ]);
    expect(state).toMatchObject({ status: 'in_progress', receivedOn: '2026-01-04' });
    expect(due.dueOn).toBe('2026-01-30'); // 1-4 is a make-up Sunday; day 1 is Monday 1-5
  });

  it.each([
    [
      'a second correction notice',
      [
        received('2025-03-03'),
        ['correction_requested', '2025-03-04', { correctionDueOn: '2025-03-20' }],
        ['correction_received', '2025-03-06'],
        ['correction_requested', '2025-03-07', { correctionDueOn: '2025-03-20' }],
      ],
      'INVALID_TRANSITION',
    ],
    ['a step after conclusion', [received('2025-03-03'), ['decided', '2025-03-04', { outcome: 'granted' }], ['withdrawn', '2025-03-05']], 'INVALID_TRANSITION'],
    ['unclear after correction without a correction', [received('2025-03-03'), ['decided', '2025-03-04', { outcome: 'unable_unclear_after_correction' }]], 'INVALID_TRANSITION'],
    ['an extension beyond 20 days', [received('2025-03-03'), ['extension_granted', '2025-03-04', { extraWorkingDays: 21, approvedBy: 'a', reason: 'b' }]], 'INVALID_TRANSITION'],
    [
      'a second extension',
      [
        received('2025-03-03'),
        ['extension_granted', '2025-03-04', { extraWorkingDays: 5, approvedBy: 'a', reason: 'b' }],
        ['extension_granted', '2025-03-05', { extraWorkingDays: 5, approvedBy: 'a', reason: 'b' }],
      ],
      'INVALID_TRANSITION',
    ],
    ['confirming a staff-registered request', [received('2025-03-03'), ['receipt_confirmed', '2025-03-04']], 'INVALID_TRANSITION'],
    [
      'lapsing a correction before its deadline',
      [received('2025-03-03'), ['correction_requested', '2025-03-04', { correctionDueOn: '2025-03-20' }], ['correction_lapsed', '2025-03-20']],
      'INVALID_TRANSITION',
    ],
    ['lapsing a fee before its deadline', [received('2025-03-03'), ['fee_notice_issued', '2025-03-04', { amountYuan: 50 }], ['fee_lapsed', '2025-04-01']], 'INVALID_TRANSITION'],
    ['an event before receipt', [received('2025-03-03'), ['decided', '2025-03-02', { outcome: 'granted' }]], 'UNPROCESSABLE'],
    ['an event in the future', [received('2025-03-03'), ['decided', '2026-07-01', { outcome: 'granted' }]], 'UNPROCESSABLE'],
    ['an event before the previous step', [received('2025-03-03'), ['consultation_started', '2025-03-10', { party: 'agency' }], ['consultation_ended', '2025-03-09']], 'UNPROCESSABLE'],
    ['withholding without a reason', [received('2025-03-03'), ['decided', '2025-03-04', { outcome: 'withheld_state_secret' }]], 'VALIDATION_FAILED'],
    ['a step-only outcome in decided', [received('2025-03-03'), ['decided', '2025-03-04', { outcome: 'other_other' }]], 'VALIDATION_FAILED'],
    ['an extension without approver', [received('2025-03-03'), ['extension_granted', '2025-03-04', { extraWorkingDays: 5 }]], 'VALIDATION_FAILED'],
  ] as Array<[string, Array<[LifecycleEvent['type'], string, Record<string, unknown>?]>, string]>)('refuses %s', (_name, events, code) => {
    expect(codeOf(() => run(events))).toBe(code);
  });

  it.each([
    [
      'correction lapsed',
      [
        ['correction_requested', '2025-03-04', { correctionDueOn: '2025-03-20' }],
        ['correction_lapsed', '2025-03-21'],
      ],
      'other_overdue_correction',
    ],
    [
      'fee lapsed',
      [
        ['fee_notice_issued', '2025-03-04', { amountYuan: 50 }],
        ['fee_lapsed', '2025-04-02'],
      ],
      'other_unpaid_fee',
    ],
    ['withdrawn', [['withdrawn', '2025-03-04']], 'other_other'],
    [
      'unclear after correction',
      [
        ['correction_requested', '2025-03-04', { correctionDueOn: '2025-03-20' }],
        ['correction_received', '2025-03-10'],
        ['decided', '2025-03-11', { outcome: 'unable_unclear_after_correction' }],
      ],
      'unable_unclear_after_correction',
    ],
    [
      'decided while consulting',
      [
        ['consultation_started', '2025-03-04', { party: 'third_party' }],
        ['decided', '2025-03-11', { outcome: 'withheld_third_party_rights', reason: '第三方不同意' }],
      ],
      'withheld_third_party_rights',
    ],
  ] as Array<[string, Array<[LifecycleEvent['type'], string, Record<string, unknown>?]>, string]>)('%s concludes as %s', (_name, events, outcome) => {
    const { state } = run([received('2025-03-03'), ...events]);
    expect(state).toMatchObject({ status: 'concluded', outcome });
  });

  it('mixed item outcomes make the application partially granted (D1)', () => {
    const mixed = run(
      [
        received('2025-03-03'),
        [
          'decided',
          '2025-03-10',
          {
            outcome: 'partially_granted',
            reason: '部分涉及个人隐私',
            itemOutcomes: [
              { item: 0, outcome: 'granted' },
              { item: 1, outcome: 'withheld_third_party_rights' },
            ],
          },
        ],
      ],
      '2026-06-30',
      2,
    );
    expect(mixed.state).toMatchObject({ outcome: 'partially_granted', itemOutcomes: ['granted', 'withheld_third_party_rights'] });
    const same = run(
      [
        received('2025-03-03'),
        [
          'decided',
          '2025-03-10',
          {
            outcome: 'granted',
            itemOutcomes: [
              { item: 0, outcome: 'granted' },
              { item: 1, outcome: 'granted' },
            ],
          },
        ],
      ],
      '2026-06-30',
      2,
    );
    expect(same.state.outcome).toBe('granted');
    expect(codeOf(() => run([received('2025-03-03'), ['decided', '2025-03-10', { outcome: 'granted', itemOutcomes: [{ item: 5, outcome: 'granted' }] }]], '2026-06-30', 2))).toBe('VALIDATION_FAILED');
  });
});
