import { ValidationFailedError } from '../domain/errors';

/**
 * A `page` query parameter: absent means 1; otherwise up to five digits. `Number('1e308')` is a
 * finite integer whose offset is not, so anything else is refused rather than coerced.
 */
export function parsePageParam(raw: unknown): number {
  if (raw === undefined || raw === '') return 1;
  if (typeof raw !== 'string' || !/^\d{1,5}$/.test(raw)) throw new ValidationFailedError({ page: '页码必须是正整数。' });
  return Math.max(1, Number(raw));
}
