import { QueryFailedError } from 'typeorm';

export function isUniqueViolation(e: unknown): boolean {
  if (!(e instanceof QueryFailedError)) return false;
  const err = e.driverError as { code?: string; message?: string };
  return err?.code === '23505' || (err?.code === 'SQLITE_CONSTRAINT' && /UNIQUE|PRIMARY KEY/i.test(err.message ?? ''));
}

const UNAVAILABLE_CODES = new Set([
  'SQLITE_BUSY',
  'SQLITE_LOCKED',
  'SQLITE_FULL',
  'SQLITE_IOERR',
  'SQLITE_READONLY',
  '57P01',
  '57P02',
  '57P03',
  '53300',
  '53100',
  '08000',
  '08001',
  '08003',
  '08006',
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
]);

/** The database is busy, full or unreachable: a 503 the client may retry, never a 500. */
export function isDatabaseUnavailable(exception: unknown): boolean {
  const e = exception as { code?: string; driverError?: { code?: string }; message?: string };
  const code = e?.driverError?.code ?? e?.code;
  if (code && UNAVAILABLE_CODES.has(code)) return true;
  return /Connection terminated|timeout exceeded when trying to connect|database is locked/i.test(String(e?.message ?? ''));
}
