import { accessSync, closeSync, constants, existsSync, fsyncSync, mkdirSync, openSync, unlinkSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { AppConfig } from '../config/app-config';
import { PRIVATE_DIR_MODE } from './private-files';

const REASONS: Record<string, string> = {
  EROFS: '所在文件系统为只读',
  EACCES: '没有写入权限',
  EPERM: '没有写入权限',
  ENOSPC: '磁盘空间已满',
  EDQUOT: '超出磁盘配额',
  ENOTDIR: '路径不是目录',
};

/**
 * Before start-up: the data folder (SQLite file, .eml mail) must be writable and have room.
 * Returns a message naming the problem, or null.
 */
export function checkDataFolder(config: AppConfig): string | null {
  const dirs = [config.dataDir];
  if (!config.smtpUrl) dirs.push(config.mailDir);
  for (const dir of dirs) {
    const probe = join(dir, `.write-test-${process.pid}`);
    try {
      mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
      const fd = openSync(probe, 'w');
      try {
        writeSync(fd, Buffer.alloc(64 * 1024));
        fsyncSync(fd);
      } finally {
        closeSync(fd);
        unlinkSync(probe);
      }
    } catch (e) {
      const code = explain(dir, (e as NodeJS.ErrnoException).code ?? '');
      try {
        unlinkSync(probe);
      } catch {
        // nothing was written
      }
      return `无法启动：数据目录 ${dir} 不可写（${REASONS[code] ?? '写入失败'}，${code || (e as Error).message}）。请检查 OGI_DATA_DIR 的磁盘空间和权限。`;
    }
  }
  return null;
}

/** A recursive mkdir on a read-only file system reports ENOENT; ask the nearest existing folder why. */
function explain(dir: string, code: string): string {
  if (code !== 'ENOENT') return code;
  let ancestor = dir;
  while (!existsSync(ancestor) && dirname(ancestor) !== ancestor) ancestor = dirname(ancestor);
  try {
    accessSync(ancestor, constants.W_OK);
    return code;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code ?? code;
  }
}
