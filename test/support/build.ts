import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');

/**
 * Compiles src, migrations and scripts into dist/ for the specs that start the built app or CLIs.
 * `tsc -b` (as `npm run build`) skips the work when dist/ is up to date: the specs that need it
 * no longer compile the whole project again each (about 10 s each), and runs side by side (CI's
 * SQLite and PostgreSQL passes) do not rewrite files the other is running.
 */
export function buildDist(): void {
  execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-b', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'pipe' });
}
