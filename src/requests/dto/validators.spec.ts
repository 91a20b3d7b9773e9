import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { hasControlCharacters, stripFormatControls, Trim } from './validators';

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
