import { compileSection4, ReviewCaseRecord } from './section4';

const c = (over: Partial<ReviewCaseRecord>): ReviewCaseRecord => ({
  id: 'c',
  kind: 'administrative_review',
  filedOn: '2024-03-01',
  concludedOn: null,
  result: null,
  agencyRole: 'original_agency',
  ...over,
});

describe('Section 4', () => {
  const cases = [
    c({ id: 'a', concludedOn: '2024-06-01', result: 'upheld' }),
    c({ id: 'b', concludedOn: '2025-02-01', result: 'corrected' }), // filed 2024, concluded 2025
    c({ id: 'd', kind: 'litigation_direct', filedOn: '2023-11-01', concludedOn: '2024-04-01', result: 'other' }),
    c({ id: 'e', kind: 'litigation_after_review', filedOn: '2024-07-01' }),
    c({ id: 'f', kind: 'litigation_direct', filedOn: '2024-08-01', concludedOn: '2024-09-01', result: 'upheld', agencyRole: 'co_defendant_review_organ' }),
  ];

  it('default D8: cases filed in the year, status at 31 Dec; D9 co-defendant review organ not counted', () => {
    const t = compileSection4(cases, 2024, 'filed_in_year');
    expect(t.review).toEqual({ upheld: 1, corrected: 0, other: 0, pending: 1, total: 2 });
    expect(t.litigation_direct).toEqual({ upheld: 0, corrected: 0, other: 0, pending: 0, total: 0 });
    expect(t.litigation_after_review).toEqual({ upheld: 0, corrected: 0, other: 0, pending: 1, total: 1 });
  });

  it('alternative D8: concluded in the year plus pending at 31 Dec', () => {
    const t = compileSection4(cases, 2024, 'concluded_or_pending');
    expect(t.review).toEqual({ upheld: 1, corrected: 0, other: 0, pending: 1, total: 2 });
    expect(t.litigation_direct).toEqual({ upheld: 0, corrected: 0, other: 1, pending: 0, total: 1 });
    const next = compileSection4(cases, 2025, 'concluded_or_pending');
    expect(next.review).toEqual({ upheld: 0, corrected: 1, other: 0, pending: 0, total: 1 });
    expect(next.litigation_after_review.pending).toBe(1);
  });

  it('each group total is the sum of its four columns', () => {
    for (const basis of ['filed_in_year', 'concluded_or_pending'] as const) {
      const t = compileSection4(cases, 2024, basis);
      for (const g of Object.values(t)) expect(g.total).toBe(g.upheld + g.corrected + g.other + g.pending);
    }
  });
});
