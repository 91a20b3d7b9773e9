import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

function findProjectRoot(start: string): string {
  let dir = start;
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`package.json not found above ${start}`);
    dir = parent;
  }
  return dir;
}

/** The repository root, whether running from src/ (tests) or dist/src/ (built app). */
export const PROJECT_ROOT = findProjectRoot(__dirname);
export const VIEWS_DIR = join(PROJECT_ROOT, 'views');
export const STATIC_DIR = join(PROJECT_ROOT, 'public');
