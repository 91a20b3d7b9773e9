import { inAgencyScope } from '../agencies/agency-scope';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, SelectQueryBuilder } from 'typeorm';
import { CalendarService } from '../calendar/calendar.service';
import { Clock } from '../common/clock';
import { maskTail } from '../common/masking';
import { IsoDate, shanghaiDateOf, shanghaiStartOfDay, WorkingCalendar } from '../domain/calendar';
import { confirmationCutoff, isConfirmationOverdue } from '../domain/lifecycle';
import { ApplicantEntity } from './entities/applicant.entity';
import { InformationRequestEntity } from './entities/information-request.entity';
import { RequestListItemView, toListItemView } from './request-views';

const PAGE_SIZE = 50;

/**
 * D19 in SQL, built from the domain's cut-off (isConfirmationOverdue): still awaiting confirmation
 * and submitted before the cut-off day began in Shanghai (submitted_at is a UTC instant).
 */
export function whereConfirmationOverdue(qb: SelectQueryBuilder<InformationRequestEntity>, calendar: WorkingCalendar, today: IsoDate): SelectQueryBuilder<InformationRequestEntity> {
  return qb.andWhere("r.status = 'awaiting_confirmation' AND r.submitted_at < :confirmationCutoff", { confirmationCutoff: shanghaiStartOfDay(confirmationCutoff(calendar, today)) });
}

export interface AwaitingItemView extends RequestListItemView {
  confirmationOverdue: boolean;
}

/** Submissions awaiting confirmation of receipt (Art. 31): the queue, oldest first, and the late ones. */
@Injectable()
export class AwaitingConfirmationService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly calendars: CalendarService,
    private readonly clock: Clock,
  ) {}

  async list(pageRaw?: string): Promise<{ items: AwaitingItemView[]; total: number; late: number; cutoff: IsoDate; page: number; pages: number }> {
    const calendar = await this.calendars.current();
    const today = this.clock.today();
    const page = Math.max(1, Math.min(10_000, Number(pageRaw) || 1));
    const base = () => inAgencyScope(this.dataSource.createQueryBuilder(InformationRequestEntity, 'r').where("r.status = 'awaiting_confirmation'"), 'r');
    const qb = base()
      .innerJoin(ApplicantEntity, 'a', 'a.id = r.applicant_id')
      .select('r')
      .addSelect(['a.name', 'a.idDocumentNumber', 'a.phone'])
      .orderBy('r.submitted_at', 'ASC')
      .addOrderBy('r.tracking_number', 'ASC')
      .offset((page - 1) * PAGE_SIZE)
      .limit(PAGE_SIZE);
    const [{ entities, raw }, total, late] = await Promise.all([qb.getRawAndEntities(), base().getCount(), whereConfirmationOverdue(base(), calendar, today).getCount()]);
    const items = entities.map((r, i) => {
      const row = raw[i] as Record<string, string | null>;
      const view = toListItemView(r, { name: row.a_name ?? '', idDocumentNumberMasked: maskTail(row.a_id_document_number), phoneMasked: maskTail(row.a_phone) }, today, today);
      return { ...view, confirmationOverdue: isConfirmationOverdue({ status: 'awaiting_confirmation', submittedOn: shanghaiDateOf(new Date(r.submittedAt)) }, calendar, today) };
    });
    return { items, total, late, cutoff: confirmationCutoff(calendar, today), page, pages: Math.max(1, Math.ceil(total / PAGE_SIZE)) };
  }

  /** The late ones, oldest first: tracking numbers and dates only (the digest carries no applicant data). */
  async late(m: EntityManager = this.dataSource.manager): Promise<Array<{ id: string; trackingNumber: string; submittedOn: IsoDate }>> {
    const calendar = await this.calendars.current();
    const rows = await whereConfirmationOverdue(
      inAgencyScope(m.createQueryBuilder(InformationRequestEntity, 'r').select(['r.id', 'r.trackingNumber', 'r.submittedAt']), 'r'),
      calendar,
      this.clock.today(),
    )
      .orderBy('r.submitted_at', 'ASC')
      .getMany();
    return rows.map((r) => ({ id: r.id, trackingNumber: r.trackingNumber, submittedOn: shanghaiDateOf(new Date(r.submittedAt)) }));
  }
}
