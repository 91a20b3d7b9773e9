import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { validateInput } from '../../common/validation';
import { CreateRequestDto } from './request.dto';
import { hasControlCharacters, stripFormatControls, Trim } from './validators';

describe('text cleaning on intake (Trim)', () => {
  class Form {
    @Trim()
    name?: string;
  }
  const clean = (name: string) => {
    const form = plainToInstance(Form, { name });
    return {
      value: form.name,
      errors: validateSync(form)
        .map((e) => Object.values(e.constraints ?? {}))
        .flat(),
    };
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

describe('the applicant fields of every intake path: normalised, then validated', () => {
  const applicant = (fields: Record<string, string>) =>
    validateInput(CreateRequestDto, { applicant: { type: 'natural_person', name: '张三', ...fields }, channel: 'in_person', receivedOn: '2026-03-02', description: '某信息' });

  it('takes full-width digits, phone groups and a lower-case credit code as typed', () => {
    const checked = applicant({ idDocumentNumber: '１１０１０５１９４９１２３１００２ｘ', phone: '138 1234 5678', organisationCode: '91350100m000100y43', email: 'zhang＠example.com' });
    expect(checked.fields).toBeNull();
    expect(checked.value?.applicant).toMatchObject({ idDocumentNumber: '11010519491231002X', phone: '13812345678', organisationCode: '91350100M000100Y43', email: 'zhang@example.com' });
  });

  it('refuses a credit code whose check character is wrong, in Chinese', () => {
    expect(applicant({ organisationCode: '91110108MA01ABCD2X' }).fields).toEqual({ 'applicant.organisationCode': '统一社会信用代码的校验位不正确，请核对（常见原因是抄错了一位）。' });
    expect(applicant({ organisationCode: '91110108MA01ABCD2' }).fields).toEqual({ 'applicant.organisationCode': '统一社会信用代码应为 18 位数字或大写字母（不含 I、O、S、V、Z）。' });
  });
});
