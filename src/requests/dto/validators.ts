import { Transform } from 'class-transformer';
import { registerDecorator, ValidationArguments, ValidationOptions } from 'class-validator';
import { isIsoDate } from '../../domain/calendar';

/**
 * Unicode format characters (\p{Cf}: zero-width spaces and joiners, bidirectional overrides and
 * isolates, the BOM, soft hyphens): invisible, they make one name look like another or reverse
 * how a line reads (U+202E), so they never belong in a name or a description.
 */
const FORMAT_CONTROLS = /\p{Cf}/gu;

/** C0 and C1 controls and DEL; tab and line breaks are ordinary text in a description. */
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
 * control characters are refused.
 */
export function Trim(): PropertyDecorator {
  const transform = Transform(({ value }) => {
    if (typeof value !== 'string') return value;
    const trimmed = stripFormatControls(value).trim();
    return trimmed === '' ? undefined : trimmed;
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

const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECK = '10X98765432';

/** GB 11643: an 18-character 居民身份证 number with a valid birth date and check digit. */
export function isValidResidentId(value: string): boolean {
  if (!/^\d{17}[\dXx]$/.test(value)) return false;
  const birth = `${value.slice(6, 10)}-${value.slice(10, 12)}-${value.slice(12, 14)}`;
  if (!isIsoDate(birth)) return false;
  const sum = ID_WEIGHTS.reduce((acc, w, i) => acc + w * Number(value[i]), 0);
  return ID_CHECK[sum % 11] === value[17].toUpperCase();
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
          if (typeof value !== 'string' || value.length > 64) return false;
          const type = (args.object as { idDocumentType?: string }).idDocumentType;
          // Without a declared type, an 18-character number is taken as a resident ID.
          if (type === 'resident_id' || (!type && /^\d{17}[\dXx]$/.test(value))) return isValidResidentId(value);
          return /^[A-Za-z0-9()\-（）]{4,64}$/.test(value);
        },
        defaultMessage(args: ValidationArguments) {
          const type = (args.object as { idDocumentType?: string }).idDocumentType;
          return !type || type === 'resident_id' ? '居民身份证号码无效（应为 18 位，且校验位正确）。' : '证件号码格式无效。';
        },
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

/** Mainland mobile, landline with area code, or an international number. */
export const PHONE_PATTERN = /^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8}(-\d{1,6})?|\+\d{6,15})$/;
/** 统一社会信用代码 (GB 32100): 18 characters from the allowed alphabet. */
export const USCC_PATTERN = /^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$/;
