import { searchCondition, searchTerms, trailingDigits } from './request-search';

describe('search of a number on PostgreSQL: candidates by its last six digits', () => {
  it.each([
    ['2025-168323', '168323'],
    ['2025168323', '168323'],
    ['2025－168323', '168323'],
    ['xzf2025000123', '000123'],
    ['XZF-2025-000123', '000123'],
    ['110111199903296334', '296334'],
    ['11011119990329633X', '329633'],
    ['2026-0012', null],
    ['拆迁补偿', null],
    ['第12345号', null],
  ])('%s → %s', (q, digits) => {
    expect(trailingDigits(searchTerms(q))).toBe(digits);
  });

  it('every form of the term holds the digits, and the term itself still decides', () => {
    for (const q of ['2025168323', 'xzf-2025-000123']) {
      const digits = trailingDigits(searchTerms(q))!;
      for (const t of searchTerms(q)) expect(t).toContain(digits);
    }
    const { where, params } = searchCondition('postgres', '2025-168323');
    expect(params.searchDigits).toBe('%168323%');
    expect(params.searchLike0).toBe('%2025-168323%');
    expect(where).toContain('st.text LIKE :searchDigits');
    expect(where).toContain('st.text LIKE :searchLike0');
    expect(where).toContain('sa.id_document_number LIKE :searchLike0');
  });

  it('a term with a space is decided on the number and the description, which it must not span', () => {
    expect(searchCondition('postgres', 'Road Plan').where).toContain('sr.description LIKE :searchLike0');
    expect(searchCondition('postgres', '拆迁补偿').where).not.toContain('sr.description LIKE');
  });
});
