import { Transform } from 'class-transformer';
import { registerDecorator, ValidationArguments, ValidationOptions } from 'class-validator';
import { isValidCreditCode, isValidIdDocumentNumber, USCC_PATTERN } from '../../domain/applicants';
import { isIsoDate } from '../../domain/calendar';

/**
 * Unicode format characters (\p{Cf}: zero-width spaces and joiners, bidirectional overrides and
 * isolates, the BOM, soft hyphens): invisible, they make one name look like another or reverse
 * how a line reads (U+202E), so they never belong in a name or a description.
 */
const FORMAT_CONTROLS = /\p{Cf}/gu;

/** C0 and C1 controls and DEL; tab and line breaks are ordinary text in a description. */
// eslint-disable-next-line no-control-regex -- finding control characters is this pattern's purpose
const CONTROL_CHARACTERS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/;

export function stripFormatControls(value: string): string {
  return value.replace(FORMAT_CONTROLS, '');
}

export function hasControlCharacters(value: string): boolean {
  return CONTROL_CHARACTERS.test(value);
}

/**
 * Every text field of every intake path (staff and public API and forms, ledger import):
 * format characters are dropped, the text trimmed, an empty field becomes "absent", and
 * control characters are refused. `normalise` (src/domain/applicants/normalise.ts) then turns
 * what people type (full-width digits, phone groups) into the form the validators check.
 */
export function Trim(normalise?: (value: string) => string): PropertyDecorator {
  const transform = Transform(({ value }) => {
    if (typeof value !== 'string') return value;
    const trimmed = stripFormatControls(value).trim();
    if (trimmed === '') return undefined;
    return normalise ? normalise(trimmed) : trimmed;
  });
  return (target: object, propertyName: string | symbol) => {
    transform(target, propertyName);
    registerDecorator({
      name: 'noControlCharacters',
      target: target.constructor,
      propertyName: propertyName as string,
      options: { message: '不能包含控制字符。' },
      validator: { validate: (value: unknown) => typeof value !== 'string' || !hasControlCharacters(value) },
    });
  };
}

export function IsIdDocumentNumber(options?: ValidationOptions): PropertyDecorator {
  return (target: object, propertyName: string | symbol) =>
    registerDecorator({
      name: 'isIdDocumentNumber',
      target: target.constructor,
      propertyName: propertyName as string,
      options,
      validator: {
        validate(value: unknown, args: ValidationArguments) {
          return typeof value === 'string' && isValidIdDocumentNumber(value, (args.object as { idDocumentType?: string }).idDocumentType);
        },
        defaultMessage(args: ValidationArguments) {
          const type = (args.object as { idDocumentType?: string }).idDocumentType;
          return !type || type === 'resident_id' ? '居民身份证号码无效（应为 18 位，且校验位正确）。' : '证件号码格式无效。';
        },
      },
    });
}

/** GB 32100-2015: the shape, then the check character. */
export function IsCreditCode(options?: ValidationOptions): PropertyDecorator {
  return (target: object, propertyName: string | symbol) =>
    registerDecorator({
      name: 'isCreditCode',
      target: target.constructor,
      propertyName: propertyName as string,
      options,
      validator: {
        validate: (value: unknown) => typeof value === 'string' && isValidCreditCode(value),
        defaultMessage: (args: ValidationArguments) =>
          typeof args.value === 'string' && USCC_PATTERN.test(args.value)
            ? '统一社会信用代码的校验位不正确，请核对（常见原因是抄错了一位）。'
            : '统一社会信用代码应为 18 位数字或大写字母（不含 I、O、S、V、Z）。',
      },
    });
}

export function IsIsoDateString(options?: ValidationOptions): PropertyDecorator {
  return (target: object, propertyName: string | symbol) =>
    registerDecorator({
      name: 'isIsoDateString',
      target: target.constructor,
      propertyName: propertyName as string,
      options: { message: '日期格式应为 YYYY-MM-DD，且是有效日期。', ...options },
      validator: { validate: (value: unknown) => isIsoDate(value) },
    });
}

export { PHONE_PATTERN, USCC_PATTERN } from '../../domain/applicants';
