/**
 * How repeated sign-in failures are held off. A lock is per (account, client) first, so one
 * client guessing cannot lock the real user out from another; the account-wide lock comes
 * only at a higher count, for a fixed time, and spares clients the user signed in from before.
 */

/** Failures from one client before that (account, client) pair is locked. */
export const CLIENT_LOCK_THRESHOLD = 5;
/** The pair lock lasts 1 minute and doubles with each failure counted after that, up to a day. */
export const CLIENT_LOCK_MAX_MINUTES = 24 * 60;
/** Failures from all clients together, since the last successful sign-in, before the account locks. */
export const ACCOUNT_LOCK_THRESHOLD = 20;
export const ACCOUNT_LOCK_MINUTES = 15;
/** A client that signed in to the account within this many days is held only by its own pair lock. */
export const KNOWN_CLIENT_DAYS = 90;
/** Attempts for one account waiting their turn in this process; beyond it they are refused at once. */
export const MAX_PENDING_ATTEMPTS = 100;

/** The same answer for an unknown account, a wrong password and a lock: nothing to enumerate. */
export const SIGN_IN_REFUSED = '用户名或密码错误，或因多次登录失败暂时不能登录，请稍后再试。';

export function clientLockMinutes(failures: number): number {
  if (failures < CLIENT_LOCK_THRESHOLD) return 0;
  return Math.min(2 ** Math.min(failures - CLIENT_LOCK_THRESHOLD, 20), CLIENT_LOCK_MAX_MINUTES);
}

export function isLockedAt(lockedUntil: string | null | undefined, now: Date): boolean {
  return !!lockedUntil && lockedUntil > now.toISOString();
}

export function addMinutes(now: Date, minutes: number): string {
  return new Date(now.getTime() + minutes * 60_000).toISOString();
}
