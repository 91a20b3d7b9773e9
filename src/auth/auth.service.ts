import { currentAgencyId, scopedAgencyId } from '../agencies/agency-scope';
import { AgenciesService } from '../agencies/agencies.service';
import { ROOT_AGENCY_ID } from '../agencies/entities/agency.entity';
import { insertRows } from '../common/insert-rows';
import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { DataSource, EntityManager, IsNull, Not, Repository } from 'typeorm';
import { Clock } from '../common/clock';
import { UnitOfWork } from '../common/unit-of-work';
import { isUniqueViolation } from '../common/db-errors';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { DomainError, UnprocessableError, ValidationFailedError } from '../domain/errors';
import { StaffSessionEntity } from './entities/staff-session.entity';
import { StaffUserEntity } from './entities/staff-user.entity';
import { KeyedQueue } from './keyed-queue';
import { dummyPasswordHash, hashPassword, passwordProblem, verifyPassword } from './password';
import { Role, ROLES, StaffPrincipal } from './roles';
import { clientKeyOf, SignInAttempts } from './sign-in-attempts';
import { isLockedAt, MAX_PENDING_ATTEMPTS, SIGN_IN_REFUSED } from './sign-in-policy';
import { InjectReadDataSource } from '../database/read-data-source';

export type SessionKind = 'web' | 'api';

export interface AccountView extends Omit<StaffPrincipal, 'agencyId'> {
  /** The account's agency's code (D22). */
  agency: string;
  active: boolean;
  email: string | null;
  locked: boolean;
}

export interface AccountChange {
  active?: boolean;
  roles?: Role[];
  displayName?: string;
  email?: string | null;
}

const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

function toPrincipal(user: StaffUserEntity): StaffPrincipal {
  return {
    id: user.id,
    username: user.username,
    displayName: user.displayName,
    roles: user.roles.split(',').filter((r): r is Role => (ROLES as readonly string[]).includes(r)),
    agencyId: user.agencyId,
  };
}

function toAccountView(user: StaffUserEntity, now: Date, codes: Map<number, string>): AccountView {
  const { agencyId: _agencyId, ...principal } = toPrincipal(user);
  return { ...principal, agency: codes.get(user.agencyId) ?? '', active: user.active, email: user.email, locked: isLockedAt(user.lockedUntil, now) };
}

function rolesProblem(roles: readonly string[]): string | null {
  if (!roles.length) return '请至少选择一个角色。';
  const unknown = roles.filter((r) => !(ROLES as readonly string[]).includes(r));
  return unknown.length ? `未知的角色：${unknown.join('、')}（可选 ${ROLES.join('、')}）。` : null;
}

@Injectable()
export class AuthService implements OnApplicationBootstrap {
  private readonly logger = new Logger('Auth');

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @InjectDataSource() private readonly dataSource: DataSource,
    /** Session checks on every staff request read through the reader (src/database/read-data-source.ts). */
    @InjectReadDataSource() private readonly reader: DataSource,
    private readonly unitOfWork: UnitOfWork,
    private readonly clock: Clock,
    private readonly attempts: SignInAttempts,
    private readonly agencies: AgenciesService,
  ) {}

  /** The accounts the current administrator may manage: the root agency's, every one; another agency's, its own (D22). */
  private manageable(): { agencyId?: number } {
    const agencyId = scopedAgencyId();
    return agencyId === null || agencyId === ROOT_AGENCY_ID ? {} : { agencyId };
  }

  /** Staff of the current agency only: assignees, colleagues (D22). */
  private colleagues(): { agencyId?: number } {
    const agencyId = scopedAgencyId();
    return agencyId === null ? {} : { agencyId };
  }

  private async agencyCodes(): Promise<Map<number, string>> {
    return new Map((await this.agencies.all()).map((a) => [a.id, a.code]));
  }

  /**
   * The agency a new account belongs to: the creator's unless named; the root agency's
   * administrator may name any agency, another agency's administrator only its own.
   */
  async accountAgency(code: string | undefined | null): Promise<number> {
    const own = currentAgencyId();
    if (code === undefined || code === null || String(code).trim() === '') return own;
    const agency = await this.agencies.byCode(String(code));
    if (!agency) throw new UnprocessableError('机关不存在。', { agency: '该机关代码不存在。' });
    if (own !== ROOT_AGENCY_ID && agency.id !== own) throw new DomainError('FORBIDDEN', '只能在本机关内创建账号。', { agency: '只能在本机关内创建账号。' });
    return agency.id;
  }

  /** StaffUserEntity rows, through the one data source (no per-module repository providers). */
  private get users(): Repository<StaffUserEntity> {
    return this.dataSource.getRepository(StaffUserEntity);
  }

  /** StaffSessionEntity rows, through the one data source (no per-module repository providers). */
  private get sessions(): Repository<StaffSessionEntity> {
    return this.dataSource.getRepository(StaffSessionEntity);
  }

  /** Sign-in attempts for one account run one at a time in this process (see KeyedQueue). */
  private readonly signInQueue = new KeyedQueue();

  async onApplicationBootstrap(): Promise<void> {
    const { adminUsername, adminPassword } = this.config;
    if (!adminUsername || !adminPassword) return;
    // Only a database without accounts gets one; the password is hashed (scrypt) only then.
    if ((await this.users.count()) > 0) return;
    // Separation of duties: the first account manages accounts and settings only; clerical roles go to other accounts.
    const admin = { ...(await this.newUser(adminUsername, '系统管理员', adminPassword, ['administrator'])), email: this.config.adminEmail };
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

  async createUser(username: string, displayName: string, password: string, roles: Role[], email: string | null = null, agencyId: number = currentAgencyId()): Promise<StaffPrincipal> {
    const fields: Record<string, string> = {};
    if (!/^[A-Za-z0-9_.-]{3,64}$/.test(username)) fields.username = '用户名为 3 到 64 个字母、数字或 _ . -。';
    if (!displayName || displayName.length > 100) fields.displayName = '请填写姓名（最多 100 个字符）。';
    const weak = passwordProblem(password, username);
    if (weak) fields.password = weak;
    const roleProblem = rolesProblem(roles);
    if (roleProblem) fields.roles = roleProblem;
    if (email !== null && !EMAIL.test(email)) fields.email = '电子邮箱格式无效。';
    if (Object.keys(fields).length) throw new ValidationFailedError(fields);
    const user = { ...(await this.newUser(username, displayName, password, [...new Set(roles)])), email, agencyId };
    await this.unitOfWork.run(async (m) => {
      if (await m.findOneBy(StaffUserEntity, { username })) throw new DomainError('CONFLICT', '该用户名已存在。', { username: '该用户名已存在。' });
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
      agencyId: ROOT_AGENCY_ID,
    });
  }

  /**
   * Checks credentials from one client (its address). Every refusal, whatever the reason, is
   * the same error. Wrong passwords are counted atomically for the account and for the
   * (account, client) pair; see sign-in-policy.ts for when either locks.
   */
  authenticate(username: string, password: string, clientAddress?: string): Promise<StaffPrincipal> {
    const name = String(username).slice(0, 64);
    // A flood of attempts for one account is refused without queueing (and without counting).
    if (this.signInQueue.pending(name) >= MAX_PENDING_ATTEMPTS) return Promise.reject(new DomainError('UNAUTHORIZED', SIGN_IN_REFUSED));
    return this.signInQueue.run(name, () => this.checkCredentials(name, password, clientKeyOf(clientAddress)));
  }

  private async checkCredentials(username: string, password: string, clientKey: string): Promise<StaffPrincipal> {
    const refused = new DomainError('UNAUTHORIZED', SIGN_IN_REFUSED);
    const user = await this.users.findOneBy({ username });
    if (!user || !user.active) {
      await verifyPassword(password, await dummyPasswordHash());
      throw refused;
    }
    // The password is checked even while locked, so that a lock answers as slowly as a wrong password.
    const ok = await verifyPassword(password, user.passwordHash);
    const now = this.clock.now();
    if (!ok) {
      await this.attempts.recordFailure(user.id, clientKey, now);
      throw refused;
    }
    if (!(await this.attempts.admit(user.id, clientKey, now))) throw refused;
    return toPrincipal(user);
  }

  async createSession(principal: StaffPrincipal, kind: SessionKind): Promise<{ token: string; expiresAt: string }> {
    const token = randomBytes(32).toString('base64url');
    const hours = kind === 'web' ? this.config.sessionHours : this.config.apiTokenHours;
    const now = this.clock.now();
    const expiresAt = new Date(now.getTime() + hours * 3_600_000).toISOString();
    await this.unitOfWork.run((m) => insertRows(m, StaffSessionEntity, { tokenHash: hashToken(token), userId: principal.id, kind, createdAt: now.toISOString(), expiresAt, revokedAt: null }));
    return { token, expiresAt };
  }

  async resolve(token: string, kind: SessionKind): Promise<StaffPrincipal | null> {
    if (!token || token.length > 200) return null;
    // One query: the session and its account.
    const user = await this.reader
      .getRepository(StaffUserEntity)
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

  async listAccounts(): Promise<AccountView[]> {
    const now = this.clock.now();
    const codes = await this.agencyCodes();
    return (await this.users.find({ where: this.manageable(), order: { username: 'ASC' } })).map((u) => toAccountView(u, now, codes));
  }

  /** The accounts page also says until when a lock runs (an instant; the page shows it in Asia/Shanghai time). */
  async listAccountsWithLocks(): Promise<Array<AccountView & { lockedUntil: string | null }>> {
    const now = this.clock.now();
    const codes = await this.agencyCodes();
    return (await this.users.find({ where: this.manageable(), order: { agencyId: 'ASC', username: 'ASC' } })).map((u) => {
      const view = toAccountView(u, now, codes);
      return { ...view, lockedUntil: view.locked ? u.lockedUntil : null };
    });
  }

  async getAccount(id: string): Promise<AccountView> {
    const user = await this.users.findOneBy({ id: String(id), ...this.manageable() });
    if (!user) throw new DomainError('NOT_FOUND', '未找到该账号。');
    return toAccountView(user, this.clock.now(), await this.agencyCodes());
  }

  /** Roles, activation, name and e-mail. At least one active administrator always remains. */
  async updateAccount(id: string, change: AccountChange, actorId: string): Promise<AccountView> {
    const fields: Record<string, string> = {};
    if (change.roles) {
      const problem = rolesProblem(change.roles);
      if (problem) fields.roles = problem;
    }
    if (change.displayName !== undefined && (!change.displayName.trim() || change.displayName.length > 100)) fields.displayName = '请填写姓名（最多 100 个字符）。';
    if (change.email !== undefined && change.email !== null && !EMAIL.test(change.email)) fields.email = '电子邮箱格式无效。';
    if (Object.keys(fields).length) throw new ValidationFailedError(fields);
    if (id === actorId && (change.active === false || (change.roles && !change.roles.includes('administrator')))) {
      throw new DomainError('CONFLICT', '不能停用自己的账号或去掉自己的管理员角色。');
    }
    await this.unitOfWork.run(async (m) => {
      const user = await m.findOneBy(StaffUserEntity, { id: String(id), ...this.manageable() });
      if (!user) throw new DomainError('NOT_FOUND', '未找到该账号。');
      // Per agency (D22): another agency's administrators cannot manage this one's accounts.
      const admins = await this.lockActiveAdministrators(m, user.agencyId);
      const roles = change.roles ? [...new Set(change.roles)] : toPrincipal(user).roles;
      const wasAdministrator = admins.includes(user.id);
      const staysAdministrator = (change.active ?? user.active) && roles.includes('administrator');
      // Two administrators removing each other at once: the second finds itself the last one.
      if (wasAdministrator && !staysAdministrator && admins.length === 1) {
        const agency = await this.agencies.byId(user.agencyId, m);
        throw new DomainError('CONFLICT', `${agency.name}至少要保留一个启用的系统管理员账号：这是该机关最后一个启用的管理员，请先为该机关另设一个。`);
      }
      await m.update(
        StaffUserEntity,
        { id },
        {
          ...(change.active === undefined ? {} : { active: change.active }),
          ...(change.roles ? { roles: roles.join(',') } : {}),
          ...(change.displayName === undefined ? {} : { displayName: change.displayName.trim() }),
          ...(change.email === undefined ? {} : { email: change.email }),
        },
      );
      if (change.active !== undefined) await this.attempts.clearLocks(m, id);
      // A disabled account loses its sessions and tokens at once.
      if (change.active === false) await m.update(StaffSessionEntity, { userId: id, revokedAt: IsNull() }, { revokedAt: this.clock.nowIso() });
    });
    return this.getAccount(id);
  }

  /** Ids of an agency's active administrators, their rows locked on PostgreSQL until the transaction ends. */
  private async lockActiveAdministrators(m: EntityManager, agencyId: number): Promise<string[]> {
    const query = m.createQueryBuilder(StaffUserEntity, 'u').where('u.active = :active AND u.agency_id = :agencyId', { active: true, agencyId });
    if (m.connection.options.type === 'postgres') query.setLock('pessimistic_write');
    return (await query.getMany()).filter((u) => toPrincipal(u).roles.includes('administrator')).map((u) => u.id);
  }

  /** One's own change: every other session and API token of the account ends; `keepToken` (the one in use) stays. */
  async changePassword(userId: string, current: string, next: string, keepToken: string | null): Promise<void> {
    const user = await this.users.findOneBy({ id: userId });
    if (!user) throw new DomainError('NOT_FOUND', '未找到该账号。');
    const weak = passwordProblem(next, user.username);
    if (weak) throw new ValidationFailedError({ newPassword: weak });
    if (!(await verifyPassword(current, user.passwordHash))) throw new ValidationFailedError({ currentPassword: '当前密码不正确。' });
    const hash = await hashPassword(next);
    await this.unitOfWork.run(async (m) => {
      await m.update(StaffUserEntity, { id: userId }, { passwordHash: hash });
      await m.update(StaffSessionEntity, { userId, revokedAt: IsNull(), ...(keepToken ? { tokenHash: Not(hashToken(keepToken)) } : {}) }, { revokedAt: this.clock.nowIso() });
    });
  }

  /** An administrator's reset: every session and token of that account ends, and its locks go. */
  async resetPassword(userId: string, next: string): Promise<void> {
    const user = await this.users.findOneBy({ id: String(userId), ...this.manageable() });
    if (!user) throw new DomainError('NOT_FOUND', '未找到该账号。');
    const weak = passwordProblem(next, user.username);
    if (weak) throw new ValidationFailedError({ password: weak });
    const hash = await hashPassword(next);
    await this.unitOfWork.run(async (m) => {
      await m.update(StaffUserEntity, { id: userId }, { passwordHash: hash });
      await this.attempts.clearLocks(m, userId);
      await m.update(StaffSessionEntity, { userId, revokedAt: IsNull() }, { revokedAt: this.clock.nowIso() });
    });
  }

  async listStaff(): Promise<StaffPrincipal[]> {
    return (await this.users.find({ where: { active: true, ...this.colleagues() }, order: { displayName: 'ASC' } })).map(toPrincipal);
  }

  async findStaff(id: string): Promise<StaffPrincipal | null> {
    const user = await this.users.findOneBy({ id: String(id), ...this.colleagues() });
    return user && user.active ? toPrincipal(user) : null;
  }

  /** Active staff of one agency with an e-mail address: who receives its daily digest. */
  async digestRecipients(agencyId: number): Promise<Array<{ email: string; displayName: string }>> {
    const users = await this.users.find({ where: { active: true, agencyId } });
    return users.filter((u) => u.email).map((u) => ({ email: u.email!, displayName: u.displayName }));
  }

  async revoke(token: string): Promise<void> {
    await this.unitOfWork.run((m) => m.update(StaffSessionEntity, { tokenHash: hashToken(token) }, { revokedAt: this.clock.nowIso() }));
  }
}
