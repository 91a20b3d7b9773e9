import { Injectable, Logger, OnApplicationBootstrap, OnModuleInit } from '@nestjs/common';
import { Interval } from '@nestjs/schedule';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { UnitOfWork } from '../common/unit-of-work';
import { foldTallies } from './request-tally';
import { rebuildTallies, SQLITE_TALLY_INDEXES, SQLITE_TALLY_TRIGGERS, verifyTallies } from './tally-schema';

/** The name of the fold's timer, for the scheduler's registry. */
export const TALLY_FOLD_TIMER = 'tally-fold';

/** Deltas folded per transaction: a short write, so no other request waits long for the write lock. */
const BATCH = 1000;

/**
 * Folds the tallies' deltas into them (request-tally.ts) every half minute and at start-up, a
 * short transaction per batch with a turn of the event loop between. Counts are exact whether
 * or not this has run; it keeps the number of rows a count reads small.
 */
@Injectable()
export class TallyFolderService implements OnModuleInit, OnApplicationBootstrap {
  private readonly logger = new Logger('Tallies');
  private running: Promise<number> | null = null;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly unitOfWork: UnitOfWork,
  ) {}

  /** SQLite: triggers and indexes a table rebuild dropped are put back; without their triggers the tallies are rebuilt. */
  async onModuleInit(): Promise<void> {
    if (this.dataSource.options.type !== 'sqlite') return;
    const present = new Set((await this.dataSource.query<Array<{ name: string }>>("SELECT name FROM sqlite_master WHERE type IN ('trigger', 'index', 'table')")).map((r) => r.name));
    if (!present.has('request_tally') || !present.has('report_tally')) return;
    for (const [name, ddl] of SQLITE_TALLY_INDEXES) if (!present.has(name)) await this.dataSource.query(ddl);
    const missing = SQLITE_TALLY_TRIGGERS.filter(([name]) => !present.has(name));
    if (!missing.length) return;
    this.logger.warn(`tally triggers missing (${missing.map(([n]) => n).join(', ')}): rebuilding the tallies`);
    await this.unitOfWork.run(async (m) => {
      for (const [name] of SQLITE_TALLY_TRIGGERS) await m.query(`DROP TRIGGER IF EXISTS "${name}"`);
      for (const [, ddl] of SQLITE_TALLY_TRIGGERS) await m.query(ddl);
      await rebuildTallies(m);
    });
  }

  onApplicationBootstrap(): void {
    void this.foldAll().catch((e: Error) => this.logger.error(`folding the tallies failed: ${e.message}`));
  }

  @Interval(TALLY_FOLD_TIMER, 30_000)
  async onInterval(): Promise<void> {
    await this.foldAll().catch((e: Error) => this.logger.error(`folding the tallies failed: ${e.message}`));
  }

  /** Folds every delta written so far; one run at a time per instance. */
  foldAll(): Promise<number> {
    this.running ??= (async () => {
      let total = 0;
      try {
        for (;;) {
          const folded = await this.unitOfWork.run((m) => foldTallies(m, BATCH));
          total += folded;
          if (folded === 0) return total;
          await new Promise((resolve) => setImmediate(resolve));
        }
      } finally {
        this.running = null;
      }
    })();
    return this.running;
  }

  /** `npm run state:verify`: the tallies against a fresh count of the requests; with repair, rebuilt. */
  async verify(repair: boolean): Promise<{ mismatched: Record<string, number>; repaired: boolean }> {
    await this.foldAll();
    return this.unitOfWork.run(async (m) => {
      const mismatched = await verifyTallies(m);
      const wrong = Object.values(mismatched).some((n) => n > 0);
      if (wrong && repair) await rebuildTallies(m);
      return { mismatched, repaired: wrong && repair };
    });
  }
}
