import { Module } from '@nestjs/common';
import { MailOutboxService } from './mail-outbox.service';
import { MailTemplates } from './mail-templates';
import { MailTransport } from './mail-transport';
import { MailWorker } from './mail-worker';

@Module({
  providers: [MailTemplates, MailOutboxService, MailTransport, MailWorker],
  exports: [MailOutboxService, MailWorker],
})
export class NotificationsModule {}
