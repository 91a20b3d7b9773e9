import { insertRows } from './insert-rows';
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { createHash } from 'node:crypto';
import { Repository } from 'typeorm';
import { ConflictError, DomainError, ValidationFailedError } from '../domain/errors';
import { Clock } from './clock';
import { isUniqueViolation } from './db-errors';
import { IdempotencyRecordEntity } from './entities/idempotency-record.entity';
import { UnitOfWork } from './unit-of-work';

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

/**
 * `Idempotency-Key`: the same key with the same body returns the first response and creates
 * nothing; the same key with another body is a 409. A key is reserved before the work runs,
 * so a double click racing itself also creates one request.
 */
@Injectable()
export class IdempotencyService {
  constructor(
    @InjectRepository(IdempotencyRecordEntity) private readonly records: Repository<IdempotencyRecordEntity>,
    private readonly unitOfWork: UnitOfWork,
    private readonly clock: Clock,
  ) {}

  async run<T>(scope: string, key: string | undefined, body: unknown, handler: () => Promise<{ status: number; body: T }>): Promise<StoredResponse<T>> {
    if (key === undefined || key === '') return { ...(await handler()), replayed: false };
    if (key.length > 200 || !/^[\x21-\x7e]+$/.test(key)) {
      throw new ValidationFailedError({ 'Idempotency-Key': '幂等键必须是 1 到 200 个可见 ASCII 字符。' });
    }
    const bodyHash = createHash('sha256').update(stableStringify(body)).digest('hex');
    const reserved = await this.reserve(scope, key, bodyHash);
    if (!reserved) return this.replay<T>(scope, key, bodyHash);
    try {
      const result = await handler();
      await this.unitOfWork.run((m) =>
        m.update(IdempotencyRecordEntity, { scope, key }, { statusCode: result.status, response: JSON.stringify(result.body) }),
      );
      return { ...result, replayed: false };
    } catch (e) {
      // A refused request leaves no trace, the key included, so the client may correct and retry.
      await this.unitOfWork.run((m) => m.delete(IdempotencyRecordEntity, { scope, key }));
      throw e;
    }
  }

  private async reserve(scope: string, key: string, bodyHash: string): Promise<boolean> {
    try {
      await this.unitOfWork.run((m) =>
        insertRows(m, IdempotencyRecordEntity, { scope, key, bodyHash, statusCode: null, response: null, createdAt: this.clock.nowIso() }),
      );
      return true;
    } catch (e) {
      if (isUniqueViolation(e)) return false;
      throw e;
    }
  }

  private async replay<T>(scope: string, key: string, bodyHash: string): Promise<StoredResponse<T>> {
    for (const wait of [0, ...WAIT_STEPS_MS]) {
      if (wait) await new Promise((r) => setTimeout(r, wait));
      const row = await this.records.findOneBy({ scope, key });
      if (!row) throw new ConflictError('该幂等键的首次请求失败，请使用新的幂等键重试。');
      if (row.bodyHash !== bodyHash) throw new DomainError('CONFLICT', '该幂等键已用于内容不同的请求。');
      if (row.statusCode !== null && row.response !== null) {
        return { status: row.statusCode, body: JSON.parse(row.response) as T, replayed: true };
      }
    }
    throw new ConflictError('相同幂等键的请求正在处理中，请稍后重试。');
  }
}
