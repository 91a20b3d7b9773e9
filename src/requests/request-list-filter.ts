import { SelectQueryBuilder } from 'typeorm';
import { IsoDate } from '../domain/calendar';
import { ValidationFailedError } from '../domain/errors';
import { STATUSES } from '../domain/lifecycle';
import type { ListRequestsQueryDto } from './dto/request.dto';
import type { InformationRequestEntity } from './entities/information-request.entity';
import { applyListConditions } from './request-list-query';

/** The filters of the request list; the ledger export applies the same ones, so it exports what the list shows. */
export type RequestListFilter = Omit<ListRequestsQueryDto, 'page'>;

export function validateListFilter(query: RequestListFilter): void {
  if (query.status && !(STATUSES as readonly string[]).includes(query.status) && query.status !== 'open') {
    throw new ValidationFailedError({ status: '状态无效。' });
  }
}

/** Adds the list's conditions to a query on `information_request r`: the list's own, search by its index included. */
export function applyListFilter(qb: SelectQueryBuilder<InformationRequestEntity>, query: RequestListFilter, today: IsoDate): void {
  applyListConditions(qb, query, today);
}
