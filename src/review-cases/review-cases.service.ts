import { currentAgencyId } from '../agencies/agency-scope';
import { normaliseTrackingNumber } from '../domain/applicants/normalise';
import { insertRows } from '../common/insert-rows';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { Clock } from '../common/clock';
import { UnitOfWork } from '../common/unit-of-work';
import { ConflictError, NotFoundError, UnprocessableError } from '../domain/errors';
import { ReviewCaseRecord } from '../domain/report';
import { InformationRequestEntity } from '../requests/entities/information-request.entity';
import { Actor } from '../auth/actor';
import { ConcludeReviewCaseDto, CreateReviewCaseDto } from './dto/review-case.dto';
import { ReviewCaseEntity } from './entities/review-case.entity';

export const KIND_LABELS: Record<string, string> = {
  administrative_review: '行政复议',
  litigation_direct: '行政诉讼（未经复议直接起诉）',
  litigation_after_review: '行政诉讼（复议后起诉）',
};
export const RESULT_LABELS: Record<string, string> = { upheld: '结果维持', corrected: '结果纠正', other: '其他结果' };
export const ROLE_LABELS: Record<string, string> = { original_agency: '原行政机关', co_defendant_review_organ: '复议机关（共同被告，不计入）' };

export interface ReviewCaseView {
  id: string;
  kind: string;
  kindLabel: string;
  filedOn: string;
  caseNumber: string | null;
  requestId: string | null;
  requestTrackingNumber: string | null;
  agencyRole: string;
  agencyRoleLabel: string;
  result: string | null;
  resultLabel: string | null;
  concludedOn: string | null;
  note: string | null;
  counted: boolean;
}

@Injectable()
export class ReviewCasesService {
  constructor(
    private readonly unitOfWork: UnitOfWork,
    private readonly clock: Clock,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  async createCase(dto: CreateReviewCaseDto, actor: Actor): Promise<ReviewCaseView> {
    if (dto.filedOn > this.clock.today()) throw new UnprocessableError('立案日期不能是未来日期。', { filedOn: '不能是未来日期。' });
    const id = randomUUID();
    await this.unitOfWork.run(async (m) => {
      if (dto.requestId && !(await m.findOneBy(InformationRequestEntity, { id: dto.requestId, agencyId: currentAgencyId() }))) {
        throw new UnprocessableError('所涉申请不存在。', { requestId: '所涉申请不存在。' });
      }
      await insertRows(m, ReviewCaseEntity, {
        id,
        agencyId: currentAgencyId(),
        kind: dto.kind,
        filedOn: dto.filedOn,
        caseNumber: dto.caseNumber ?? null,
        requestId: dto.requestId ?? null,
        agencyRole: dto.agencyRole ?? 'original_agency',
        result: null,
        concludedOn: null,
        note: dto.note ?? null,
        createdAt: this.clock.nowIso(),
        createdBy: actor.label,
        version: 1,
      });
    });
    return this.getCase(id);
  }

  async concludeCase(id: string, dto: ConcludeReviewCaseDto): Promise<ReviewCaseView> {
    await this.unitOfWork.run(async (m) => {
      const c = await m.findOneBy(ReviewCaseEntity, { id: String(id), agencyId: currentAgencyId() });
      if (!c) throw new NotFoundError('未找到该案件。');
      if (c.result) throw new ConflictError(`该案件已于 ${c.concludedOn} 审结。`);
      if (dto.concludedOn < c.filedOn) throw new UnprocessableError('审结日期不能早于立案日期。', { concludedOn: `不能早于 ${c.filedOn}。` });
      if (dto.concludedOn > this.clock.today()) throw new UnprocessableError('审结日期不能是未来日期。', { concludedOn: '不能是未来日期。' });
      const updated = await m.update(ReviewCaseEntity, { id, version: c.version }, { result: dto.result, concludedOn: dto.concludedOn, version: c.version + 1 });
      if (updated.affected !== 1) throw new ConflictError('该案件已被他人更新，请刷新后再操作。');
    });
    return this.getCase(id);
  }

  async getCase(id: string): Promise<ReviewCaseView> {
    const c = await this.dataSource.manager.findOneBy(ReviewCaseEntity, { id: String(id), agencyId: currentAgencyId() });
    if (!c) throw new NotFoundError('未找到该案件。');
    return (await this.toViews([c]))[0];
  }

  async listCases(ids?: string[]): Promise<ReviewCaseView[]> {
    const qb = this.dataSource.manager.createQueryBuilder(ReviewCaseEntity, 'c').where('c.agency_id = :agencyId', { agencyId: currentAgencyId() }).orderBy('c.filed_on', 'DESC');
    if (ids) {
      if (!ids.length) return [];
      qb.andWhere('c.id IN (:...ids)', { ids });
    }
    return this.toViews(await qb.getMany());
  }

  /** Pass the caller's transaction manager to read inside it (a publication reads all it freezes there). */
  async records(m: EntityManager = this.dataSource.manager): Promise<ReviewCaseRecord[]> {
    const rows = await m.find(ReviewCaseEntity, { where: { agencyId: currentAgencyId() } });
    return rows.map((c) => ({
      id: c.id,
      kind: c.kind as ReviewCaseRecord['kind'],
      filedOn: c.filedOn,
      concludedOn: c.concludedOn,
      result: c.result as ReviewCaseRecord['result'],
      agencyRole: c.agencyRole as ReviewCaseRecord['agencyRole'],
    }));
  }

  /** The request a case concerns, found by the number people quote (full-width dash or none accepted). */
  async requestIdFor(trackingNumber: string): Promise<string | null> {
    const found = await this.dataSource.manager.findOneBy(InformationRequestEntity, { trackingNumber: normaliseTrackingNumber(trackingNumber), agencyId: currentAgencyId() });
    return found?.id ?? null;
  }

  private async toViews(cases: ReviewCaseEntity[]): Promise<ReviewCaseView[]> {
    const requestIds = [...new Set(cases.map((c) => c.requestId).filter((x): x is string => !!x))];
    const requests = requestIds.length ? await this.dataSource.manager.createQueryBuilder(InformationRequestEntity, 'r').where('r.id IN (:...ids)', { ids: requestIds }).getMany() : [];
    const tn = new Map(requests.map((r) => [r.id, r.trackingNumber]));
    return cases.map((c) => ({
      id: c.id,
      kind: c.kind,
      kindLabel: KIND_LABELS[c.kind] ?? c.kind,
      filedOn: c.filedOn,
      caseNumber: c.caseNumber,
      requestId: c.requestId,
      requestTrackingNumber: c.requestId ? (tn.get(c.requestId) ?? null) : null,
      agencyRole: c.agencyRole,
      agencyRoleLabel: ROLE_LABELS[c.agencyRole] ?? c.agencyRole,
      result: c.result,
      resultLabel: c.result ? RESULT_LABELS[c.result] : null,
      concludedOn: c.concludedOn,
      note: c.note,
      counted: c.agencyRole !== 'co_defendant_review_organ',
    }));
  }
}
