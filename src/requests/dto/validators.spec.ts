import { isValidResidentId, PHONE_PATTERN, USCC_PATTERN } from './validators';

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
