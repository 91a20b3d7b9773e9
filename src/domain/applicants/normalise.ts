/**
 * Input as people type it: a Chinese input method gives full-width digits and letters
 * ("１１０１０５…", "２０２６－０００００１"), phones are written in groups ("138 1234 5678"), and a
 * tracking number is copied without its dash. Each normaliser returns the canonical form that
 * the validators then check; what it cannot recognise it returns unchanged (trimmed), so the
 * validator's message names the real problem.
 */

/** Dashes and minus signs people type for "-" (full-width, en/em dash, minus, hyphen). */
const DASHES = /[\u2010-\u2015\u2212\uFE58\uFE63\uFF0D\u30FC]/g;
const SPACES = /[\s\u3000]+/g;

/** Full-width ASCII (U+FF01–U+FF5E) to ASCII, the ideographic space to a space, dashes to "-". */
export function toHalfWidth(value: string): string {
  return value
    .replace(/[\uFF01-\uFF5E]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0))
    .replace(/\u3000/g, ' ')
    .replace(DASHES, '-');
}

/** An identity document number: half-width, no spaces; a resident ID's check character "x" as "X". */
export function normaliseIdDocumentNumber(value: string): string {
  const compact = toHalfWidth(value).replace(SPACES, '');
  return /^\d{17}[xX]$/.test(compact) ? compact.toUpperCase() : compact;
}

/** 统一社会信用代码: half-width, no spaces or dashes, upper case (GB 32100 uses capitals only). */
export function normaliseCreditCode(value: string): string {
  return toHalfWidth(value).replace(SPACES, '').replace(/-/g, '').toUpperCase();
}

/**
 * A phone number: a mobile written in groups becomes its 11 digits; a landline keeps one dash
 * after its area code ("(010) 1234 5678" → "010-12345678"); an international number is "+" and
 * its digits.
 */
export function normalisePhone(value: string): string {
  const text = toHalfWidth(value).trim().replace(/[()]/g, ' ').trim();
  if (!/^\+?[\d\s-]+$/.test(text)) return text;
  const digits = text.replace(/\D/g, '');
  if (text.startsWith('+')) return `+${digits}`;
  if (/^1[3-9]\d{9}$/.test(digits)) return digits;
  const landline = /^(0\d{2,3})[\s-]+([\d\s-]+)$/.exec(text);
  if (landline) {
    const local = landline[2].replace(/\D/g, '');
    if (/^\d{7,8}$/.test(local)) return `${landline[1]}-${local}`;
  }
  return /\s/.test(text) ? text.replace(SPACES, '') : text;
}

/** An e-mail address: half-width ("＠" from an input method), no spaces. */
export function normaliseEmail(value: string): string {
  return toHalfWidth(value).replace(SPACES, '');
}

/**
 * A tracking number: "2026－000001", "2026 000001" and "2026000001" all mean 2026-000001; with
 * an agency's prefix (D22), "zrzy－2026－000001" and "ZRZY2026000001" mean ZRZY-2026-000001.
 */
export function normaliseTrackingNumber(value: string): string {
  const compact = toHalfWidth(value).replace(SPACES, '');
  const m = /^(\d{4})-?(\d{6,})$/.exec(compact);
  if (m) return `${m[1]}-${m[2]}`;
  const prefixed = /^([A-Za-z][A-Za-z0-9]{1,7})-?(\d{4})-?(\d{6,})$/.exec(compact);
  return prefixed ? `${prefixed[1].toUpperCase()}-${prefixed[2]}-${prefixed[3]}` : compact;
}

/** An access code: half-width, no spaces, upper case (it is printed in capitals). */
export function normaliseAccessCode(value: string): string {
  return toHalfWidth(value).replace(SPACES, '').toUpperCase();
}

/**
 * A date as ledgers write it: 2025-03-07, 2025-3-7, 2025/3/7, 2025.3.7, 2025年3月7日 (also
 * with full-width digits, or Excel's trailing "0:00"), as YYYY-MM-DD. Whether that day exists
 * is the validator's question.
 */
export function normaliseDate(value: string): string {
  const text = toHalfWidth(value).trim();
  const m = /^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?$/.exec(text);
  return m ? `${m[1]}-${m[2].padStart(2, '0')}-${m[3].padStart(2, '0')}` : text;
}
