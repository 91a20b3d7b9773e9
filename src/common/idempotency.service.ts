import { insertRows } from './insert-rows';
import { Injectable } from '@nestjs/common';
import { Interval } from '@nestjs/schedule';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash } from 'node:crypto';
import { DataSource, LessThan, Repository } from 'typeorm';
import { ConflictError, DomainError, ValidationFailedError } from '../domain/errors';
import { Clock } from './clock';
import { isUniqueViolation } from './db-errors';
import { IdempotencyRecordEntity } from './entities/idempotency-record.entity';
import { SecretBox } from './secret-box';
import { UnitOfWork } from './unit-of-work';

/** A key is remembered this long; after it the same key is a new request. */
export const IDEMPOTENCY_TTL_MS = 24 * 3_600_000;
const PURGE_EVERY_MS = 60_000;

/**
 * Response fields never stored in clear: kept sealed (SecretBox) beside the response. A replay
 * whose sealed value cannot be opened (the key changed, or a row from before this rule) answers
 * the field as null with `<field>Withheld: true`.
 */
export const SECRET_FIELDS = ['accessCode'] as const;

export interface StoredResponse<T> {
  status: number;
  body: T;
  replayed: boolean;
}

function stableStringify(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableStringify((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

const WAIT_STEPS_MS = [50, 100, 200, 400, 800, 1600, 3200];

/** The key was used before for another body (API: 409 CONFLICT, unchanged). */
export class IdempotencyMismatchError extends DomainError {
  constructor() {
    super('CONFLICT', '该幂等键已用于内容不同的请求。');
  }
}

/**
 * `Idempotency-Key`: the same key with the same body returns the first response and creates
 * nothing; the same key with another body is a 409. A key is reserved before the work runs,
 * so a double click racing itself also creates one request. Keys expire after 24 hours.
 */
@Injectable()
export class IdempotencyService {
  private lastPurge = 0;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly unitOfWork: UnitOfWork,
    private readonly clock: Clock,
    private readonly secrets: SecretBox,
  ) {}

  /** Idempotency records, through the one data source. */
  private get records(): Repository<IdempotencyRecordEntity> {
    return this.dataSource.getRepository(IdempotencyRecordEntity);
  }

  async run<T>(scope: string, key: string | undefined, body: unknown, handler: () => Promise<{ status: number; body: T }>): Promise<StoredResponse<T>> {
    if (key === undefined || key === '') return { ...(await handler()), replayed: false };
    if (key.length > 200 || !/^[\x21-\x7e]+$/.test(key)) {
      throw new ValidationFailedError({ 'Idempotency-Key': '幂等键必须是 1 到 200 个可见 ASCII 字符。' });
    }
    const bodyHash = createHash('sha256').update(stableStringify(body)).digest('hex');
    const reserved = await this.reserve(scope, key, bodyHash);
    if (!reserved) return this.replay<T>(scope, key, bodyHash);
    await this.purgeExpired(false);
    try {
      const result = await handler();
      const stored = this.seal(scope, key, result.body);
      await this.unitOfWork.run((m) => m.update(IdempotencyRecordEntity, { scope, key }, { statusCode: result.status, ...stored }));
      return { ...result, replayed: false };
    } catch (e) {
      // A refused request leaves no trace, the key included, so the client may correct and retry.
      await this.unitOfWork.run((m) => m.delete(IdempotencyRecordEntity, { scope, key }));
      throw e;
    }
  }

  /** The response first given under a key, if that request completed (a form's earlier submission). */
  async firstResponse<T>(scope: string, key: string): Promise<T | null> {
    const row = await this.records.findOneBy({ scope, key });
    return row && row.statusCode !== null && row.response !== null && row.createdAt >= this.cutoff() ? this.unseal<T>(row) : null;
  }

  /** Deletes records older than 24 hours; on writes at most once a minute, and hourly regardless. */
  async purgeExpired(force = true): Promise<number> {
    const now = this.clock.now().getTime();
    if (!force && now - this.lastPurge < PURGE_EVERY_MS) return 0;
    this.lastPurge = now;
    const result = await this.unitOfWork.run((m) => m.delete(IdempotencyRecordEntity, { createdAt: LessThan(this.cutoff()) }));
    return result.affected ?? 0;
  }

  @Interval('idempotency-purge', 3_600_000)
  protected async purgeHourly(): Promise<void> {
    await this.purgeExpired().catch(() => undefined);
  }

  private cutoff(): string {
    return new Date(this.clock.now().getTime() - IDEMPOTENCY_TTL_MS).toISOString();
  }

  private async reserve(scope: string, key: string, bodyHash: string): Promise<boolean> {
    const insert = () => this.unitOfWork.run((m) => insertRows(m, IdempotencyRecordEntity, { scope, key, bodyHash, statusCode: null, response: null, secrets: null, createdAt: this.clock.nowIso() }));
    try {
      await insert();
      return true;
    } catch (e) {
      if (!isUniqueViolation(e)) throw e;
    }
    // An expired key is a new request: remove the old record (only if still that one) and take the key.
    const old = await this.records.findOneBy({ scope, key });
    if (!old || old.createdAt >= this.cutoff()) return false;
    await this.unitOfWork.run((m) => m.delete(IdempotencyRecordEntity, { scope, key, createdAt: old.createdAt }));
    try {
      await insert();
      return true;
    } catch (e) {
      if (isUniqueViolation(e)) return false;
      throw e;
    }
  }

  /** The response as stored: secret fields null in `response`, their values sealed in `secrets`. */
  private seal(scope: string, key: string, body: unknown): Pick<IdempotencyRecordEntity, 'response' | 'secrets'> {
    if (!body || typeof body !== 'object' || Array.isArray(body)) return { response: JSON.stringify(body), secrets: null };
    const visible: Record<string, unknown> = { ...(body as Record<string, unknown>) };
    const hidden: Record<string, unknown> = {};
    for (const field of SECRET_FIELDS) {
      if (visible[field] === undefined || visible[field] === null) continue;
      hidden[field] = visible[field];
      visible[field] = null;
    }
    const secrets = Object.keys(hidden).length ? this.secrets.seal(JSON.stringify(hidden), `idempotency:${scope}:${key}`) : null;
    return { response: JSON.stringify(visible), secrets };
  }

  private unseal<T>(row: IdempotencyRecordEntity): T {
    const body = JSON.parse(row.response!) as unknown;
    if (!body || typeof body !== 'object' || Array.isArray(body)) return body as T;
    const visible = body as Record<string, unknown>;
    const opened = row.secrets ? this.secrets.open(row.secrets, `idempotency:${row.scope}:${row.key}`) : null;
    const hidden = opened ? (JSON.parse(opened) as Record<string, unknown>) : {};
    for (const field of SECRET_FIELDS) {
      if (!(field in visible) || visible[field] !== null) continue;
      if (hidden[field] !== undefined) visible[field] = hidden[field];
      else visible[`${field}Withheld`] = true;
    }
    return visible as T;
  }

  private async replay<T>(scope: string, key: string, bodyHash: string): Promise<StoredResponse<T>> {
    for (const wait of [0, ...WAIT_STEPS_MS]) {
      if (wait) await new Promise((r) => setTimeout(r, wait));
      const row = await this.records.findOneBy({ scope, key });
      if (!row) throw new ConflictError('该幂等键的首次请求失败，请使用新的幂等键重试。');
      if (row.bodyHash !== bodyHash) throw new IdempotencyMismatchError();
      if (row.statusCode !== null && row.response !== null) {
        return { status: row.statusCode, body: this.unseal<T>(row), replayed: true };
      }
    }
    throw new ConflictError('相同幂等键的请求正在处理中，请稍后重试。');
  }
}
