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

  async setFeePausesClock(value: boolean, actor: string): Promise<void> {
    await this.unitOfWork.run((m) =>
      m.save(AgencySettingEntity, { agencyId: currentAgencyId(), key: FEE_PAUSES_CLOCK, value: String(value), updatedAt: this.clock.nowIso(), updatedBy: actor.slice(0, 100) }),
    );
  }

  async setSection4Basis(value: string, actor: string): Promise<void> {
    if (!(SECTION4_BASIS_VALUES as string[]).includes(value)) throw new ValidationFailedError({ section4Basis: '统计口径无效。' });
    await this.unitOfWork.run((m) => m.save(AgencySettingEntity, { agencyId: currentAgencyId(), key: SECTION4_BASIS, value, updatedAt: this.clock.nowIso(), updatedBy: actor }));
  }
}
