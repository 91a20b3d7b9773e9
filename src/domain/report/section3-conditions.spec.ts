import { OUTCOMES } from '../lifecycle/codes';
import { ConclusionPosition, rowsOf, YearPosition } from './section3';
import { REPORT_FORMATS, ReportFormat, resultRowFor } from './section3-layout';

/** rowsOf as it was written before the row conditions: the oracle the conditions must reproduce. */
function rowsOfByHand(b: { received: YearPosition; concluded: ConclusionPosition; outcome: string | null }, format: ReportFormat): string[] {
  const rows: string[] = [];
  if (b.received === 'in') rows.push('new_received');
  if (b.received === 'before') rows.push('carried_over_from_last_year');
  if (b.concluded === 'in') {
    const row = b.outcome ? resultRowFor(b.outcome, format) : null;
    if (row) rows.push(row);
    rows.push('concluded_total');
  }
  if (b.concluded === 'open' || b.concluded === 'after') rows.push('carried_to_next_year');
  return rows;
}

describe('Section 3 row conditions', () => {
  // Every counted bucket: receipt before or in the year; conclusion in, after or open; every outcome, none and an unknown one.
  const cases = REPORT_FORMATS.flatMap((format) =>
    (['before', 'in'] as const).flatMap((received) =>
      (['in', 'after', 'open'] as const).flatMap((concluded) =>
        [...OUTCOMES, null, 'no_such_outcome'].map((outcome) => ({ format, received, concluded, outcome: concluded === 'in' ? outcome : null })),
      ),
    ),
  );

  it.each(cases)('%o lands in the same rows, in table order', ({ format, received, concluded, outcome }) => {
    expect(rowsOf({ applicantType: 'natural_person', received, concluded, outcome }, format)).toEqual(rowsOfByHand({ received, concluded, outcome }, format));
  });
});
