import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, Repository } from 'typeorm';
import { Clock } from '../common/clock';
import { UnitOfWork } from '../common/unit-of-work';
import { ValidationFailedError } from '../domain/errors';
import { Section4Basis } from '../domain/report';
import { AgencySettingEntity } from './entities/agency-setting.entity';

const SECTION4_BASIS = 'section4_basis';
export const SECTION4_BASIS_VALUES: Section4Basis[] = ['filed_in_year', 'concluded_or_pending'];
export const SECTION4_BASIS_LABELS: Record<Section4Basis, string> = {
  filed_in_year: '本年度受理的案件，按 12 月 31 日的状态统计（尚未审结的计入“尚未审结”）',
  concluded_or_pending: '本年度审结的案件，加上 12 月 31 日尚未审结的案件',
};

/** Agency-level counting settings; each is printed under the tables (统计口径). */
@Injectable()
export class SettingsService {
  constructor(
    @InjectRepository(AgencySettingEntity) private readonly settings: Repository<AgencySettingEntity>,
    private readonly unitOfWork: UnitOfWork,
    private readonly clock: Clock,
  ) {}

  async section4Basis(m?: EntityManager): Promise<Section4Basis> {
    const row = await (m ? m.findOneBy(AgencySettingEntity, { key: SECTION4_BASIS }) : this.settings.findOneBy({ key: SECTION4_BASIS }));
    return row && (SECTION4_BASIS_VALUES as string[]).includes(row.value) ? (row.value as Section4Basis) : 'filed_in_year';
  }

  async setSection4Basis(value: string, actor: string): Promise<void> {
    if (!(SECTION4_BASIS_VALUES as string[]).includes(value)) throw new ValidationFailedError({ section4Basis: '统计口径无效。' });
    await this.unitOfWork.run((m) => m.save(AgencySettingEntity, { key: SECTION4_BASIS, value, updatedAt: this.clock.nowIso(), updatedBy: actor }));
  }
}
