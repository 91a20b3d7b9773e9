import { currentAgencyId } from '../agencies/agency-scope';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, In, Repository } from 'typeorm';
import { Clock } from '../common/clock';
import { UnitOfWork } from '../common/unit-of-work';
import { ValidationFailedError } from '../domain/errors';
import { RemedyBodies } from '../domain/notices';
import { AgencySettingEntity } from '../reports/entities/agency-setting.entity';

/** Keys of the two D16 settings in agency_setting. */
export const REMEDY_SETTING_KEYS: Record<keyof RemedyBodies, string> = {
  reviewOrgan: 'remedy_review_organ',
  court: 'remedy_court',
};

const MAX_NAME = 100;

/** A change to the settings: a missing field stays as it is; null or "" clears it. */
export type RemedySettingsInput = Partial<Record<keyof RemedyBodies, unknown>>;

/** D16: the review organ and the court that reply notices name. */
@Injectable()
export class RemedySettingsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly unitOfWork: UnitOfWork,
    private readonly clock: Clock,
  ) {}

  /** AgencySettingEntity rows, through the one data source (no per-module repository providers). */
  private get settings(): Repository<AgencySettingEntity> {
    return this.dataSource.getRepository(AgencySettingEntity);
  }

  /** The agency's remedies (D16): the current agency's unless named (a request's own). */
  async current(agencyId: number = currentAgencyId(), m?: EntityManager): Promise<RemedyBodies> {
    const where = { agencyId, key: In(Object.values(REMEDY_SETTING_KEYS)) };
    const rows = await (m ? m.findBy(AgencySettingEntity, where) : this.settings.findBy(where));
    const value = (key: string) => rows.find((r) => r.key === key)?.value.trim() || null;
    return { reviewOrgan: value(REMEDY_SETTING_KEYS.reviewOrgan), court: value(REMEDY_SETTING_KEYS.court) };
  }

  /** Validates and stores the given settings in one transaction; returns the settings in force. */
  async save(input: RemedySettingsInput, actor: string): Promise<RemedyBodies> {
    const changes = validateRemedySettings(input);
    const now = this.clock.nowIso();
    const agencyId = currentAgencyId();
    await this.unitOfWork.run(async (m) => {
      for (const [field, value] of Object.entries(changes) as Array<[keyof RemedyBodies, string | null]>) {
        await m.save(AgencySettingEntity, { agencyId, key: REMEDY_SETTING_KEYS[field], value: value ?? '', updatedAt: now, updatedBy: actor.slice(0, 100) });
      }
    });
    return this.current();
  }
}

/** Checks each given field; throws with a Chinese message per field. */
export function validateRemedySettings(input: RemedySettingsInput): Partial<RemedyBodies> {
  const fields: Record<string, string> = {};
  const out: Partial<RemedyBodies> = {};
  const labels: Record<keyof RemedyBodies, string> = { reviewOrgan: '行政复议机关', court: '人民法院' };
  for (const field of Object.keys(REMEDY_SETTING_KEYS) as Array<keyof RemedyBodies>) {
    if (!(field in input) || input[field] === undefined) continue;
    const raw = input[field];
    if (raw !== null && typeof raw !== 'string') {
      fields[field] = `${labels[field]}必须是文本。`;
      continue;
    }
    const value = (raw ?? '').trim();
    if (!value) {
      out[field] = null;
    } else if (value.length > MAX_NAME) {
      fields[field] = `${labels[field]}的名称最多 ${MAX_NAME} 个字符。`;
    } else if (/[\p{Cc}{}<>]/u.test(value) || /\s/u.test(value)) {
      fields[field] = `${labels[field]}的名称不能含有空格、换行或 {}<> 等符号。`;
    } else if (/[。，；：、,.;:！？!?]$/u.test(value)) {
      fields[field] = `${labels[field]}的名称末尾不能带标点符号。`;
    } else if (field === 'court' && !value.endsWith('法院')) {
      fields[field] = '请填写人民法院的全称，如“某某县人民法院”。';
    } else {
      out[field] = value;
    }
  }
  if (Object.keys(fields).length) throw new ValidationFailedError(fields);
  return out;
}
