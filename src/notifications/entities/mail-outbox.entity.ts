import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** Written in the same transaction as the state change; a worker delivers it (nothing is lost). */
@Entity('mail_outbox')
@Index('IDX_mail_outbox_pending', ['status', 'nextAttemptAt'])
export class MailOutboxEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ type: 'varchar', length: 40 })
  kind: string;

  @Column({ name: 'request_id', type: 'varchar', length: 36, nullable: true })
  requestId: string | null;

  @Column({ type: 'varchar', length: 254 })
  recipient: string;

  @Column({ type: 'varchar', length: 300 })
  subject: string;

  @Column({ name: 'text_body', type: 'text' })
  textBody: string;

  @Column({ name: 'html_body', type: 'text' })
  htmlBody: string;

  /** Values the bodies hold only as a mark (an access code), sealed until the message is sent (SecretBox). */
  @Column({ type: 'text', nullable: true })
  secrets: string | null;

  @Column({ type: 'varchar', length: 10 })
  status: string;

  @Column({ type: 'integer', default: 0 })
  attempts: number;

  @Column({ name: 'next_attempt_at', type: 'varchar', length: 30 })
  nextAttemptAt: string;

  @Column({ name: 'locked_until', type: 'varchar', length: 30, nullable: true })
  lockedUntil: string | null;

  @Column({ name: 'last_error', type: 'varchar', length: 500, nullable: true })
  lastError: string | null;

  @Column({ name: 'created_at', type: 'varchar', length: 30 })
  createdAt: string;

  @Column({ name: 'sent_at', type: 'varchar', length: 30, nullable: true })
  sentAt: string | null;

  /** The attachments (ids, JSON) sent with the message, read from the database when it is sent. */
  @Column({ type: 'text', nullable: true })
  attachments: string | null;

  /** The From display name: the agency the message is about (D22); null: MAIL_FROM's own. */
  @Column({ name: 'sender_name', type: 'varchar', length: 100, nullable: true })
  senderName?: string | null;
}
