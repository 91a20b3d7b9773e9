import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { checkpointWal } from '../database/migrate';

/**
 * Runs work in one database transaction. The sqlite3 driver shares a single connection,
 * so SQLite transactions are queued here instead of colliding ("cannot start a transaction
 * within a transaction") or surfacing SQLITE_BUSY. Every write in the app goes through it.
 */
@Injectable()
export class UnitOfWork {
  private tail: Promise<unknown> = Promise.resolve();

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  get isSqlite(): boolean {
    return this.dataSource.options.type === 'sqlite';
  }

  run<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    if (!this.isSqlite) return this.dataSource.transaction(work);
    const result = this.tail.then(() => {
      // TypeORM hands every SQLite user the same query runner. A transaction opened on it outside
      // this queue would take this one's BEGIN as a nested one, or fail it, and the two would end
      // each other's (a commit nobody asked for, or a transaction nobody commits): refuse instead.
      if (this.dataSource.createQueryRunner().isTransactionActive) throw new Error('a transaction is open on the SQLite connection outside the UnitOfWork');
      return this.dataSource.transaction(work);
    });
    this.tail = result.catch(() => undefined);
    return result;
  }

  /**
   * SQLite: copies the WAL into the database file and empties it, queued behind the
   * transactions (a checkpoint inside one fails). After an erasure the erased values must not
   * stay in the -wal file; secure_delete (tuneConnection) has zeroed them in the pages.
   * Returns false if readers kept it from completing.
   */
  checkpoint(): Promise<boolean> {
    if (!this.isSqlite) return Promise.resolve(true);
    const result = this.tail.then(() => checkpointWal(this.dataSource));
    this.tail = result.catch(() => undefined);
    return result;
  }
}
