import { Global, Inject, Injectable, Module, OnApplicationShutdown } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import sqlite3 from 'sqlite3';
import { DataSource, DataSourceOptions } from 'typeorm';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { tuneReader } from './migrate';
import { WalCheckpointer } from './wal-checkpointer';

/** The data source for reads that need no transaction: list, detail, search, look-up, dashboard, report pages. */
export const READ_DATA_SOURCE = Symbol('READ_DATA_SOURCE');
export const InjectReadDataSource = (): ParameterDecorator => Inject(READ_DATA_SOURCE);
/** The same for the background jobs' long reads (digest, deadlines after a calendar change): a connection of their own, so that they hold up no page. */
export const JOB_READ_DATA_SOURCE = Symbol('JOB_READ_DATA_SOURCE');
export const InjectJobReadDataSource = (): ParameterDecorator => Inject(JOB_READ_DATA_SOURCE);

const readers = new WeakSet<DataSource>();

/**
 * True when reads through this data source only ever see committed data: PostgreSQL, or the
 * separate SQLite reader. A read on SQLite's shared write connection sees the open transaction.
 */
export function readsCommitted(ds: DataSource): boolean {
  return ds.options.type !== 'sqlite' || readers.has(ds);
}

/**
 * SQLite: a second connection, opened read-only, for the reads above. The app's one write
 * connection runs its statements one after another, so a page read queued behind a commit of a
 * large import or fold waited for that commit's I/O (issue 13: a look-up waited 230–370 ms while
 * a 100,000-row ledger was written). In WAL mode a reader on its own connection never waits for
 * the writer: it reads the last committed snapshot, which includes every commit that returned
 * before the read began (a clerk sees their own step at once). PostgreSQL: the app's pool.
 */
@Injectable()
export class ReadConnection implements OnApplicationShutdown {
  private readonly opened: DataSource[] = [];

  constructor(
    @Inject(getDataSourceToken()) private readonly main: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async open(cacheKiB: number): Promise<DataSource> {
    const file = this.config.sqlitePath;
    if (this.main.options.type !== 'sqlite' || !file || file === ':memory:') return this.main;
    const options = { ...this.main.options, flags: sqlite3.OPEN_READONLY, enableWAL: false, migrations: [] } as DataSourceOptions;
    const reader = await new DataSource(options).initialize();
    await tuneReader(reader, cacheKiB);
    readers.add(reader);
    this.opened.push(reader);
    return reader;
  }

  async onApplicationShutdown(): Promise<void> {
    const opened = this.opened.splice(0);
    for (const reader of opened) if (reader.isInitialized) await reader.destroy();
  }
}

@Global()
@Module({
  providers: [
    ReadConnection,
    { provide: READ_DATA_SOURCE, inject: [ReadConnection], useFactory: (c: ReadConnection) => c.open(32 * 1024) },
    { provide: JOB_READ_DATA_SOURCE, inject: [ReadConnection], useFactory: (c: ReadConnection) => c.open(8 * 1024) },
    WalCheckpointer,
  ],
  exports: [READ_DATA_SOURCE, JOB_READ_DATA_SOURCE],
})
export class DatabaseModule {}
