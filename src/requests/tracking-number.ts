import { createHash, randomInt, timingSafeEqual } from 'node:crypto';
import { EntityManager } from 'typeorm';
import { AgencyEntity, ROOT_AGENCY_ID } from '../agencies/entities/agency.entity';
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
 * The prefix of an agency's new numbers: none while the platform has one agency (numbers as
 * before), else the agency's code in capitals and a dash, so numbers stay unique on the platform
 * while each agency counts its own (ZRZY-2026-000001).
 */
export async function trackingPrefix(manager: EntityManager, agencyId: number): Promise<string> {
  const agencies = await manager.count(AgencyEntity);
  if (agencies <= 1) return '';
  const agency = await manager.findOneByOrFail(AgencyEntity, { id: agencyId });
  return `${agency.code.toUpperCase()}-`;
}

/**
 * A block of consecutive numbers, year + per-year sequence of the agency, e.g. 2026-000042. The
 * UPDATE takes the row lock, so concurrent transactions (and instances, on PostgreSQL) serialize
 * on it and never share a number. UPDATE then read back; the row is created on first use.
 */
export async function allocateTrackingNumbers(manager: EntityManager, year: number, count: number, agencyId: number = ROOT_AGENCY_ID): Promise<string[]> {
  const prefix = await trackingPrefix(manager, agencyId);
  const bump = () =>
    manager
      .createQueryBuilder()
      .update(TrackingSequenceEntity)
      .set({ lastValue: () => `last_value + ${Number(count)}` })
      .where('agency_id = :agencyId AND year = :year', { agencyId, year })
      .execute();
  if (!(await bump()).affected) {
    // The year's counter starts after any number of that year already on record (rows restored or
    // back-entered without their counter), so a number given today never repeats an earlier one.
    const issued = await manager
      .createQueryBuilder()
      .select('MAX(r.tracking_number)', 'last')
      .from(InformationRequestEntity, 'r')
      .where('r.tracking_number LIKE :prefix', { prefix: `${prefix}${year}-%` })
      .getRawOne<{ last: string | null }>();
    const lastValue = issued?.last ? Number(issued.last.slice(prefix.length + 5)) || 0 : 0;
    await manager.createQueryBuilder().insert().into(TrackingSequenceEntity).values({ agencyId, year, lastValue }).orIgnore().execute();
    await bump();
  }
  const row = await manager.findOneByOrFail(TrackingSequenceEntity, { agencyId, year });
  return Array.from({ length: count }, (_, i) => `${prefix}${year}-${String(row.lastValue - count + 1 + i).padStart(6, '0')}`);
}
