import { scopedAgencyId } from '../agencies/agency-scope';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { Actor } from '../auth/actor';
import { Clock } from '../common/clock';
import { insertRows } from '../common/insert-rows';
import { IsoDate, WorkingCalendar } from '../domain/calendar';
import { NotFoundError } from '../domain/errors';
import { EVENT_BASIS, INFORMATIONAL_EVENTS, LifecycleEvent, replay, RequestState } from '../domain/lifecycle';
import { ApplicantEntity } from './entities/applicant.entity';
import { InformationRequestEntity } from './entities/information-request.entity';
import { RequestEventEntity } from './entities/request-event.entity';
import { RequestItemEntity } from './entities/request-item.entity';

/** A request's state folded from its events, and how many events it has. */
export interface CurrentState {
  eventCount: number;
  events: LifecycleEvent[];
  state: RequestState;
}

/**
 * Where a request's rows are read and its timeline appended: the one place that knows how a
 * request, its items, events and applicant are stored, and how its state is replayed from them.
 */
@Injectable()
export class RequestStore {
  constructor(
    private readonly clock: Clock,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  /**
   * The request row alone; 404 when there is none, or when it is another agency's than the one
   * the work is done for (agency-scope.ts): staff never learn that a foreign record exists (D22).
   */
  async row(m: EntityManager, id: string): Promise<InformationRequestEntity> {
    const agencyId = scopedAgencyId();
    const request = await m.findOneBy(InformationRequestEntity, agencyId === null ? { id: String(id) } : { id: String(id), agencyId });
    if (!request) throw new NotFoundError('未找到该申请。');
    return request;
  }

  /** The request with its items, events and applicant. */
  async load(m: EntityManager, id: string) {
    const request = await this.row(m, id);
    // Sequential: inside a transaction all queries share one connection.
    const items = await m.find(RequestItemEntity, { where: { requestId: id }, order: { position: 'ASC' } });
    const events = await m.find(RequestEventEntity, { where: { requestId: id }, order: { seq: 'ASC' } });
    const applicant = await m.findOneByOrFail(ApplicantEntity, { id: request.applicantId });
    return { request, items, events, applicant };
  }

  eventRow(requestId: string, seq: number, event: LifecycleEvent, actor: Actor): RequestEventEntity {
    const basis = event.type === 'decided' && typeof event.data.basis === 'string' ? event.data.basis : EVENT_BASIS[event.type];
    return Object.assign(new RequestEventEntity(), {
      id: randomUUID(),
      requestId,
      seq,
      type: event.type,
      occurredOn: event.on,
      recordedAt: this.clock.nowIso(),
      actorId: actor.id,
      actorLabel: actor.label.slice(0, 100),
      basis: basis.slice(0, 200),
      payload: JSON.stringify(event.data),
    });
  }

  async appendEvent(m: EntityManager, requestId: string, seq: number, event: LifecycleEvent, actor: Actor): Promise<void> {
    await insertRows(m, RequestEventEntity, this.eventRow(requestId, seq, event, actor));
  }

  /** A request's state, folded from its recorded events. */
  async currentState(m: EntityManager, requestId: string, calendar: WorkingCalendar, today: IsoDate): Promise<CurrentState> {
    return (await this.currentStates(m, [requestId], calendar, today)).get(requestId)!;
  }

  /**
   * The state of many requests from their events: two queries per 500 requests, reading only what
   * the replay needs. `stateOnly`: the events that change no state (INFORMATIONAL_EVENTS: a
   * recomputed deadline, an assignment, …) are left out of `events`, and `eventCount` is read from
   * the highest sequence number instead. A deadline recompute adds one to every request it moves,
   * so reading them made each calendar change slower than the one before.
   */
  async currentStates(m: EntityManager, requestIds: string[], calendar: WorkingCalendar, today: IsoDate, withItems = true, stateOnly = false): Promise<Map<string, CurrentState>> {
    const events = new Map(requestIds.map((id) => [id, [] as LifecycleEvent[]]));
    const itemCounts = new Map<string, number>();
    const states = new Map<string, CurrentState>();
    for (let i = 0; i < requestIds.length; i += 500) {
      // Other requests are served between chunks of a long list.
      if (i) await new Promise((resolve) => setImmediate(resolve));
      const ids = requestIds.slice(i, i + 500);
      // In the order of the (request_id, seq) index: no sort.
      const query = m
        .createQueryBuilder(RequestEventEntity, 'e')
        .select(['e.request_id AS "requestId"', 'e.type AS "type"', 'e.occurred_on AS "on"', 'e.payload AS "payload"'])
        .where('e.request_id IN (:...ids)', { ids })
        .orderBy('e.request_id', 'ASC')
        .addOrderBy('e.seq', 'ASC');
      if (stateOnly) query.andWhere('e.type NOT IN (:...informational)', { informational: INFORMATIONAL_EVENTS });
      const rows = await query.getRawMany<{ requestId: string; type: string; on: string; payload: string }>();
      const lastSeq = new Map<string, number>();
      if (stateOnly) {
        // From the (request_id, seq) index alone.
        const last = await m
          .createQueryBuilder(RequestEventEntity, 'e')
          .select('e.request_id', 'id')
          .addSelect('MAX(e.seq)', 'seq')
          .where('e.request_id IN (:...ids)', { ids })
          .groupBy('e.request_id')
          .getRawMany<{ id: string; seq: number | string }>();
        for (const l of last) lastSeq.set(l.id, Number(l.seq));
      }
      for (const e of rows) events.get(e.requestId)!.push({ type: e.type as LifecycleEvent['type'], on: e.on, data: JSON.parse(e.payload) as Record<string, unknown> });
      if (withItems) {
        const counts: Array<{ id: string; n: number | string }> = await m
          .createQueryBuilder(RequestItemEntity, 'i')
          .select('i.request_id', 'id')
          .addSelect('COUNT(*)', 'n')
          .where('i.request_id IN (:...ids)', { ids })
          .groupBy('i.request_id')
          .getRawMany();
        for (const c of counts) itemCounts.set(c.id, Number(c.n));
      }
      for (const id of ids) {
        const list = events.get(id)!;
        states.set(id, { eventCount: stateOnly ? (lastSeq.get(id) ?? 0) : list.length, events: list, state: replay(list, { calendar, today, itemCount: itemCounts.get(id) ?? 0 }) });
      }
    }
    return states;
  }

  async trackingNumbers(ids: string[]): Promise<Array<{ id: string; trackingNumber: string }>> {
    if (!ids.length) return [];
    const qb = this.dataSource.manager.createQueryBuilder(InformationRequestEntity, 'r').select(['r.id', 'r.trackingNumber']).where('r.id IN (:...ids)', { ids });
    const agencyId = scopedAgencyId();
    if (agencyId !== null) qb.andWhere('r.agency_id = :agencyId', { agencyId });
    return qb.getMany();
  }
}

export function toLifecycleEvent(e: RequestEventEntity): LifecycleEvent {
  return { type: e.type as LifecycleEvent['type'], on: e.occurredOn, data: JSON.parse(e.payload) as Record<string, unknown> };
}
