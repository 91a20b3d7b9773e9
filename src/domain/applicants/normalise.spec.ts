import { isValidIdDocumentNumber, isValidCreditCode, PHONE_PATTERN } from './identity';
import { normaliseAccessCode, normaliseDate, normaliseCreditCode, normaliseEmail, normaliseIdDocumentNumber, normalisePhone, normaliseTrackingNumber, toHalfWidth } from './normalise';

describe('normalising input as people type it', () => {
  it('turns full-width digits, letters, the ideographic space and dashes into ASCII', () => {
    expect(toHalfWidth('１１０１０５ＡＢｃ\u3000２０２６－０１')).toBe('110105ABc 2026-01');
  });

  it.each([
    ['１１０１０５１９４９１２３１００２Ｘ', '11010519491231002X'],
    ['11010519491231002x', '11010519491231002X'],
    ['110105 19491231 002X', '11010519491231002X'],
    ['Ｅ１２３４５６７８', 'E12345678'],
  ])('ID number %s → %s, then valid', (typed, canonical) => {
    expect(normaliseIdDocumentNumber(typed)).toBe(canonical);
    expect(isValidIdDocumentNumber(normaliseIdDocumentNumber(typed), canonical.startsWith('E') ? 'passport' : 'resident_id')).toBe(true);
  });

  it.each([
    ['９１３５０１００Ｍ０００１００Ｙ４３', '91350100M000100Y43'],
    ['91350100m000100y43', '91350100M000100Y43'],
    ['9135 0100 M000 100Y 43', '91350100M000100Y43'],
  ])('credit code %s → %s, then valid', (typed, canonical) => {
    expect(normaliseCreditCode(typed)).toBe(canonical);
    expect(isValidCreditCode(normaliseCreditCode(typed))).toBe(true);
  });

  it.each([
    ['138 1234 5678', '13812345678'],
    ['138-1234-5678', '13812345678'],
    ['１３８１２３４５６７８', '13812345678'],
    ['(010) 1234 5678', '010-12345678'],
    ['010 12345678', '010-12345678'],
    ['0755－1234567', '0755-1234567'],
    ['010-12345678-123', '010-12345678-123'],
    ['+852 1234 5678', '+85212345678'],
  ])('phone %s → %s, then valid', (typed, canonical) => {
    expect(normalisePhone(typed)).toBe(canonical);
    expect(PHONE_PATTERN.test(normalisePhone(typed))).toBe(true);
  });

  it('leaves what is not a phone number for the validator to refuse', () => {
    expect(normalisePhone('abc')).toBe('abc');
    expect(PHONE_PATTERN.test(normalisePhone('12345'))).toBe(false);
  });

  it.each([
    ['2026－000001', '2026-000001'],
    ['2026000001', '2026-000001'],
    ['２０２６０００００１', '2026-000001'],
    [' 2026 - 000001 ', '2026-000001'],
    ['2026—000001', '2026-000001'],
    ['2026-000001', '2026-000001'],
    // D22: agency-prefixed numbers, typed in lower case, with full-width dashes or none.
    ['zrzy－2026－000001', 'ZRZY-2026-000001'],
    ['ZRZY2026000001', 'ZRZY-2026-000001'],
    ['ｚｒｚｙ—２０２６—０００００１', 'ZRZY-2026-000001'],
    ['jy2 2026 000012', 'JY2-2026-000012'],
  ])('tracking number %s → %s', (typed, canonical) => {
    expect(normaliseTrackingNumber(typed)).toBe(canonical);
  });

  it('leaves an unrecognisable tracking number as typed (it is simply not found)', () => {
    expect(normaliseTrackingNumber('26-1')).toBe('26-1');
  });

  it('e-mail and access codes', () => {
    expect(normaliseEmail('ｚｈａｎｇ＠ｅｘａｍｐｌｅ．ｃｏｍ')).toBe('zhang@example.com');
    expect(normaliseAccessCode('ａｂｃｄ ２３４５')).toBe('ABCD2345');
  });
});

describe('dates as ledgers write them', () => {
  it.each([
    ['2025-03-07', '2025-03-07'],
    ['2025/3/7', '2025-03-07'],
    ['2025年3月7日', '2025-03-07'],
    ['２０２５年３月７日', '2025-03-07'],
    ['2025.3.7', '2025-03-07'],
    ['2025/3/7 0:00', '2025-03-07'],
    [' 2025-3-17 ', '2025-03-17'],
  ])('%s → %s', (typed, iso) => {
    expect(normaliseDate(typed)).toBe(iso);
  });
  it('leaves anything else as written, for the validator to refuse', () => {
    expect(normaliseDate('3/7/2025')).toBe('3/7/2025');
    expect(normaliseDate('去年三月')).toBe('去年三月');
  });
});
