import { QueryFailedError } from 'typeorm';

export function isUniqueViolation(e: unknown): boolean {
  if (!(e instanceof QueryFailedError)) return false;
  const err = e.driverError as { code?: string; message?: string };
  return err?.code === '23505' || (err?.code === 'SQLITE_CONSTRAINT' && /UNIQUE|PRIMARY KEY/i.test(err.message ?? ''));
}
