import { IsoDate, isIsoDate } from '../calendar';

/** 2025-06-20 → 2025年6月20日: the form dates take in official documents (no leading zeros, no spaces). */
export function chineseDate(date: IsoDate): string {
  if (!isIsoDate(date)) throw new RangeError(`not a YYYY-MM-DD date: ${date}`);
  const [y, m, d] = date.split('-').map(Number);
  return `${y}年${m}月${d}日`;
}
