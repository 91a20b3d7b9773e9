import { Outcome, OUTCOME_INFO, OUTCOMES } from '../lifecycle/codes';

/**
 * Art. 36(六): a request that repeats one already answered may be told so. The system only
 * points staff to earlier concluded requests of the same applicant whose description is at least
 * this similar; whether it is a repeat stays the handler's judgement.
 */
export const REPEAT_SIMILARITY = 0.6;

/** Dice coefficient over character bigrams of the text without spaces and punctuation. */
export function textSimilarity(a: string, b: string): number {
  const norm = (s: string) => s.replace(/[\s\p{P}\p{S}]/gu, '').toLowerCase();
  const grams = (s: string) => {
    const list: string[] = [];
    for (let i = 0; i < s.length - 1; i++) list.push(s.slice(i, i + 2));
    return list;
  };
  const x = norm(a);
  const y = norm(b);
  if (x === y) return 1;
  const gx = grams(x);
  const gy = grams(y);
  if (!gx.length || !gy.length) return 0;
  const counts = new Map<string, number>();
  for (const g of gx) counts.set(g, (counts.get(g) ?? 0) + 1);
  let shared = 0;
  for (const g of gy) {
    const n = counts.get(g) ?? 0;
    if (n > 0) {
      shared++;
      counts.set(g, n - 1);
    }
  }
  return Math.round(((2 * shared) / (gx.length + gy.length)) * 100) / 100;
}

/** Whether an earlier description is similar enough to be shown as a possible repeat. */
export function isPossibleRepeat(similarity: number): boolean {
  return similarity >= REPEAT_SIMILARITY;
}

/**
 * Outcomes that did not answer the request on its substance (Section 3 row （六）其他处理: the
 * applicant did not correct or pay, or other handling): a later request for the same is no repeat.
 */
export const NOT_ANSWERED_OUTCOMES: readonly Outcome[] = OUTCOMES.filter((o) => OUTCOME_INFO[o].family === 'other');
