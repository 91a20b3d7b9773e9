import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, IsNull, LessThanOrEqual, Repository } from 'typeorm';
import { scopedAgencyId } from '../agencies/agency-scope';
import { Clock } from '../common/clock';
import { SecretBox } from '../common/secret-box';
import { UnitOfWork } from '../common/unit-of-work';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { MailOutboxEntity } from './entities/mail-outbox.entity';
import { ACCESS_CODE_MARK, mailSecretContext, maskAccessCodes } from './mail-outbox.service';
import { MailMessage, MailTransport } from './mail-transport';

const BATCH = 20;
const LOCK_MS = 120_000;
const MAX_BACKOFF_MS = 3_600_000;
/** An access code this instance cannot open may be another instance's (a different key): it retries that long before sending without it. */
const FOREIGN_KEY_GRACE_MS = 3_600_000;
const CODE_NOT_RECOVERABLE = '（无法恢复；请凭申请编号联系本机关）';

/** What a kind of message records once the SMTP server accepted it (e-mail delivery of a reply, D17), in the transaction that marks it sent. */
export interface SentHook {
  /** Read before the transaction (settings, calendars). */
  prepare(row: MailOutboxEntity): Promise<unknown>;
  record(m: EntityManager, row: MailOutboxEntity, prepared: unknown): Promise<void>;
}

/** The files a message carries, read from where they are stored when it is sent (src/attachments registers it). */
export type AttachmentReader = (row: MailOutboxEntity) => Promise<MailMessage['attachments']>;

/** Retry schedule after a temporary failure: 5 s, 10 s, 20 s … capped at one hour, with no last attempt. */
export function backoffMs(attempts: number): number {
  return Math.min(5_000 * 2 ** Math.max(0, attempts - 1), MAX_BACKOFF_MS);
}

/** An SMTP 5xx answer means the server refused this message for good. */
export function isPermanentFailure(e: unknown): boolean {
  const code = (e as { responseCode?: number })?.responseCode;
  return typeof code === 'number' && code >= 500 && code < 600;
}

/**
 * Delivers the outbox. A row is claimed with a conditional UPDATE (only one worker, in any
 * instance, can move its lock forward), sent, and marked sent only after the SMTP server
 * accepted it.
 */
@Injectable()
export class MailWorker implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('MailWorker');
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<number> | null = null;
  private readonly sentHooks = new Map<string, SentHook>();
  private attachmentReader: AttachmentReader | null = null;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly transport: MailTransport,
    private readonly unitOfWork: UnitOfWork,
    private readonly clock: Clock,
    private readonly secrets: SecretBox,
  ) {}

  /** MailOutboxEntity rows, through the one data source (no per-module repository providers). */
  private get outbox(): Repository<MailOutboxEntity> {
    return this.dataSource.getRepository(MailOutboxEntity);
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.runOnce().catch((e: Error) => this.logger.error(`outbox run failed: ${e.message}`)), this.config.mailPollMs);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running?.catch(() => undefined);
    this.transport.close();
  }

  onSent(kind: string, hook: SentHook): void {
    this.sentHooks.set(kind, hook);
  }

  readAttachmentsWith(reader: AttachmentReader): void {
    this.attachmentReader = reader;
  }

  /** Messages the SMTP server refused for good, newest first (shown to staff). */
  failed(limit = 100): Promise<MailOutboxEntity[]> {
    return this.failedQuery().orderBy('o.created_at', 'DESC').take(limit).getMany();
  }

  failedCount(): Promise<number> {
    return this.failedQuery().getCount();
  }

  /**
   * Failed messages of the current agency (D22): those about its requests, and its staff's
   * digests (the only messages without a request). The two cases in one bracketed condition.
   */
  private failedQuery() {
    const qb = this.outbox.createQueryBuilder('o').where("o.status = 'failed'");
    const agencyId = scopedAgencyId();
    if (agencyId === null) return qb;
    return qb.andWhere(
      '(o.request_id IN (SELECT r.id FROM information_request r WHERE r.agency_id = :agencyId) OR (o.request_id IS NULL AND o.recipient IN (SELECT u.email FROM staff_user u WHERE u.agency_id = :agencyId AND u.email IS NOT NULL)))',
      { agencyId },
    );
  }

  /** Delivers what is due now; returns the number of messages sent. Never runs twice at once. */
  runOnce(): Promise<number> {
    this.running ??= this.deliverDue().finally(() => (this.running = null));
    return this.running;
  }

  private async deliverDue(): Promise<number> {
    const now = this.clock.nowIso();
    const due = await this.outbox.find({
      where: [
        { status: 'pending', nextAttemptAt: LessThanOrEqual(now), lockedUntil: IsNull() },
        { status: 'pending', nextAttemptAt: LessThanOrEqual(now), lockedUntil: LessThanOrEqual(now) },
      ],
      order: { createdAt: 'ASC' },
      take: BATCH,
    });
    let sent = 0;
    for (const row of due) {
      if (!(await this.claim(row))) continue;
      try {
        const { text, html } = this.bodiesToSend(row);
        const attachments = row.attachments && this.attachmentReader ? await this.attachmentReader(row) : undefined;
        await this.transport.send({ id: row.id, to: row.recipient, subject: row.subject, text, html, attachments, senderName: row.senderName });
        await this.markSent(row);
        sent++;
      } catch (e) {
        const attempts = row.attempts + 1;
        const message = String((e as Error).message).slice(0, 400);
        if (isPermanentFailure(e)) {
          // A 5xx answer (unknown mailbox, refused address) will not change by retrying: staff see it instead.
          this.logger.warn(`mail ${row.id} refused permanently (${(e as { responseCode?: number }).responseCode})`);
          await this.unitOfWork.run((m) => m.update(MailOutboxEntity, { id: row.id }, { status: 'failed', lockedUntil: null, lastError: message, ...this.forgetSecrets(row) }));
          continue;
        }
        const next = new Date(this.clock.now().getTime() + backoffMs(attempts)).toISOString();
        this.logger.warn(`mail ${row.id} attempt ${attempts} failed; retry at ${next}`);
        await this.unitOfWork.run((m) => m.update(MailOutboxEntity, { id: row.id }, { nextAttemptAt: next, lockedUntil: null, lastError: message }));
      }
    }
    return sent;
  }

  /** Marked sent with what its kind records; should that record fail, the message is still marked sent (never sent twice) and the failure logged. */
  private async markSent(row: MailOutboxEntity): Promise<void> {
    const sentFields = { status: 'sent', sentAt: this.clock.nowIso(), lockedUntil: null, lastError: null, ...this.forgetSecrets(row) };
    const hook = this.sentHooks.get(row.kind);
    if (hook) {
      try {
        const prepared = await hook.prepare(row);
        await this.unitOfWork.run(async (m) => {
          await m.update(MailOutboxEntity, { id: row.id }, sentFields);
          await hook.record(m, row, prepared);
        });
        return;
      } catch (e) {
        this.logger.warn(`mail ${row.id} sent; recording its ${row.kind} failed: ${String((e as Error).message).slice(0, 200)}`);
      }
    }
    await this.unitOfWork.run((m) => m.update(MailOutboxEntity, { id: row.id }, sentFields));
  }

  /** The bodies with the access code put back in place of its mark; throws (a temporary failure) while the code may be another instance's. */
  private bodiesToSend(row: MailOutboxEntity): { text: string; html: string } {
    if (!row.secrets) return { text: row.textBody, html: row.htmlBody };
    const opened = this.secrets.open(row.secrets, mailSecretContext(row.id));
    const stored = opened ? (JSON.parse(opened) as { accessCode?: unknown }).accessCode : undefined;
    let code = opened ? (typeof stored === 'string' ? stored : '') : null;
    if (code === null) {
      if (this.clock.now().getTime() - new Date(row.createdAt).getTime() < FOREIGN_KEY_GRACE_MS) {
        throw new Error('无法解密查询码：各实例须设置相同的 OGI_SECRET_KEY');
      }
      this.logger.warn(`mail ${row.id}: access code sealed with another key; sent without it`);
      code = CODE_NOT_RECOVERABLE;
    }
    return { text: row.textBody.split(ACCESS_CODE_MARK).join(code), html: row.htmlBody.split(ACCESS_CODE_MARK).join(code) };
  }

  /** Once a message is sent or refused for good, nothing of its access code stays: the sealed value goes, a clear one (older rows) is masked. */
  private forgetSecrets(row: MailOutboxEntity): Partial<MailOutboxEntity> {
    const text = maskAccessCodes(row.textBody);
    const html = maskAccessCodes(row.htmlBody);
    return { secrets: null, ...(text !== row.textBody ? { textBody: text } : {}), ...(html !== row.htmlBody ? { htmlBody: html } : {}) };
  }

  private async claim(row: MailOutboxEntity): Promise<boolean> {
    const now = this.clock.now();
    const until = new Date(now.getTime() + LOCK_MS).toISOString();
    const result = await this.unitOfWork.run((m) =>
      m
        .createQueryBuilder()
        .update(MailOutboxEntity)
        .set({ lockedUntil: until, attempts: () => 'attempts + 1' })
        .where('id = :id AND status = :status AND attempts = :attempts', { id: row.id, status: 'pending', attempts: row.attempts })
        .andWhere('(locked_until IS NULL OR locked_until <= :now)', { now: now.toISOString() })
        .execute(),
    );
    return result.affected === 1;
  }
}
