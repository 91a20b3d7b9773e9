/** Small helpers that keep typed text from breaking the punctuation of a notice. */

const TRAILING = /[\s。．.，,；;：:、！!？?]+$/u;
const LEADING = /^[\s。．.，,；;：:、]+/u;

/**
 * Text a user typed, made fit to sit inside a sentence: whitespace runs collapsed, and no
 * punctuation at either end (the notice adds its own), so "…时间。" never becomes "…时间。。".
 */
export function clause(value: unknown): string {
  if (typeof value !== 'string') return '';
  return value.replace(/\s+/gu, ' ').replace(TRAILING, '').replace(LEADING, '').trim();
}

/** A clause followed by 。, or nothing when there is no text. */
export function sentence(prefix: string, value: unknown): string {
  const c = clause(value);
  return c ? `${prefix}${c}。` : '';
}

/** A typed reason without a leading 因/由于 that the notice already writes ("因因…"). */
export function withoutLead(value: string, leads: string[]): string {
  for (const lead of leads) if (value.startsWith(lead) && value.length > lead.length) return value.slice(lead.length);
  return value;
}

const DIGITS = ['零', '一', '二', '三', '四', '五', '六', '七', '八', '九'];

/** 1 → 一, 10 → 十, 21 → 二十一 (item numbers: at most 99). */
export function chineseNumeral(n: number): string {
  if (!Number.isInteger(n) || n < 1 || n > 99) return String(n);
  if (n < 10) return DIGITS[n];
  const tens = Math.floor(n / 10);
  const ones = n % 10;
  return `${tens === 1 ? '' : DIGITS[tens]}十${ones ? DIGITS[ones] : ''}`;
}

export const REGULATIONS = '《中华人民共和国政府信息公开条例》';
export const REGULATIONS_SHORT = '《条例》';
/** The first mention of the Regulations in a notice that cites them again later. */
export const REGULATIONS_DEFINED = `${REGULATIONS}（以下简称${REGULATIONS_SHORT}）`;
export const FEE_MEASURES = '《政府信息公开信息处理费管理办法》';
export const FEE_MEASURES_FULL = `${FEE_MEASURES}（国办函〔2020〕109号）`;

/**
 * The 依据 line from statute references such as "《条例》第十四条、第三十六条第（三）项":
 * the Regulations named once in full, each reference once, other instruments after a ；.
 */
export function basisLine(references: string[]): string | null {
  const articles: string[] = [];
  const others: string[] = [];
  for (const raw of references) {
    const ref = raw.trim();
    if (!ref || ref === '—') continue;
    if (ref.startsWith(REGULATIONS_SHORT) || ref.startsWith(REGULATIONS)) {
      const rest = ref.replace(REGULATIONS_SHORT, '').replace(REGULATIONS, '');
      if (rest && !articles.includes(rest)) articles.push(rest);
      else if (!rest && !articles.length) articles.push('');
    } else {
      const full = ref === FEE_MEASURES ? FEE_MEASURES_FULL : ref;
      if (!others.includes(full)) others.push(full);
    }
  }
  const parts: string[] = [];
  const named = articles.filter(Boolean);
  if (named.length || articles.length) parts.push(`${REGULATIONS}${named.join('、')}`);
  parts.push(...others);
  return parts.length ? parts.join('；') : null;
}
