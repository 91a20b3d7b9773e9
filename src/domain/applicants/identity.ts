import { isIsoDate } from '../calendar';

const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECK = '10X98765432';

/** The shape of an 18-character 居民身份证 number (17 digits and a check character). */
export const RESIDENT_ID_SHAPE = /^\d{17}[\dXx]$/;

/** GB 11643: an 18-character 居民身份证 number with a valid birth date and check digit. */
export function isValidResidentId(value: string): boolean {
  if (!RESIDENT_ID_SHAPE.test(value)) return false;
  const birth = `${value.slice(6, 10)}-${value.slice(10, 12)}-${value.slice(12, 14)}`;
  if (!isIsoDate(birth)) return false;
  const sum = ID_WEIGHTS.reduce((acc, w, i) => acc + w * Number(value[i]), 0);
  return ID_CHECK[sum % 11] === value[17].toUpperCase();
}

/** Another identity document (passport, 港澳台 permits…): letters, digits, dashes and brackets. */
export const OTHER_ID_DOCUMENT = /^[A-Za-z0-9()\-（）]{4,64}$/;

/**
 * An identity document number of the declared type; without a declared type an 18-character
 * number is taken as a resident ID.
 */
export function isValidIdDocumentNumber(value: string, type: string | undefined): boolean {
  if (value.length > 64) return false;
  if (type === 'resident_id' || (!type && RESIDENT_ID_SHAPE.test(value))) return isValidResidentId(value);
  return OTHER_ID_DOCUMENT.test(value);
}

/** Mainland mobile, landline with area code, or an international number. */
export const PHONE_PATTERN = /^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8}(-\d{1,6})?|\+\d{6,15})$/;
/** 统一社会信用代码 (GB 32100): 18 characters from the allowed alphabet. */
export const USCC_PATTERN = /^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$/;

/** GB 32100-2015 §5: the 31 code characters (no I, O, S, V, Z), valued 0–30 in this order. */
const USCC_ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
/** The weights of positions 1–17: 3^(i-1) mod 31. */
const USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

/** The check character a 统一社会信用代码 ends with, from its first 17 characters. */
export function creditCodeCheckCharacter(first17: string): string {
  const sum = USCC_WEIGHTS.reduce((acc, w, i) => acc + w * USCC_ALPHABET.indexOf(first17[i]), 0);
  return USCC_ALPHABET[(31 - (sum % 31)) % 31];
}

/** A 统一社会信用代码 of the right shape whose 18th character is its check character (GB 32100-2015). */
export function isValidCreditCode(value: string): boolean {
  return USCC_PATTERN.test(value) && creditCodeCheckCharacter(value) === value[17];
}
