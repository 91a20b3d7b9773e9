import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { MailOutboxEntity } from './entities/mail-outbox.entity';
import { MailOutboxService } from './mail-outbox.service';
import { MailTemplates } from './mail-templates';
import { MailTransport } from './mail-transport';
import { MailWorker } from './mail-worker';

@Module({
  imports: [TypeOrmModule.forFeature([MailOutboxEntity])],
  providers: [MailTemplates, MailOutboxService, MailTransport, MailWorker],
  exports: [MailOutboxService, MailWorker],
})
export class NotificationsModule {}
