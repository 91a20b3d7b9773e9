import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { EntityManager } from 'typeorm';
import { UnitOfWork } from '../common/unit-of-work';
import { ACCOUNT_LOCK_MINUTES, ACCOUNT_LOCK_THRESHOLD, addMinutes, clientLockMinutes, CLIENT_LOCK_THRESHOLD, isLockedAt, KNOWN_CLIENT_DAYS } from './sign-in-policy';

/** The address is kept only as a hash: enough to tell clients apart. */
export function clientKeyOf(address: string | undefined): string {
  return createHash('sha256')
    .update(address || 'unknown')
    .digest('hex');
}

/**
 * UPDATE/INSERT … RETURNING on SQLite (≥ 3.35) and PostgreSQL, parameters written $1, $2….
 * TypeORM's SQLite runner drops the rows of statements that begin with INSERT or UPDATE; a
 * leading comment sends the statement through sqlite3's all(), which returns them.
 */
async function returning(m: EntityManager, sql: string, parameters: unknown[]): Promise<Array<Record<string, unknown>>> {
  const sqlite = m.connection.options.type === 'sqlite';
  const text = sqlite ? `/* returning */ ${sql.replace(/\$(\d+)/g, '?$1')}` : sql;
  const result = await m.queryRunner!.query(text, parameters, true);
  if (!Array.isArray(result.records)) throw new Error('RETURNING gave no rows');
  return result.records as Array<Record<string, unknown>>;
}

const placeholders = (m: EntityManager, sql: string) => (m.connection.options.type === 'sqlite' ? sql.replace(/\$(\d+)/g, '?$1') : sql);

/**
 * Failure counts kept in the database and changed only by single atomic statements, so that
 * concurrent attempts (also from other instances) never overwrite each other's count.
 */
@Injectable()
export class SignInAttempts {
  constructor(private readonly unitOfWork: UnitOfWork) {}

  /** Counts one wrong password for the account and for this client, locking either when due. */
  recordFailure(userId: string, clientKey: string, now: Date): Promise<{ accountFailures: number; clientFailures: number }> {
    const nowIso = now.toISOString();
    return this.unitOfWork.run(async (m) => {
      const [account] = await returning(
        m,
        `UPDATE staff_user SET failed_attempts = failed_attempts + 1,
           locked_until = CASE WHEN failed_attempts + 1 >= $2 AND (locked_until IS NULL OR locked_until <= $3) THEN $4 ELSE locked_until END
         WHERE id = $1 RETURNING failed_attempts`,
        [userId, ACCOUNT_LOCK_THRESHOLD, nowIso, addMinutes(now, ACCOUNT_LOCK_MINUTES)],
      );
      const [client] = await returning(
        m,
        `INSERT INTO staff_login_client (user_id, client_key, failed_attempts, locked_until, last_failed_at, last_success_at) VALUES ($1, $2, 1, NULL, $3, NULL)
         ON CONFLICT (user_id, client_key) DO UPDATE SET failed_attempts = staff_login_client.failed_attempts + 1, last_failed_at = $3
         RETURNING failed_attempts`,
        [userId, clientKey, nowIso],
      );
      const clientFailures = Number(client.failed_attempts);
      if (clientFailures >= CLIENT_LOCK_THRESHOLD) {
        // A failure while locked is counted but does not extend the lock; the next one after it does.
        await m.query(placeholders(m, `UPDATE staff_login_client SET locked_until = $3 WHERE user_id = $1 AND client_key = $2 AND (locked_until IS NULL OR locked_until <= $4)`), [
          userId,
          clientKey,
          addMinutes(now, clientLockMinutes(clientFailures)),
          nowIso,
        ]);
      }
      // Forget clients that never signed in and stopped failing a day ago (and are not locked).
      await m.query(placeholders(m, `DELETE FROM staff_login_client WHERE last_success_at IS NULL AND last_failed_at < $1 AND (locked_until IS NULL OR locked_until <= $2)`), [
        addMinutes(now, -24 * 60),
        nowIso,
      ]);
      return { accountFailures: Number(account?.failed_attempts ?? 0), clientFailures };
    });
  }

  /**
   * After a correct password: admits the sign-in unless this client's pair is locked, or the
   * account is locked and this client has not signed in to it within KNOWN_CLIENT_DAYS. An
   * admitted sign-in clears this client's count, and the account's count when it is not locked.
   */
  admit(userId: string, clientKey: string, now: Date): Promise<boolean> {
    const nowIso = now.toISOString();
    return this.unitOfWork.run(async (m) => {
      const [client] = await m.query<Array<{ locked_until: string | null; last_success_at: string | null }>>(
        placeholders(m, `SELECT locked_until, last_success_at FROM staff_login_client WHERE user_id = $1 AND client_key = $2`),
        [userId, clientKey],
      );
      if (isLockedAt(client?.locked_until, now)) return false;
      const cleared = await returning(m, `UPDATE staff_user SET failed_attempts = 0, locked_until = NULL WHERE id = $1 AND (locked_until IS NULL OR locked_until <= $2) RETURNING id`, [
        userId,
        nowIso,
      ]);
      const known = !!client?.last_success_at && client.last_success_at > addMinutes(now, -KNOWN_CLIENT_DAYS * 24 * 60);
      if (!cleared.length && !known) return false;
      await m.query(
        placeholders(
          m,
          `INSERT INTO staff_login_client (user_id, client_key, failed_attempts, locked_until, last_failed_at, last_success_at) VALUES ($1, $2, 0, NULL, NULL, $3)
           ON CONFLICT (user_id, client_key) DO UPDATE SET failed_attempts = 0, locked_until = NULL, last_success_at = $3`,
        ),
        [userId, clientKey, nowIso],
      );
      return true;
    });
  }

  /** An administrator re-enabled the account or reset its password: every lock on it goes. */
  async clearLocks(m: EntityManager, userId: string): Promise<void> {
    await m.query(placeholders(m, `UPDATE staff_user SET failed_attempts = 0, locked_until = NULL WHERE id = $1`), [userId]);
    await m.query(placeholders(m, `UPDATE staff_login_client SET failed_attempts = 0, locked_until = NULL WHERE user_id = $1`), [userId]);
  }
}
