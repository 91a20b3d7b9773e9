import { SelectQueryBuilder } from 'typeorm';
import { IsoDate } from '../domain/calendar';
import { ValidationFailedError } from '../domain/errors';
import { OPEN_WORK_STATUSES, STATUSES } from '../domain/lifecycle';
import type { ListRequestsQueryDto } from './dto/request.dto';
import type { InformationRequestEntity } from './entities/information-request.entity';

/** The filters of the request list; the ledger export applies the same ones, so it exports what the list shows. */
export type RequestListFilter = Omit<ListRequestsQueryDto, 'page'>;

export function validateListFilter(query: RequestListFilter): void {
  if (query.status && !(STATUSES as readonly string[]).includes(query.status) && query.status !== 'open') {
    throw new ValidationFailedError({ status: '状态无效。' });
  }
}

/** Adds the list's conditions to a query on `information_request r` joined with `applicant a`. */
export function applyListFilter(qb: SelectQueryBuilder<InformationRequestEntity>, query: RequestListFilter, today: IsoDate): void {
  if (query.status === 'open') qb.andWhere('r.status IN (:...openStatuses)', { openStatuses: OPEN_WORK_STATUSES });
  else if (query.status) qb.andWhere('r.status = :status', { status: query.status });
  if (query.channel) qb.andWhere('r.channel = :channel', { channel: query.channel });
  if (query.applicantType) qb.andWhere('r.applicant_type = :type', { type: query.applicantType });
  if (query.assignee === 'none') qb.andWhere('r.assignee_id IS NULL');
  else if (query.assignee) qb.andWhere('r.assignee_id = :assignee', { assignee: query.assignee });
  if (query.overdue === 'true') qb.andWhere('r.status IN (:...openStatuses) AND r.due_on < :today', { today, openStatuses: OPEN_WORK_STATUSES });
  if (query.overdue === 'false') qb.andWhere('NOT (r.status IN (:...openStatuses) AND r.due_on IS NOT NULL AND r.due_on < :today)', { today, openStatuses: OPEN_WORK_STATUSES });
  if (query.dueBefore) qb.andWhere('r.due_on IS NOT NULL AND r.due_on < :dueBefore', { dueBefore: query.dueBefore });
  if (query.receivedFrom) qb.andWhere('r.received_on >= :receivedFrom', { receivedFrom: query.receivedFrom });
  if (query.receivedTo) qb.andWhere('r.received_on <= :receivedTo', { receivedTo: query.receivedTo });
  if (query.concludedFrom) qb.andWhere('r.concluded_on >= :concludedFrom', { concludedFrom: query.concludedFrom });
  if (query.concludedTo) qb.andWhere('r.concluded_on <= :concludedTo', { concludedTo: query.concludedTo });
  if (query.outcome) qb.andWhere('r.outcome = :outcome', { outcome: query.outcome });
  if (query.q) {
    const like = `%${query.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    qb.andWhere("(r.tracking_number LIKE :like ESCAPE '\\' OR r.description LIKE :like ESCAPE '\\' OR a.name LIKE :like ESCAPE '\\')", { like });
  }
}
