import { chmodSync, closeSync, existsSync, mkdirSync, openSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The database, its -wal/-shm, mail files and backups hold applicants' personal data: only the
 * account that runs the app may read them. The entry points also set umask 077; these helpers
 * set the modes explicitly so that nothing depends on the umask of whoever starts the code.
 */
export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

/** The sidecar files SQLite keeps next to a database. */
const SQLITE_SUFFIXES = ['', '-wal', '-shm', '-journal'];

/** Creates a folder and its missing parents 0700. An existing folder is left as it is (it may be shared, e.g. /tmp). */
export function makePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
}

/** Creates the file empty if missing, and makes it 0600 either way. */
export function makePrivateFile(path: string): void {
  closeSync(openSync(path, 'a', PRIVATE_FILE_MODE));
  chmodSync(path, PRIVATE_FILE_MODE);
}

/**
 * SQLite creates its -wal and -shm with the mode of the database file, so a database created
 * 0600 keeps them private; files left 0644 by earlier versions are tightened here.
 */
export function makeSqliteFilesPrivate(dbPath: string): void {
  for (const suffix of SQLITE_SUFFIXES) tighten(`${dbPath}${suffix}`);
}

/** The app's own folder (OGI_DATA_DIR) with its mail and backups folders: 0700, their files 0600. */
export function makeDataFolderPrivate(dataDir: string): void {
  if (!tighten(dataDir)) return;
  for (const sub of ['mail', 'backups']) {
    const dir = join(dataDir, sub);
    if (tighten(dir)) for (const name of readdirSync(dir)) tighten(join(dir, name));
  }
  for (const name of readdirSync(dataDir)) if (/\.(sqlite|key)(-wal|-shm|-journal)?$/.test(name)) tighten(join(dataDir, name));
}

/** Folders 0700, files 0600, when needed; false when the path does not exist. What is not ours to change is left alone. */
function tighten(path: string): boolean {
  if (!existsSync(path)) return false;
  try {
    const stat = statSync(path);
    const mode = stat.isDirectory() ? PRIVATE_DIR_MODE : stat.isFile() ? PRIVATE_FILE_MODE : null;
    if (mode !== null && (stat.mode & 0o777) !== mode) chmodSync(path, mode);
  } catch {
    // Not ours to change (EPERM): the start-up storage check reports folders we cannot write.
  }
  return true;
}
