import { Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';

/** An arbitrary constant: the advisory lock that serialises start-up migrations across instances. */
const MIGRATION_LOCK_KEY = 4_771_920_118;

/**
 * Runs pending migrations at start-up. On PostgreSQL several instances may start at once:
 * they queue on an advisory lock, and the ones that get it later find nothing to run.
 */
export async function runMigrationsUnderLock(ds: DataSource): Promise<void> {
  const logger = new Logger('Migrations');
  if (ds.options.type !== 'postgres') {
    const ran = await ds.runMigrations({ transaction: 'all' });
    if (ran.length) logger.log(`ran ${ran.map((m) => m.name).join(', ')}`);
    return;
  }
  const runner = ds.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    const ran = await ds.runMigrations({ transaction: 'all' });
    if (ran.length) logger.log(`ran ${ran.map((m) => m.name).join(', ')}`);
  } finally {
    await runner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
    await runner.release();
  }
}

/**
 * SQLite in WAL mode with synchronous=NORMAL: a commit is durable once written to the WAL, so
 * an application crash loses nothing acknowledged; only a power cut or OS crash can lose the
 * last commits (the database itself stays consistent). PostgreSQL keeps its own settings.
 */
export async function tuneConnection(ds: DataSource): Promise<void> {
  if (ds.options.type !== 'sqlite') return;
  await ds.query('PRAGMA synchronous = NORMAL');
  // 32 MB of pages instead of 2 MB: a write that moves many index entries keeps them in memory
  // instead of spilling and re-reading them (issue 15: a calendar change at 1M requests).
  await ds.query('PRAGMA cache_size = -32768');
  // Deleted and overwritten content is zeroed, not left in free space: erasure must erase.
  await ds.query('PRAGMA secure_delete = ON');
}

/**
 * The read-only SQLite connections (src/database/read-data-source.ts). The pages' reader keeps
 * 32 MB of pages, as the writer does: with 8 MB, list and search pages at 1M requests read more
 * of the file again. The jobs' reader, which also serves roll-ups, keeps 8 MB: a roll-up of 1M
 * requests filled 32 MB and took the app's peak RSS to 247 MB (8 MB: 216 MB, the same 0.46 s;
 * issue 16's `bench:report -- --rollup`).
 */
export async function tuneReader(ds: DataSource, cacheKiB: number): Promise<void> {
  await ds.query(`PRAGMA cache_size = -${cacheKiB}`);
}

/**
 * SQLite: PRAGMA wal_checkpoint(TRUNCATE), retried while a statement of the shared connection
 * (SQLITE_LOCKED) or another process's reader (busy) holds the WAL. True once the WAL is empty.
 */
export async function checkpointWal(ds: DataSource, attempts = 10): Promise<boolean> {
  if (ds.options.type !== 'sqlite') return true;
  for (let i = 0; i < attempts; i++) {
    try {
      const [row] = await ds.query<Array<{ busy: number }>>('PRAGMA wal_checkpoint(TRUNCATE)');
      if (Number(row?.busy) === 0) return true;
    } catch {
      // SQLITE_LOCKED: a read of this connection was running; try again.
    }
    await new Promise((r) => setTimeout(r, 50 * (i + 1)));
  }
  return false;
}
