import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { Interval } from '@nestjs/schedule';
import { UnitOfWork } from '../common/unit-of-work';
import { foldTallies } from './request-tally';

/** Deltas folded per transaction: a short write, so no other request waits long for the write lock. */
const BATCH = 5000;

/**
 * Folds the tallies' deltas into them (request-tally.ts) every half minute and at start-up, a
 * short transaction per batch with a turn of the event loop between. Counts are exact whether
 * or not this has run; it keeps the number of rows a count reads small.
 */
@Injectable()
export class TallyFolderService implements OnApplicationBootstrap {
  private readonly logger = new Logger('Tallies');
  private running: Promise<number> | null = null;

  constructor(private readonly unitOfWork: UnitOfWork) {}

  onApplicationBootstrap(): void {
    void this.foldAll().catch((e: Error) => this.logger.error(`folding the tallies failed: ${e.message}`));
  }

  @Interval('tally-fold', 30_000)
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
}
