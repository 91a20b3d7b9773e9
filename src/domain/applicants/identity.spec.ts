import { creditCodeCheckCharacter, isValidCreditCode, isValidIdDocumentNumber, isValidResidentId, PHONE_PATTERN, USCC_PATTERN } from './identity';

describe('resident ID (GB 11643)', () => {
  it.each(['11010519491231002X', '11010519491231002x', '310101199003075514'])('accepts %s (check digit fits)', (id) => {
    expect(isValidResidentId(id)).toBe(true);
  });
  it.each(['110105194912310021', '11010519491331002X', '1101051949123100', '11010519491231002Y', '310101199002305514', '440524188001010014'])('refuses %s (bad digit, date or an 1880 birth)', (id) => {
    expect(isValidResidentId(id)).toBe(false);
  });
});

describe('phone and credit code patterns', () => {
  it.each(['13800138000', '010-12345678', '0755-1234567', '+85212345678'])('phone %s ok', (p) => expect(PHONE_PATTERN.test(p)).toBe(true));
  it.each(['12345', '23800138000', 'abc'])('phone %s refused', (p) => expect(PHONE_PATTERN.test(p)).toBe(false));
  it('credit code', () => {
    expect(USCC_PATTERN.test('91350100M000100Y43')).toBe(true);
    expect(USCC_PATTERN.test('91350100M000100Y4')).toBe(false);
  });
});

describe('identity document numbers by declared type', () => {
  it('a resident ID is checked by its check digit, declared or not', () => {
    expect(isValidIdDocumentNumber('11010519491231002X', 'resident_id')).toBe(true);
    expect(isValidIdDocumentNumber('110105194912310021', 'resident_id')).toBe(false);
    expect(isValidIdDocumentNumber('110105194912310021', undefined)).toBe(false);
  });
  it('other documents by their characters only', () => {
    expect(isValidIdDocumentNumber('E12345678', 'passport')).toBe(true);
    expect(isValidIdDocumentNumber('110105194912310021', 'passport')).toBe(true);
    expect(isValidIdDocumentNumber('E1 2345678', 'passport')).toBe(false);
    expect(isValidIdDocumentNumber('A'.repeat(65), 'passport')).toBe(false);
  });
});

describe('统一社会信用代码 check character (GB 32100-2015)', () => {
  it.each(['91350100M000100Y43', '914403001922038216', '91110000802100433B', '12100000400000624D'])('accepts %s', (code) => {
    expect(isValidCreditCode(code)).toBe(true);
  });
  it.each([
    ['91110108MA01ABCD2X', 'wrong check character (should be H)'],
    ['91350100M000100Y44', 'last character altered'],
    ['91350100M000010Y43', 'two characters swapped'],
    ['91350100M000100Y4', 'too short'],
    ['9135010OM000100Y43', 'O is not in the alphabet'],
  ])('refuses %s: %s', (code) => {
    expect(isValidCreditCode(code)).toBe(false);
  });
  it('computes the check character from the first 17', () => {
    expect(creditCodeCheckCharacter('91110108MA01ABCD2')).toBe('H');
    expect(isValidCreditCode('91110108MA01ABCD2H')).toBe(true);
  });
});
