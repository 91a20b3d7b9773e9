import { currentAgencyId } from '../agencies/agency-scope';
import { Inject, Injectable } from '@nestjs/common';
import { FEE_PAUSES_CLOCK, feePausesClockOf } from '../agencies/agency-settings';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, Repository } from 'typeorm';
import { Clock } from '../common/clock';
import { UnitOfWork } from '../common/unit-of-work';
import { ValidationFailedError } from '../domain/errors';
import { Section4Basis, SECTION4_BASIS_VALUES } from '../domain/report';
import { AgencySettingEntity } from './entities/agency-setting.entity';

const SECTION4_BASIS = 'section4_basis';
/** Agency-level counting settings (per agency, D22); each is printed under the tables (统计口径). */
@Injectable()
export class SettingsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly unitOfWork: UnitOfWork,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** AgencySettingEntity rows, through the one data source (no per-module repository providers). */
  private get settings(): Repository<AgencySettingEntity> {
    return this.dataSource.getRepository(AgencySettingEntity);
  }

  async section4Basis(m?: EntityManager): Promise<Section4Basis> {
    const where = { agencyId: currentAgencyId(), key: SECTION4_BASIS };
    const row = await (m ? m.findOneBy(AgencySettingEntity, where) : this.settings.findOneBy(where));
    return row && (SECTION4_BASIS_VALUES as string[]).includes(row.value) ? (row.value as Section4Basis) : 'filed_in_year';
  }

  /** D6 for the current agency (the configuration's FEE_PAUSES_CLOCK until it is set here). */
  feePausesClock(m: EntityManager = this.dataSource.manager): Promise<boolean> {
    return feePausesClockOf(m, currentAgencyId(), this.config.feePausesClock);
  }

  /**
   * Saves the report settings form (D8 basis, D6 fee clock; either may be left out) in one
   * transaction: both are written or neither. The basis is checked before anything is written.
   */
  async save(input: { section4Basis?: string; feePausesClock?: boolean }, actor: string): Promise<void> {
    const { section4Basis, feePausesClock } = input;
    if (section4Basis !== undefined && !(SECTION4_BASIS_VALUES as string[]).includes(section4Basis)) {
      throw new ValidationFailedError({ section4Basis: '第四部分统计口径无效，请从列表中选择。' }, '统计口径未保存：第四部分统计口径无效。');
    }
    const row = (key: string, value: string): AgencySettingEntity => ({ agencyId: currentAgencyId(), key, value, updatedAt: this.clock.nowIso(), updatedBy: actor.slice(0, 100) });
    await this.unitOfWork.run(async (m) => {
      if (section4Basis !== undefined) await m.save(AgencySettingEntity, row(SECTION4_BASIS, section4Basis));
      if (feePausesClock !== undefined) await m.save(AgencySettingEntity, row(FEE_PAUSES_CLOCK, String(feePausesClock)));
    });
  }
}
