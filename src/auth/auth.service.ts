import { insertRows } from '../common/insert-rows';
import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { Repository } from 'typeorm';
import { Clock } from '../common/clock';
import { UnitOfWork } from '../common/unit-of-work';
import { isUniqueViolation } from '../common/db-errors';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { DomainError, ValidationFailedError } from '../domain/errors';
import { StaffSessionEntity } from './entities/staff-session.entity';
import { StaffUserEntity } from './entities/staff-user.entity';
import { dummyPasswordHash, hashPassword, passwordProblem, verifyPassword } from './password';
import { Role, ROLES, StaffPrincipal } from './roles';

export type SessionKind = 'web' | 'api';

const LOCKOUT_THRESHOLD = 5;

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

function toPrincipal(user: StaffUserEntity): StaffPrincipal {
  return {
    id: user.id,
    username: user.username,
    displayName: user.displayName,
    roles: user.roles.split(',').filter((r): r is Role => (ROLES as readonly string[]).includes(r)),
  };
}

@Injectable()
export class AuthService implements OnApplicationBootstrap {
  private readonly logger = new Logger('Auth');

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @InjectRepository(StaffUserEntity) private readonly users: Repository<StaffUserEntity>,
    @InjectRepository(StaffSessionEntity) private readonly sessions: Repository<StaffSessionEntity>,
    private readonly unitOfWork: UnitOfWork,
    private readonly clock: Clock,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const { adminUsername, adminPassword } = this.config;
    if (!adminUsername || !adminPassword) return;
    // Only a database without accounts gets one; the password is hashed (scrypt) only then.
    if ((await this.users.count()) > 0) return;
    const admin = { ...(await this.newUser(adminUsername, '系统管理员', adminPassword, [...ROLES])), email: this.config.adminEmail };
    const created = await this.unitOfWork
      .run(async (m) => {
        if ((await m.count(StaffUserEntity)) > 0) return false;
        await insertRows(m, StaffUserEntity, admin);
        return true;
      })
      // Another instance starting at the same moment created it first.
      .catch((e: unknown) => {
        if (isUniqueViolation(e)) return false;
        throw e;
      });
    if (created) this.logger.log(`created administrator account "${adminUsername}"`);
  }

  async createUser(username: string, displayName: string, password: string, roles: Role[], email: string | null = null): Promise<StaffPrincipal> {
    const fields: Record<string, string> = {};
    if (!/^[A-Za-z0-9_.-]{3,64}$/.test(username)) fields.username = '用户名为 3 到 64 个字母、数字或 _ . -。';
    if (!displayName || displayName.length > 100) fields.displayName = '请填写姓名（最多 100 个字符）。';
    const weak = passwordProblem(password, username);
    if (weak) fields.password = weak;
    if (!roles.length || roles.some((r) => !(ROLES as readonly string[]).includes(r))) fields.roles = '请至少选择一个角色。';
    if (email !== null && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email)) fields.email = '电子邮箱格式无效。';
    if (Object.keys(fields).length) throw new ValidationFailedError(fields);
    const user = { ...(await this.newUser(username, displayName, password, roles)), email };
    await this.unitOfWork.run(async (m) => {
      if (await m.findOneBy(StaffUserEntity, { username })) throw new DomainError('CONFLICT', '该用户名已存在。', { username: '已存在。' });
      await insertRows(m, StaffUserEntity, user);
    });
    return toPrincipal(user);
  }

  private async newUser(username: string, displayName: string, password: string, roles: Role[]): Promise<StaffUserEntity> {
    return Object.assign(new StaffUserEntity(), {
      id: randomUUID(),
      username,
      displayName,
      passwordHash: await hashPassword(password),
      roles: roles.join(','),
      email: null,
      active: true,
      failedAttempts: 0,
      lockedUntil: null,
      createdAt: this.clock.nowIso(),
    });
  }

  /** Checks credentials; repeated failures lock the account with a doubling back-off. */
  async authenticate(username: string, password: string): Promise<StaffPrincipal> {
    const user = await this.users.findOneBy({ username: String(username).slice(0, 64) });
    const now = this.clock.now();
    if (!user || !user.active) {
      await verifyPassword(password, await dummyPasswordHash());
      throw new DomainError('UNAUTHORIZED', '用户名或密码错误。');
    }
    if (user.lockedUntil && new Date(user.lockedUntil) > now) {
      throw new DomainError('UNAUTHORIZED', `登录失败次数过多，账号已临时锁定，请于 ${user.lockedUntil.slice(11, 16)}（UTC）后再试。`);
    }
    const ok = await verifyPassword(password, user.passwordHash);
    await this.unitOfWork.run(async (m) => {
      if (ok) {
        await m.update(StaffUserEntity, { id: user.id }, { failedAttempts: 0, lockedUntil: null });
        return;
      }
      const failures = user.failedAttempts + 1;
      const lockMinutes = failures >= LOCKOUT_THRESHOLD ? 2 ** (failures - LOCKOUT_THRESHOLD) : 0;
      await m.update(StaffUserEntity, { id: user.id }, {
        failedAttempts: failures,
        lockedUntil: lockMinutes ? new Date(now.getTime() + Math.min(lockMinutes, 24 * 60) * 60_000).toISOString() : null,
      });
    });
    if (!ok) throw new DomainError('UNAUTHORIZED', '用户名或密码错误。');
    return toPrincipal(user);
  }

  async createSession(principal: StaffPrincipal, kind: SessionKind): Promise<{ token: string; expiresAt: string }> {
    const token = randomBytes(32).toString('base64url');
    const hours = kind === 'web' ? this.config.sessionHours : this.config.apiTokenHours;
    const now = this.clock.now();
    const expiresAt = new Date(now.getTime() + hours * 3_600_000).toISOString();
    await this.unitOfWork.run((m) =>
      insertRows(m, StaffSessionEntity, { tokenHash: hashToken(token), userId: principal.id, kind, createdAt: now.toISOString(), expiresAt, revokedAt: null }),
    );
    return { token, expiresAt };
  }

  async resolve(token: string, kind: SessionKind): Promise<StaffPrincipal | null> {
    if (!token || token.length > 200) return null;
    // One query: the session and its account.
    const user = await this.users
      .createQueryBuilder('u')
      .innerJoin(StaffSessionEntity, 's', 's.user_id = u.id')
      .where('s.token_hash = :hash AND s.kind = :kind AND s.revoked_at IS NULL AND s.expires_at > :now AND u.active = :active', {
        hash: hashToken(token),
        kind,
        now: this.clock.nowIso(),
        active: true,
      })
      .getOne();
    return user ? toPrincipal(user) : null;
  }

  async listAccounts(): Promise<Array<StaffPrincipal & { active: boolean; email: string | null; locked: boolean }>> {
    const now = this.clock.now();
    return (await this.users.find({ order: { username: 'ASC' } })).map((u) => ({ ...toPrincipal(u), active: u.active, email: u.email, locked: !!u.lockedUntil && new Date(u.lockedUntil) > now }));
  }

  async updateAccount(id: string, change: { active?: boolean; roles?: Role[] }, actorId: string): Promise<void> {
    if (change.roles && (!change.roles.length || change.roles.some((r) => !(ROLES as readonly string[]).includes(r)))) {
      throw new ValidationFailedError({ roles: '请至少选择一个角色。' });
    }
    if (id === actorId && (change.active === false || (change.roles && !change.roles.includes('administrator')))) {
      throw new DomainError('CONFLICT', '不能停用自己的账号或去掉自己的管理员角色。');
    }
    await this.unitOfWork.run(async (m) => {
      const user = await m.findOneBy(StaffUserEntity, { id });
      if (!user) throw new DomainError('NOT_FOUND', '未找到该账号。');
      await m.update(StaffUserEntity, { id }, {
        ...(change.active === undefined ? {} : { active: change.active, failedAttempts: 0, lockedUntil: null }),
        ...(change.roles ? { roles: change.roles.join(',') } : {}),
      });
      // A disabled account loses its sessions and tokens at once.
      if (change.active === false) await m.update(StaffSessionEntity, { userId: id }, { revokedAt: this.clock.nowIso() });
    });
  }

  async changePassword(userId: string, current: string, next: string): Promise<void> {
    const user = await this.users.findOneBy({ id: userId });
    if (!user) throw new DomainError('NOT_FOUND', '未找到该账号。');
    if (!(await verifyPassword(current, user.passwordHash))) throw new ValidationFailedError({ current: '当前密码不正确。' });
    const weak = passwordProblem(next, user.username);
    if (weak) throw new ValidationFailedError({ password: weak });
    const hash = await hashPassword(next);
    await this.unitOfWork.run((m) => m.update(StaffUserEntity, { id: userId }, { passwordHash: hash }));
  }

  async resetPassword(userId: string, next: string): Promise<void> {
    const user = await this.users.findOneBy({ id: userId });
    if (!user) throw new DomainError('NOT_FOUND', '未找到该账号。');
    const weak = passwordProblem(next, user.username);
    if (weak) throw new ValidationFailedError({ password: weak });
    const hash = await hashPassword(next);
    await this.unitOfWork.run(async (m) => {
      await m.update(StaffUserEntity, { id: userId }, { passwordHash: hash, failedAttempts: 0, lockedUntil: null });
      await m.update(StaffSessionEntity, { userId }, { revokedAt: this.clock.nowIso() });
    });
  }

  async listStaff(): Promise<StaffPrincipal[]> {
    return (await this.users.find({ where: { active: true }, order: { displayName: 'ASC' } })).map(toPrincipal);
  }

  async findStaff(id: string): Promise<StaffPrincipal | null> {
    const user = await this.users.findOneBy({ id });
    return user && user.active ? toPrincipal(user) : null;
  }

  /** Active staff with an e-mail address: who receives the daily digest. */
  async digestRecipients(): Promise<Array<{ email: string; displayName: string }>> {
    const users = await this.users.find({ where: { active: true } });
    return users.filter((u) => u.email).map((u) => ({ email: u.email!, displayName: u.displayName }));
  }

  async revoke(token: string): Promise<void> {
    await this.unitOfWork.run((m) => m.update(StaffSessionEntity, { tokenHash: hashToken(token) }, { revokedAt: this.clock.nowIso() }));
  }
}
