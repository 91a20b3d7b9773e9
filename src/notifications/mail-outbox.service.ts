import { insertChunks } from '../common/insert-rows';
import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { EntityManager } from 'typeorm';
import { Clock } from '../common/clock';
import { SecretBox } from '../common/secret-box';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { MailOutboxEntity } from './entities/mail-outbox.entity';
import { MailTemplate, MailTemplates } from './mail-templates';
import { MailTransport } from './mail-transport';

/** Where the bodies in the outbox hold the access code; the worker puts the code in only when it sends. */
export const ACCESS_CODE_MARK = '[[OGI-ACCESS-CODE]]';

/** Sealed values are bound to their message. */
export const mailSecretContext = (messageId: string) => `mail:${messageId}`;

/**
 * Bodies written before access codes were sealed hold them in clear; a sent message keeps its
 * bodies with the code masked. Matches the acknowledgement and receipt-notice templates.
 */
export function maskAccessCodes(body: string): string {
  return body.replace(/(查询码(?:：|<\/td><td>)(?:<strong>)?)[A-Z0-9]{4,20}/g, '$1********');
}

export type PreparedMail = Pick<
  MailOutboxEntity,
  | 'id'
  | 'kind'
  | 'requestId'
  | 'recipient'
  | 'subject'
  | 'textBody'
  | 'htmlBody'
  | 'secrets'
  | 'status'
  | 'attempts'
  | 'nextAttemptAt'
  | 'lockedUntil'
  | 'lastError'
  | 'createdAt'
  | 'sentAt'
  | 'senderName'
>;

export interface OutgoingMail {
  kind: MailTemplate;
  to: string;
  subject: string;
  requestId: string | null;
  context: Record<string, unknown>;
}

/** Writes a message to the outbox inside the caller's transaction: it is sent if and only if the change commits. */
@Injectable()
export class MailOutboxService {
  constructor(
    private readonly templates: MailTemplates,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly transport: MailTransport,
    private readonly secrets: SecretBox,
  ) {}

  enqueue(manager: EntityManager, mail: OutgoingMail): Promise<void> {
    return this.enqueueMany(manager, [mail]);
  }

  async enqueueMany(manager: EntityManager, mails: OutgoingMail[]): Promise<void> {
    await this.insertPrepared(
      manager,
      mails.map((mail) => this.prepare(mail)),
    );
  }

  /** Writes messages rendered beforehand by `prepare` (a long body is rendered before the transaction, not in it). */
  async insertPrepared(manager: EntityManager, rows: PreparedMail[]): Promise<void> {
    await insertChunks(manager, MailOutboxEntity, rows);
  }

  /** A message rendered and sealed, ready for insertPrepared. */
  prepare(mail: OutgoingMail): PreparedMail {
    const now = this.clock.nowIso();
    const id = randomUUID();
    // The access code never goes into the outbox in clear: a mark in the bodies, the code sealed.
    const accessCode = typeof mail.context.accessCode === 'string' && mail.context.accessCode ? mail.context.accessCode : null;
    const context = accessCode ? { ...mail.context, accessCode: ACCESS_CODE_MARK } : mail.context;
    const rendered = this.templates.render(mail.kind, mail.subject, { agencyName: this.config.agencyName, ...context });
    return {
      id,
      kind: mail.kind,
      requestId: mail.requestId,
      recipient: mail.to,
      subject: rendered.subject,
      // D22: the applicant sees the agency that handles the request as the sender (the address stays MAIL_FROM's).
      senderName: typeof context.agencyName === 'string' && context.agencyName ? context.agencyName.slice(0, 100) : null,
      textBody: rendered.text,
      htmlBody: rendered.html,
      secrets: accessCode ? this.secrets.seal(JSON.stringify({ accessCode }), mailSecretContext(id)) : null,
      status: 'pending',
      attempts: 0,
      nextAttemptAt: now,
      lockedUntil: null,
      lastError: null,
      createdAt: now,
      sentAt: null,
    };
  }

  /** Retention erasure: deletes a request's mail inside the caller's transaction; returns the message ids. */
  async deleteForRequest(manager: EntityManager, requestId: string): Promise<string[]> {
    const rows = await manager.find(MailOutboxEntity, { select: { id: true }, where: { requestId } });
    if (rows.length) await manager.delete(MailOutboxEntity, { requestId });
    return rows.map((r) => r.id);
  }

  /** After the erasure committed: the .eml copies the file transport wrote of those messages. */
  deleteMailFiles(messageIds: string[]): number {
    return this.transport.deleteFiles(messageIds);
  }
}
