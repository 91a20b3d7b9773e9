import { compileSection4 } from './section4';
import { carriedFromRecords, changedCells, placementLabel } from './publication-diff';

describe('publication diff (D20)', () => {
  const empty4 = compileSection4([], 2025, 'filed_in_year');

  it('lists exactly the cells whose figure moved, with both figures', () => {
    const published = { new_received: [1, 0, 0, 0, 0, 0, 1], granted: [0, 2, 0, 0, 0, 0, 2] };
    const current = { new_received: [1, 0, 0, 0, 0, 0, 1], granted: [0, 1, 0, 0, 0, 0, 1] };
    const moved4 = { ...empty4, review: { ...empty4.review, upheld: 1, total: 1 } };
    expect(changedCells(published, current, empty4, moved4)).toEqual([
      { section: 3, row: 'granted', column: 'commercial_enterprise', published: 2, current: 1 },
      { section: 3, row: 'granted', column: 'total', published: 2, current: 1 },
      { section: 4, row: 'review', column: 'upheld', published: 0, current: 1 },
      { section: 4, row: 'review', column: 'total', published: 0, current: 1 },
    ]);
    expect(changedCells(published, published, empty4, empty4)).toEqual([]);
  });

  it('names a placement in the table words', () => {
    expect(placementLabel('request', 'natural_person:new_received,granted', '2021')).toBe('自然人：一、本年新收政府信息公开申请数量；（一）予以公开');
    expect(placementLabel('request', '', '2021')).toBe('（不计入）');
  });

  it("last year's 四 from the records is this year's 二, by column", () => {
    expect(
      carriedFromRecords([
        { applicantType: 'natural_person', received: 'before', concluded: 'in', outcome: 'granted', count: 2 },
        { applicantType: 'other_org', received: 'before', concluded: 'open', outcome: null, count: 1 },
        { applicantType: 'natural_person', received: 'in', concluded: 'open', outcome: null, count: 5 },
      ]),
    ).toEqual([2, 0, 0, 0, 0, 1, 3]);
  });
});
