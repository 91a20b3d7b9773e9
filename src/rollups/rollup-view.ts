/** A share as the roll-up and 督办 pages print it: 96.3%, or — without replies. */
export function percent(share: number | null): string {
  return share === null ? '—' : `${(Math.round(share * 1000) / 10).toFixed(1)}%`;
}
