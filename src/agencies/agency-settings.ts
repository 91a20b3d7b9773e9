import { EntityManager } from 'typeorm';
import { AgencySettingEntity } from '../reports/entities/agency-setting.entity';

/** D6: whether a fee notice pauses the reply clock, per agency; the configuration's FEE_PAUSES_CLOCK until an agency sets it. */
export const FEE_PAUSES_CLOCK = 'fee_pauses_clock';

export async function feePausesClockOf(m: EntityManager, agencyId: number, fallback: boolean): Promise<boolean> {
  const row = await m.findOneBy(AgencySettingEntity, { agencyId, key: FEE_PAUSES_CLOCK });
  return row ? row.value === 'true' : fallback;
}
