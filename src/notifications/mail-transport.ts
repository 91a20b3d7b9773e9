import { Inject, Injectable } from '@nestjs/common';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import nodemailer, { Transporter } from 'nodemailer';
import { APP_CONFIG, AppConfig } from '../config/app-config';

export interface MailMessage {
  id: string;
  to: string;
  subject: string;
  text: string;
  html: string;
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
      from: this.config.mailFrom,
      to: message.to,
      subject: message.subject,
      text: message.text,
      html: message.html,
      messageId: `<${message.id}@ogi-desk>`,
    };
    if (this.config.smtpUrl) {
      this.transporter ??= nodemailer.createTransport(this.config.smtpUrl);
      await this.transporter.sendMail(envelope);
      return;
    }
    const fileTransport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
    const info = await fileTransport.sendMail(envelope);
    mkdirSync(this.config.mailDir, { recursive: true });
    writeFileSync(join(this.config.mailDir, `${new Date().toISOString().replace(/[:.]/g, '-')}-${message.id}.eml`), info.message as Buffer);
  }

  close(): void {
    this.transporter?.close();
    this.transporter = null;
  }
}
