import { Injectable } from '@nestjs/common';
import { InjectReadDataSource } from '../database/read-data-source';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { AgenciesService } from '../agencies/agencies.service';
import { staffActor } from '../auth/actor';
import { StaffPrincipal } from '../auth/roles';
import { CalendarService } from '../calendar/calendar.service';
import { Clock } from '../common/clock';
import { insertRows } from '../common/insert-rows';
import { UnitOfWork } from '../common/unit-of-work';
import { weightedMedian } from '../dashboard/dashboard.service';
import { addDays } from '../domain/calendar';
import { ConflictError, NotFoundError, ValidationFailedError } from '../domain/errors';
import { isUniqueViolation } from '../common/db-errors';
import { dueSoonBy } from '../domain/lifecycle/watch-lists';
import { InformationRequestEntity } from '../requests/entities/information-request.entity';
import { RequestEventEntity } from '../requests/entities/request-event.entity';
import { OPEN_STATUS_SQL } from '../requests/request-list-query';
import { isPostgres, Params, tallyQuery } from '../requests/request-tally';
import { RequestStore } from '../requests/request-store';
import { normaliseTrackingNumber } from '../domain/applicants';
import { ReadableNode } from '../rollups/rollup-access';
import { agencyInSql } from '../rollups/rollup-sql';
import { SupervisionNoteEntity } from './entities/supervision-note.entity';

export const NOTE_MAX_LENGTH = 1000;
/** Attempts at a timeline position for a note before it answers 409 (each loses only to a write that landed). */
const NOTE_ATTEMPTS = 5;

export interface SupervisionLine {
  code: string;
  name: string;
  depth: number;
  overdueNow: number;
  dueSoon: number;
  concluded: number;
  onTimeShare: number | null;
  medianWorkingDays: number | null;
}

/**
 * 督办 (D22): for each agency of a supervisor's subtree, what is overdue now, what falls due within
 * the due-soon window, and how the year's replies went (on-time share, median working days from
 * receipt to reply). Three grouped reads for the whole subtree, whatever its size.
 */
@Injectable()
export class SupervisionService {
  constructor(
    /** The 督办 figures read on SQLite's read-only connection (grouped reads over a subtree). */
    @InjectReadDataSource() private readonly dataSource: DataSource,
    private readonly calendars: CalendarService,
    private readonly clock: Clock,
    private readonly unitOfWork: UnitOfWork,
    private readonly store: RequestStore,
    private readonly agencies: AgenciesService,
  ) {}

  async overview(target: ReadableNode, year: number, ids: readonly number[] | null): Promise<{ lines: SupervisionLine[]; dueSoonBy: string }> {
    const m = this.dataSource.manager;
    const today = this.clock.today();
    const calendar = await this.calendars.current();
    const soon = dueSoonBy(today, calendar);
    const open = await m
      .createQueryBuilder(InformationRequestEntity, 'r')
      .select('r.agency_id', 'a')
      .addSelect('SUM(CASE WHEN r.due_on < :today THEN 1 ELSE 0 END)', 'overdue')
      .addSelect('SUM(CASE WHEN r.due_on >= :today AND r.due_on <= :soon THEN 1 ELSE 0 END)', 'soon')
      .where(`r.status IN ${OPEN_STATUS_SQL}`)
      .andWhere('r.due_on IS NOT NULL')
      .andWhere(agencyInSql('r', ids))
      .setParameters({ today, soon })
      .groupBy('r.agency_id')
      .getRawMany<{ a: string | number; overdue: string | number; soon: string | number }>();
    const openOf = new Map(open.map((r) => [Number(r.a), { overdue: Number(r.overdue), soon: Number(r.soon) }]));
    // Replies of the year per agency and (receipt, reply) day pair, from the reply tally.
    const p = new Params(isPostgres(m));
    const cond = () => `concluded_on >= ${p.add(`${year}-01-01`)} AND concluded_on <= ${p.add(`${year}-12-31`)} AND ${agencyInSql('t0', ids)}`;
    const columns = 'agency_id, concluded_on, received_on, dated, on_time, n';
    const pairs = await tallyQuery<Array<{ a: string | number; c: string; r: string; n: string | number; dated: string | number; on_time: string | number }>>(
      m,
      `SELECT agency_id AS a, concluded_on AS c, received_on AS r, SUM(n) AS n, SUM(CASE WHEN dated = 1 THEN n ELSE 0 END) AS dated, SUM(CASE WHEN on_time = 1 THEN n ELSE 0 END) AS on_time FROM (SELECT ${columns} FROM reply_tally t0 WHERE ${cond()} UNION ALL SELECT ${columns} FROM reply_tally_delta t0 WHERE ${cond()}) t GROUP BY agency_id, concluded_on, received_on`,
      p.values,
    );
    // Working days between two dates as the difference of the days' ordinals, counted once over the whole range.
    const dates = pairs.flatMap((x) => [x.r, x.c]).sort();
    const ordinal = new Map<string, number>();
    if (dates.length) {
      let day = dates[0];
      let count = 0;
      ordinal.set(day, 0);
      while (day < dates[dates.length - 1]) {
        const next = addDays(day, 1);
        count += calendar.countWorkingDays(day, next).count;
        ordinal.set((day = next), count);
      }
    }
    const replies = new Map<number, { n: number; dated: number; onTime: number; days: Array<[number, number]> }>();
    for (const x of pairs) {
      const a = Number(x.a);
      const agg = replies.get(a) ?? { n: 0, dated: 0, onTime: 0, days: [] };
      agg.n += Number(x.n);
      agg.dated += Number(x.dated);
      agg.onTime += Number(x.on_time);
      agg.days.push([x.c >= x.r ? ordinal.get(x.c)! - ordinal.get(x.r)! : 0, Number(x.n)]);
      replies.set(a, agg);
    }
    const lines = target.subtree.map((a) => {
      const o = openOf.get(a.id) ?? { overdue: 0, soon: 0 };
      const r = replies.get(a.id);
      return {
        code: a.code,
        name: a.name,
        depth: a.depth,
        overdueNow: o.overdue,
        dueSoon: o.soon,
        concluded: r?.n ?? 0,
        onTimeShare: r?.dated ? r.onTime / r.dated : null,
        medianWorkingDays: r ? weightedMedian(r.days) : null,
      };
    });
    // Ranked: most overdue first, then most due soon, then the lowest on-time share.
    lines.sort((x, y) => y.overdueNow - x.overdueNow || y.dueSoon - x.dueSoon || (x.onTimeShare ?? 1) - (y.onTimeShare ?? 1) || x.code.localeCompare(y.code));
    return { lines, dueSoonBy: soon };
  }

  /**
   * A 督办意见 about one request of the subtree: an event on the request's timeline (the lifecycle
   * replay ignores it) and a note for the agency's next daily digest, in one transaction.
   */
  async sendNote(target: ReadableNode, staff: StaffPrincipal, requestRef: string, noteRaw: unknown): Promise<{ requestId: string; trackingNumber: string; agencyCode: string }> {
    const note = typeof noteRaw === 'string' ? noteRaw.trim() : '';
    if (!note) throw new ValidationFailedError({ note: '请填写督办意见。' });
    if (note.length > NOTE_MAX_LENGTH) throw new ValidationFailedError({ note: `督办意见最多 ${NOTE_MAX_LENGTH} 个字。` });
    const ref = String(requestRef ?? '').trim();
    const from = await this.agencies.byId(staff.agencyId);
    // A step or another note recorded at the same moment may take the same timeline position
    // (the unique (request_id, seq) index refuses the second): the note is written again after it.
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.writeNote(target, staff, from, ref, note);
      } catch (e) {
        if (!isUniqueViolation(e)) throw e;
        if (attempt >= NOTE_ATTEMPTS) throw new ConflictError('该申请正被同时更新，督办意见未保存，请稍后重新发送。');
      }
    }
  }

  /** The note on the request's timeline and in the digest's table, in one transaction. */
  private writeNote(
    target: ReadableNode,
    staff: StaffPrincipal,
    from: { code: string; name: string },
    ref: string,
    note: string,
  ): Promise<{ requestId: string; trackingNumber: string; agencyCode: string }> {
    const ids = target.subtree.map((a) => a.id);
    return this.unitOfWork.run(async (m) => {
      const qb = m.createQueryBuilder(InformationRequestEntity, 'r').select(['r.id', 'r.trackingNumber', 'r.agencyId']).where(agencyInSql('r', ids));
      if (/^[0-9a-f-]{36}$/i.test(ref)) qb.andWhere('r.id = :ref', { ref });
      else qb.andWhere('r.tracking_number IN (:...refs)', { refs: [normaliseTrackingNumber(ref)] });
      // PostgreSQL: the request's row locked, so notes queue behind each other and behind a step
      // being recorded, and the count below sees their events (SQLite runs one transaction at a time).
      if (isPostgres(m)) qb.setLock('pessimistic_write');
      const request = await qb.getOne();
      if (!request) throw new NotFoundError('督办范围内没有这件申请：请核对申请编号（只能督办本机关及下级机关的申请）。');
      const seq = await m.count(RequestEventEntity, { where: { requestId: request.id } });
      await this.store.appendEvent(
        m,
        request.id,
        seq + 1,
        { type: 'supervision_note', on: this.clock.today(), data: { supervisionNote: note, fromAgency: { code: from.code, name: from.name } } },
        { ...staffActor(staff), label: `${staff.displayName}（${from.name}）` },
      );
      await insertRows(m, SupervisionNoteEntity, {
        id: randomUUID(),
        agencyId: request.agencyId,
        requestId: request.id,
        trackingNumber: request.trackingNumber,
        note,
        createdAt: this.clock.nowIso(),
        createdBy: `${staff.displayName}（${from.name}）`.slice(0, 100),
        createdById: staff.id,
        digestedOn: null,
      });
      const agency = target.subtree.find((a) => a.id === request.agencyId)!;
      return { requestId: request.id, trackingNumber: request.trackingNumber, agencyCode: agency.code };
    });
  }
}
