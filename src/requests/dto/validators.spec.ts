import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { hasControlCharacters, isValidResidentId, PHONE_PATTERN, stripFormatControls, Trim, USCC_PATTERN } from './validators';

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

describe('text cleaning on intake (Trim)', () => {
  class Form {
    @Trim()
    name?: string;
  }
  const clean = (name: string) => {
    const form = plainToInstance(Form, { name });
    return { value: form.name, errors: validateSync(form).map((e) => Object.values(e.constraints ?? {})).flat() };
  };

  it.each([
    ['\u202E张三', '张三'],
    ['张\u200B三', '张三'],
    ['\u2066李\u2069四\u200F', '李四'],
    ['\uFEFF王五\u00AD', '王五'],
    ['  赵\u200D六  ', '赵六'],
  ])('drops format characters from %j', (input, stored) => {
    expect(clean(input)).toEqual({ value: stored, errors: [] });
  });

  it('keeps tabs and line breaks, refuses other control characters', () => {
    expect(clean('第一行\r\n第二行\t完').errors).toEqual([]);
    for (const bad of ['a\u0000b', 'a\u0007b', 'a\u001bb', 'a\u007fb', 'a\u0085b']) expect(clean(bad).errors).toEqual(['不能包含控制字符。']);
  });

  it('a field of format characters alone is absent', () => {
    expect(clean('\u200B\u202E').value).toBeUndefined();
    expect(stripFormatControls('a\u200Bb')).toBe('ab');
    expect(hasControlCharacters('正常文本')).toBe(false);
  });
});
