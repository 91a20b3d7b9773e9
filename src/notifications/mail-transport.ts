import { Inject, Injectable } from '@nestjs/common';
import { existsSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import nodemailer, { Transporter } from 'nodemailer';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { makePrivateDir, PRIVATE_FILE_MODE } from '../database/private-files';

export interface MailMessage {
  id: string;
  to: string;
  subject: string;
  text: string;
  html: string;
  /** The From display name instead of MAIL_FROM's (its address kept). */
  senderName?: string | null;
  /** Files sent with the message, each streamed from the database as nodemailer writes it. */
  attachments?: Array<{ filename: string; contentType: string; content: Readable }>;
}

/** The address of a From header as configured: `"Name" <a@b>` or a bare `a@b`. */
export function mailAddressOf(from: string): string {
  return /<([^<>]+)>\s*$/.exec(from)?.[1].trim() ?? from.trim();
}

/**
 * SMTP when SMTP_URL is set; otherwise each message becomes an .eml file under
 * data/mail/ so that a new user can read what the system would have sent.
 */
@Injectable()
export class MailTransport {
  private transporter: Transporter | null = null;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  get mode(): 'smtp' | 'file' {
    return this.config.smtpUrl ? 'smtp' : 'file';
  }

  async send(message: MailMessage): Promise<void> {
    const envelope = {
      from: message.senderName ? { name: message.senderName, address: mailAddressOf(this.config.mailFrom) } : this.config.mailFrom,
      to: message.to,
      subject: message.subject,
      text: message.text,
      html: message.html,
      messageId: `<${message.id}@ogi-desk>`,
      ...(message.attachments?.length ? { attachments: message.attachments } : {}),
    };
    if (this.config.smtpUrl) {
      this.transporter ??= nodemailer.createTransport(this.config.smtpUrl);
      await this.transporter.sendMail(envelope);
      return;
    }
    const fileTransport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
    const info = await fileTransport.sendMail(envelope);
    // A message holds the applicant's name and address: readable by the app's account only.
    makePrivateDir(this.config.mailDir);
    writeFileSync(join(this.config.mailDir, `${new Date().toISOString().replace(/[:.]/g, '-')}-${message.id}.eml`), info.message as Buffer, { mode: PRIVATE_FILE_MODE });
  }

  /** Deletes the .eml files of these messages (named `<time>-<message id>.eml`); returns how many. */
  deleteFiles(messageIds: string[]): number {
    const ids = new Set(messageIds);
    if (!ids.size || !existsSync(this.config.mailDir)) return 0;
    let deleted = 0;
    for (const name of readdirSync(this.config.mailDir)) {
      const id = /-([0-9a-f-]{36})\.eml$/.exec(name)?.[1];
      if (id && ids.has(id)) {
        rmSync(join(this.config.mailDir, name), { force: true });
        deleted++;
      }
    }
    return deleted;
  }

  close(): void {
    this.transporter?.close();
    this.transporter = null;
  }
}
