import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Read by test/support/sqlite-template.ts (kept here so that jest's parent loads no TypeORM). */
export const TEMPLATE_DIR_ENV = 'OGI_TEST_SQLITE_TEMPLATE_DIR';

/** One folder per jest run for the migrated SQLite template (test/support/sqlite-template.ts); workers inherit the variable. */
export default function globalSetup(): void {
  if (process.env.TEST_DATABASE_URL) return;
  process.env[TEMPLATE_DIR_ENV] = mkdtempSync(join(tmpdir(), 'ogi-template-'));
}
