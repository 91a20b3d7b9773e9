import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { Clock } from '../common/clock';
import { insertRows } from '../common/insert-rows';
import { isUniqueViolation } from '../common/db-errors';
import { UnitOfWork } from '../common/unit-of-work';
import { ServerSecretEntity } from './entities/server-secret.entity';

const CSRF = 'csrf';

/**
 * Keys every instance must share, kept in the database so that a form rendered by one
 * instance is accepted by another. Created at the first start-up, read at each one.
 */
@Injectable()
export class ServerSecretService implements OnApplicationBootstrap {
  private csrf: string | null = null;

  constructor(
    private readonly unitOfWork: UnitOfWork,
    private readonly clock: Clock,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.csrf = await this.load(CSRF);
  }

  /** The HMAC key of CSRF tokens. */
  get csrfSecret(): string {
    if (!this.csrf) throw new Error('server secrets not loaded yet');
    return this.csrf;
  }

  private async load(name: string): Promise<string> {
    const read = () => this.unitOfWork.run((m) => m.findOneBy(ServerSecretEntity, { name }));
    const existing = await read();
    if (existing) return existing.value;
    const value = randomBytes(32).toString('hex');
    try {
      await this.unitOfWork.run((m) => insertRows(m, ServerSecretEntity, { name, value, createdAt: this.clock.nowIso() }));
      return value;
    } catch (e) {
      // Another instance starting at the same moment created it first.
      if (!isUniqueViolation(e)) throw e;
      return (await read())!.value;
    }
  }
}
