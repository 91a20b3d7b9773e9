import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import sqlite3 from 'sqlite3';
import { DataSource } from 'typeorm';
import { APP_CONFIG, AppConfig } from '../config/app-config';

/** How often the WAL is copied back into the database file. */
const CHECKPOINT_EVERY_MS = 1000;

/**
 * SQLite: the WAL is checkpointed by a second connection of its own, PASSIVE (it waits for no
 * reader or writer), on a timer. Left to itself, SQLite checkpoints in the connection whose commit
 * crosses 1,000 pages of WAL, and the app has one connection: every query queued behind that
 * commit waited for the checkpoint's writes and syncs of the database file (issue 13: a look-up
 * during a 100,000-row import waited 270 ms). The app's connection now only appends to the WAL.
 */
@Injectable()
export class WalCheckpointer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('WalCheckpointer');
  private db: sqlite3.Database | null = null;
  private timer: NodeJS.Timeout | null = null;
  private busy = false;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const file = this.config.sqlitePath;
    if (this.dataSource.options.type !== 'sqlite' || !file || file === ':memory:') return;
    this.db = await new Promise<sqlite3.Database>((resolve, reject) => {
      const db = new sqlite3.Database(file, sqlite3.OPEN_READWRITE, (e) => (e ? reject(e) : resolve(db)));
    });
    await this.dataSource.query('PRAGMA wal_autocheckpoint = 0');
    this.timer = setInterval(() => void this.checkpoint(), CHECKPOINT_EVERY_MS);
    this.timer.unref();
  }

  /** One PASSIVE checkpoint on the second connection; skipped while one is running. */
  checkpoint(): Promise<void> {
    if (!this.db || this.busy) return Promise.resolve();
    this.busy = true;
    return new Promise<void>((resolve) =>
      this.db!.run('PRAGMA wal_checkpoint(PASSIVE)', (e) => {
        this.busy = false;
        if (e) this.logger.warn(`checkpoint failed: ${e.message}`);
        resolve();
      }),
    );
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    const db = this.db;
    this.db = null;
    if (db) await new Promise<void>((resolve) => db.close(() => resolve()));
  }
}
