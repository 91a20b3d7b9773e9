import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, MoreThan } from 'typeorm';
import { CalendarService } from '../calendar/calendar.service';
import { Clock } from '../common/clock';
import { isUniqueViolation } from '../common/db-errors';
import { JobRunEntity } from '../common/entities/job-run.entity';
import { insertRows } from '../common/insert-rows';
import { UnitOfWork } from '../common/unit-of-work';
import { computeDue } from '../domain/lifecycle';
import { InformationRequestEntity } from './entities/information-request.entity';
import { RequestStore } from './request-store';

const FIELDS = ['status', 'receivedOn', 'dueOn', 'dueIsProvisional', 'outcome', 'concludedOn'] as const;
type Field = (typeof FIELDS)[number];

export interface DerivedStateReport {
  checked: number;
  mismatched: number;
  repaired: number;
  /** The first mismatches, for the operator: request id, field, stored and replayed values. */
  samples: Array<{ id: string; field: Field; stored: unknown; replayed: unknown }>;
}

/** Bumped when a rule changes how stored state derives from events (D15, D19: 2026-11). */
const REDERIVE_JOB = 'rederive-state';
const REDERIVE_VERSION = 'd15-d19';
const CHUNK = 1000;

/**
 * The columns the lists filter on (status, dates, outcome) are a cache of the replay of each
 * request's events. This checks every row against that replay and, when asked, repairs it.
 */
@Injectable()
export class DerivedStateService implements OnApplicationBootstrap {
  private readonly logger = new Logger('DerivedState');

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly unitOfWork: UnitOfWork,
    private readonly calendars: CalendarService,
    private readonly clock: Clock,
    private readonly store: RequestStore,
  ) {}

  /** Once per rule version: records written before the rule change are brought in line. */
  async onApplicationBootstrap(): Promise<void> {
    try {
      await this.unitOfWork.run((m) => insertRows(m, JobRunEntity, { job: REDERIVE_JOB, runOn: REDERIVE_VERSION, startedAt: this.clock.nowIso(), result: null }));
    } catch (e) {
      if (isUniqueViolation(e)) return;
      throw e;
    }
    const report = await this.verify(true);
    await this.unitOfWork.run((m) => m.update(JobRunEntity, { job: REDERIVE_JOB, runOn: REDERIVE_VERSION }, { result: `${report.checked} checked, ${report.repaired} repaired` }));
    if (report.repaired) this.logger.log(`stored state re-derived: ${report.repaired} of ${report.checked} requests updated`);
  }

  async verify(repair: boolean): Promise<DerivedStateReport> {
    const calendar = await this.calendars.current();
    const today = this.clock.today();
    const report: DerivedStateReport = { checked: 0, mismatched: 0, repaired: 0, samples: [] };
    let after = '';
    for (;;) {
      const rows = await this.dataSource.manager.find(InformationRequestEntity, {
        select: { id: true, version: true, status: true, receivedOn: true, dueOn: true, dueIsProvisional: true, outcome: true, concludedOn: true },
        where: after ? { id: MoreThan(after) } : {},
        order: { id: 'ASC' },
        take: CHUNK,
      });
      if (!rows.length) break;
      after = rows[rows.length - 1].id;
      // The same fold as every other reader of stored history: events and item counts per 500.
      const states = await this.store.currentStates(
        this.dataSource.manager,
        rows.map((r) => r.id),
        calendar,
        today,
      );
      const fixes: Array<{ row: InformationRequestEntity; values: Partial<Record<Field, unknown>> }> = [];
      for (const row of rows) {
        report.checked++;
        const { state } = states.get(row.id)!;
        const due = computeDue(state, calendar, today);
        // An open pause moves the due date every day; the stored one is as of the last step.
        const movingDue = state.pauses.some((p) => p.to === null) && !state.lapsedDueOn;
        const derived: Record<Field, unknown> = {
          status: state.status,
          receivedOn: state.receivedOn,
          dueOn: due.dueOn,
          dueIsProvisional: due.provisional,
          outcome: state.outcome,
          concludedOn: state.concludedOn,
        };
        const values: Partial<Record<Field, unknown>> = {};
        for (const f of FIELDS) {
          if (movingDue && (f === 'dueOn' || f === 'dueIsProvisional')) continue;
          if ((row[f] ?? null) !== (derived[f] ?? null)) {
            values[f] = derived[f];
            if (report.samples.length < 20) report.samples.push({ id: row.id, field: f, stored: row[f], replayed: derived[f] });
          }
        }
        if (Object.keys(values).length) {
          report.mismatched++;
          fixes.push({ row, values });
        }
      }
      if (repair && fixes.length) {
        await this.unitOfWork.run(async (m) => {
          for (const { row, values } of fixes) {
            await m.update(
              InformationRequestEntity,
              { id: row.id, version: row.version },
              { ...(values as Partial<InformationRequestEntity>), version: row.version + 1, updatedAt: this.clock.nowIso() },
            );
          }
        });
        report.repaired += fixes.length;
      }
      // Let other requests in between chunks.
      await new Promise((resolve) => setImmediate(resolve));
    }
    return report;
  }
}
