/**
 * npm run backup [-- --out file]
 * SQLite: a consistent copy through SQLite's online backup API while the app keeps running,
 * checked with PRAGMA integrity_check. PostgreSQL: pg_dump -Fc of DATABASE_URL.
 */
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import sqlite3 from 'sqlite3';
import { loadConfigOrExit } from '../src/config/app-config';
import { makePrivateDir, makePrivateFile } from '../src/database/private-files';
import { argValue, fail } from './cli-context';

function stamp(): string {
  return new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 19).replace(/[-:]/g, '').replace('T', '-');
}

function run(db: sqlite3.Database, sql: string): Promise<Array<Record<string, unknown>>> {
  return new Promise((resolve, reject) => db.all(sql, (err, rows) => (err ? reject(err) : resolve(rows as Array<Record<string, unknown>>))));
}

/** A backup holds every applicant's data: its folder 0700, the file 0600 before anything is written to it. */
function prepareTarget(out: string): void {
  makePrivateDir(dirname(out));
  makePrivateFile(out);
}

async function backupSqlite(source: string, out: string): Promise<void> {
  prepareTarget(out);
  const db = await new Promise<sqlite3.Database>((resolve, reject) => {
    const d = new sqlite3.Database(source, sqlite3.OPEN_READONLY, (err) => (err ? reject(err) : resolve(d)));
  });
  db.configure('busyTimeout', 10_000);
  // sqlite3's typings omit the online backup API (Database#backup, lib/sqlite3.js).
  interface Backup {
    step(pages: number, cb: (e: Error | null) => void): void;
    finish(cb: () => void): void;
    completed: boolean;
    failed: boolean;
  }
  const withBackup = db as unknown as { backup(file: string, cb: (e: Error | null) => void): Backup };
  await new Promise<void>((resolve, reject) => {
    const backup = withBackup.backup(out, (err: Error | null) => {
      if (err) return reject(err);
      const step = () =>
        backup.step(-1, (e: Error | null) => {
          if (e) return reject(e);
          if (backup.completed) return backup.finish(() => resolve());
          if (backup.failed) return reject(new Error('backup failed'));
          setTimeout(step, 10);
        });
      step();
    });
  });
  await new Promise<void>((resolve) => db.close(() => resolve()));
  const copy = new sqlite3.Database(out, sqlite3.OPEN_READONLY);
  const [check] = await run(copy, 'PRAGMA integrity_check');
  const [count] = await run(copy, 'SELECT COUNT(*) AS n FROM information_request');
  await new Promise<void>((resolve) => copy.close(() => resolve()));
  if (check.integrity_check !== 'ok') fail(`备份文件校验失败：${String(check.integrity_check)}`);
  console.log(`已备份到 ${out}（${count.n} 件申请，完整性检查通过）`);
}

async function main(): Promise<void> {
  process.umask(0o077);
  const config = loadConfigOrExit();
  const args = process.argv.slice(2);
  if (config.databaseKind === 'postgres') {
    const out = argValue(args, 'out') ?? join(config.dataDir, 'backups', `ogi-desk-${stamp()}.dump`);
    prepareTarget(out);
    const r = spawnSync('pg_dump', ['-Fc', '-f', out, config.databaseUrl], { stdio: 'inherit' });
    if (r.error || r.status !== 0) fail(`pg_dump 失败（${r.error?.message ?? `退出码 ${r.status}`}）；请确认已安装 PostgreSQL 客户端。`);
    console.log(`已备份到 ${out}（用 pg_restore -d <数据库> 恢复）`);
    return;
  }
  const out = argValue(args, 'out') ?? join(config.dataDir, 'backups', `ogi-desk-${stamp()}.sqlite`);
  await backupSqlite(config.sqlitePath!, out);
}

void main().catch((e: Error) => fail(`备份失败：${e.message}`));
