import { createHash, randomInt, timingSafeEqual } from 'node:crypto';
import { EntityManager } from 'typeorm';
import { InformationRequestEntity } from './entities/information-request.entity';
import { TrackingSequenceEntity } from './entities/tracking-sequence.entity';

/** No 0/O, 1/I/L: codes are read over the phone and copied by hand. */
const ACCESS_CODE_ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';

export function generateAccessCode(length = 8): string {
  let code = '';
  for (let i = 0; i < length; i++) code += ACCESS_CODE_ALPHABET[randomInt(ACCESS_CODE_ALPHABET.length)];
  return code;
}

export function hashAccessCode(trackingNumber: string, accessCode: string): string {
  return createHash('sha256').update(`${trackingNumber}:${accessCode.trim().toUpperCase()}`).digest('hex');
}

export function accessCodeMatches(trackingNumber: string, accessCode: string, storedHash: string): boolean {
  const a = Buffer.from(hashAccessCode(trackingNumber, accessCode), 'hex');
  const b = Buffer.from(storedHash, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * A block of consecutive numbers, year + per-year sequence, e.g. 2026-000042. The UPDATE takes
 * the row lock, so concurrent transactions (and instances, on PostgreSQL) serialize on it and
 * never share a number. UPDATE then read back; the year's row is created on first use.
 */
export async function allocateTrackingNumbers(manager: EntityManager, year: number, count: number): Promise<string[]> {
  const bump = () =>
    manager
      .createQueryBuilder()
      .update(TrackingSequenceEntity)
      .set({ lastValue: () => `last_value + ${Number(count)}` })
      .where('year = :year', { year })
      .execute();
  if (!(await bump()).affected) {
    // The year's counter starts after any number of that year already on record (rows restored or
    // back-entered without their counter), so a number given today never repeats an earlier one.
    const issued = await manager
      .createQueryBuilder()
      .select('MAX(r.tracking_number)', 'last')
      .from(InformationRequestEntity, 'r')
      .where('r.tracking_number LIKE :prefix', { prefix: `${year}-%` })
      .getRawOne<{ last: string | null }>();
    const lastValue = issued?.last ? Number(issued.last.slice(5)) || 0 : 0;
    await manager.createQueryBuilder().insert().into(TrackingSequenceEntity).values({ year, lastValue }).orIgnore().execute();
    await bump();
  }
  const row = await manager.findOneByOrFail(TrackingSequenceEntity, { year });
  return Array.from({ length: count }, (_, i) => `${year}-${String(row.lastValue - count + 1 + i).padStart(6, '0')}`);
}
