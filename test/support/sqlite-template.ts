import { chmodSync, copyFileSync, existsSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { loadConfig } from '../../src/config/app-config';
import { buildDataSourceOptions } from '../../src/database/data-source';
import { tuneConnection } from '../../src/database/migrate';
import { TEMPLATE_DIR_ENV } from './global-setup';

/**
 * A SQLite database on which the real migrations ran once in this jest run, built by the first test
 * app of each worker that needs it (workers racing both build one; the rename keeps either). Copying
 * it instead of migrating every test app's empty file saves ~0.4 s per app; the app still runs its
 * start-up migration check on the copy, which finds nothing pending. Null outside a jest run that
 * set the folder up (then each app migrates its own file, as before).
 */
export async function migratedTemplate(): Promise<string | null> {
  const dir = process.env[TEMPLATE_DIR_ENV];
  if (!dir || !existsSync(dir)) return null;
  const file = join(dir, 'migrated.sqlite');
  if (existsSync(file)) return file;
  const building = join(dir, `building-${process.pid}.sqlite`);
  const ds = await new DataSource(buildDataSourceOptions(loadConfig({ OGI_DATA_DIR: dir, DATABASE_URL: `sqlite:${building}` }))).initialize();
  try {
    await tuneConnection(ds);
    // What the app's start-up (runMigrationsUnderLock) does on SQLite, without its log line.
    await ds.runMigrations({ transaction: 'all' });
    // Everything into the main file, so that copying it alone copies the whole database.
    await ds.query('PRAGMA wal_checkpoint(TRUNCATE)');
  } finally {
    await ds.destroy();
  }
  for (const suffix of ['-wal', '-shm']) rmSync(`${building}${suffix}`, { force: true });
  renameSync(building, file);
  return file;
}

/** The template copied to `path`, private (0600) as the app creates its database. */
export async function copyMigratedTemplate(path: string): Promise<boolean> {
  const template = await migratedTemplate();
  if (!template) return false;
  copyFileSync(template, path);
  chmodSync(path, 0o600);
  return true;
}
