import { currentAgencyId } from '../agencies/agency-scope';
import { Injectable } from '@nestjs/common';
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

  async setSection4Basis(value: string, actor: string): Promise<void> {
    if (!(SECTION4_BASIS_VALUES as string[]).includes(value)) throw new ValidationFailedError({ section4Basis: '统计口径无效。' });
    await this.unitOfWork.run((m) => m.save(AgencySettingEntity, { agencyId: currentAgencyId(), key: SECTION4_BASIS, value, updatedAt: this.clock.nowIso(), updatedBy: actor }));
  }
}
