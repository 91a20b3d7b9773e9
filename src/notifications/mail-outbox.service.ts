import { insertChunks } from '../common/insert-rows';
import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { EntityManager } from 'typeorm';
import { Clock } from '../common/clock';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { MailOutboxEntity } from './entities/mail-outbox.entity';
import { MailTemplate, MailTemplates } from './mail-templates';
import { MailTransport } from './mail-transport';

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
  ) {}

  enqueue(manager: EntityManager, mail: OutgoingMail): Promise<void> {
    return this.enqueueMany(manager, [mail]);
  }

  async enqueueMany(manager: EntityManager, mails: OutgoingMail[]): Promise<void> {
    const now = this.clock.nowIso();
    const rows = mails.map((mail) => {
      const rendered = this.templates.render(mail.kind, mail.subject, { agencyName: this.config.agencyName, ...mail.context });
      return {
        id: randomUUID(),
        kind: mail.kind,
        requestId: mail.requestId,
        recipient: mail.to,
        subject: rendered.subject,
        textBody: rendered.text,
        htmlBody: rendered.html,
        status: 'pending',
        attempts: 0,
        nextAttemptAt: now,
        lockedUntil: null,
        lastError: null,
        createdAt: now,
        sentAt: null,
      };
    });
    await insertChunks(manager, MailOutboxEntity, rows);
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
