import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { Actor } from '../auth/actor';
import { Clock } from '../common/clock';
import { insertChunks } from '../common/insert-rows';
import { UnitOfWork } from '../common/unit-of-work';
import { firstDifference, IsoDate, WorkingCalendar } from '../domain/calendar';
import { computeDue, DueResult, FINAL_STATUSES, STATUSES } from '../domain/lifecycle';
import { InformationRequestEntity } from './entities/information-request.entity';
import { RequestEventEntity } from './entities/request-event.entity';
import { RequestStore } from './request-store';
import { InjectJobReadDataSource } from '../database/read-data-source';
import { TallyFolderService } from './tally-folder.service';

/** Requests per transaction when deadlines are recomputed after a calendar change. */
const RECOMPUTE_CHUNK = 200;
/** Chunks between two folds of the tallies during a recompute. */
const FOLD_EVERY_CHUNKS = 10;

/** What a recompute needs of a request: its due date as stored and its version. */
type Candidate = Pick<InformationRequestEntity, 'id' | 'dueOn' | 'dueIsProvisional' | 'version'>;

/** Deadlines moved by a change of the holiday calendar (D11). */
@Injectable()
export class RequestDeadlinesService {
  constructor(
    private readonly unitOfWork: UnitOfWork,
    private readonly clock: Clock,
    @InjectDataSource() private readonly dataSource: DataSource,
    /** The candidates and their events are read on the jobs' own connection, not the writer's. */
    @InjectJobReadDataSource() private readonly reader: DataSource,
    private readonly store: RequestStore,
    private readonly tallies: TallyFolderService,
  ) {}

  /**
   * After the holiday calendar changed (and that change committed): recompute the deadline of
   * every request not yet concluded and note each change in its timeline (D11). Each chunk of
   * RECOMPUTE_CHUNK requests is read and computed outside any transaction and written in a short
   * one that skips a request another step changed meanwhile; between chunks other requests are
   * served. A request in progress whose due date falls before the first day the change touches
   * keeps it: every day it was counted over is as before (and one not yet received has none).
   */
  async recomputeOpenDeadlines(previous: WorkingCalendar, calendar: WorkingCalendar, reason: string, actor: Actor): Promise<number> {
    const today = this.clock.today();
    const manager = this.reader.manager;
    const firstChanged = firstDifference(previous, calendar);
    const waiting = STATUSES.filter((s) => !FINAL_STATUSES.includes(s) && s !== 'awaiting_confirmation');
    // Raw rows, not entities: tens of thousands of entities built in one turn held every other request.
    const candidates = manager
      .createQueryBuilder(InformationRequestEntity, 'r')
      .select('r.id', 'id')
      .addSelect('r.due_on', 'dueOn')
      .addSelect('r.due_is_provisional', 'provisional')
      .addSelect('r.version', 'version')
      .where('r.status IN (:...waiting)', { waiting });
    if (firstChanged) candidates.andWhere("NOT (r.status = 'in_progress' AND r.due_on IS NOT NULL AND r.due_on < :firstChanged)", { firstChanged });
    else candidates.andWhere("r.status <> 'in_progress'");
    // In due-date order: the rows of one chunk sit together in the list indexes, so each write
    // touches few index pages.
    const raw = await candidates.getRawMany<{ id: string; dueOn: IsoDate | null; provisional: boolean | number; version: number | string }>();
    await new Promise((resolve) => setImmediate(resolve));
    const rows: Candidate[] = raw.map((r) => ({ id: r.id, dueOn: r.dueOn, dueIsProvisional: r.provisional === true || Number(r.provisional) === 1, version: Number(r.version) }));
    rows.sort((a, b) => (a.dueOn ?? '').localeCompare(b.dueOn ?? '') || a.id.localeCompare(b.id));
    const postgres = this.dataSource.options.type === 'postgres';
    // One chunk: one UPDATE and one multi-row INSERT of the timeline entries.
    const write = async (m: EntityManager, updates: Array<{ request: Candidate; due: DueResult; event: RequestEventEntity }>): Promise<number> => {
      const read = m
        .createQueryBuilder(InformationRequestEntity, 'r')
        .select(['r.id', 'r.version'])
        .where('r.id IN (:...ids)', { ids: updates.map((u) => u.request.id) });
      if (postgres) read.setLock('pessimistic_write');
      const versions = new Map((await read.getMany()).map((r) => [r.id, r.version]));
      const current = updates.filter((u) => versions.get(u.request.id) === u.request.version);
      if (!current.length) return 0;
      const params: unknown[] = [];
      const p = (v: unknown) => (params.push(v), postgres ? `$${params.length}` : '?');
      const bool = (b: boolean) => (postgres ? String(b) : b ? '1' : '0');
      const dueCase = current.map(({ request, due }) => `WHEN ${p(request.id)} THEN ${due.dueOn === null ? 'NULL' : p(due.dueOn)}`).join(' ');
      const provisionalCase = current.map(({ request, due }) => `WHEN ${p(request.id)} THEN ${bool(due.provisional)}`).join(' ');
      const now = p(this.clock.nowIso());
      const idList = current.map(({ request }) => p(request.id)).join(', ');
      await m.query(
        `UPDATE information_request SET due_on = CASE id ${dueCase} END, due_is_provisional = CASE id ${provisionalCase} END, version = version + 1, updated_at = ${now} WHERE id IN (${idList})`,
        params,
      );
      await insertChunks(
        m,
        RequestEventEntity,
        current.map((u) => u.event),
      );
      return current.length;
    };
    // Not concluded: no reply among their events, so the item count plays no part.
    const statesOf = (from: number) =>
      this.store.currentStates(
        manager,
        rows.slice(from, from + RECOMPUTE_CHUNK).map((r) => r.id),
        calendar,
        today,
        false,
        true,
      );
    let changed = 0;
    let next = rows.length ? statesOf(0) : null;
    for (let i = 0; i < rows.length; i += RECOMPUTE_CHUNK) {
      const chunk = rows.slice(i, i + RECOMPUTE_CHUNK);
      const states = await next!;
      // PostgreSQL: the next chunk's events are read while this chunk is written: at 1M requests
      // with a cold cache each half waits on the disk for about as long as the other. A request
      // changed in between is skipped by the write's version check. SQLite reads it after the
      // write: its reader and writer share the file and the two cores (overlapped at 1M: 7.5–14.7 s
      // and other requests waiting up to 768 ms; one after the other: 5–6 s).
      const ahead = () => (i + RECOMPUTE_CHUNK < rows.length ? statesOf(i + RECOMPUTE_CHUNK) : null);
      next = postgres ? ahead() : null;
      // Not awaited if this chunk's write fails: its rejection must not go unhandled.
      next?.catch(() => undefined);
      const updates: Array<{ request: Candidate; due: DueResult; event: RequestEventEntity }> = [];
      for (const request of chunk) {
        const { eventCount, state } = states.get(request.id)!;
        if (!state.status || FINAL_STATUSES.includes(state.status)) continue;
        const due = computeDue(state, calendar, today);
        if (due.dueOn === request.dueOn && due.provisional === request.dueIsProvisional) continue;
        const data = { fromDueOn: request.dueOn, toDueOn: due.dueOn, fromProvisional: request.dueIsProvisional, toProvisional: due.provisional, reason };
        updates.push({ request, due, event: this.store.eventRow(request.id, eventCount + 1, { type: 'due_recomputed', on: today, data }, actor) });
      }
      // Let the requests that arrived meanwhile in: after the computing, and after the writing.
      await new Promise((resolve) => setImmediate(resolve));
      if (updates.length) changed += await this.unitOfWork.run((m) => write(m, updates));
      // Every moved due date is a tally delta: folded as they come, so that the lists' counts,
      // which read the deltas not yet folded, stay quick meanwhile.
      if ((i / RECOMPUTE_CHUNK) % FOLD_EVERY_CHUNKS === FOLD_EVERY_CHUNKS - 1) await this.tallies.foldAll();
      await new Promise((resolve) => setImmediate(resolve));
      next ??= ahead();
    }
    if (changed) await this.tallies.foldAll();
    return changed;
  }
}
