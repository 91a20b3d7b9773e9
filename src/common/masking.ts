/** Keeps the last four characters: 110101********1234 → ****1234 (domain §7). */
export function maskTail(value: string | null | undefined, keep = 4): string | null {
  if (!value) return null;
  if (value.length <= keep) return '*'.repeat(value.length);
  return '*'.repeat(Math.min(value.length - keep, 8)) + value.slice(-keep);
}
