import { Module } from '@nestjs/common';
import { NotificationsModule } from '../notifications/notifications.module';
import { RequestsModule } from '../requests/requests.module';
import { AttachmentDeliveryService } from './attachment-delivery.service';
import { AttachmentPagesController, PublicAttachmentPagesController } from './attachment-pages.controller';
import { AttachmentsApiController, PublicAttachmentsApiController } from './attachments-api.controller';
import { AttachmentsService } from './attachments.service';

/** The reply and released files of a request (issue 18). */
@Module({
  imports: [RequestsModule, NotificationsModule],
  controllers: [AttachmentsApiController, PublicAttachmentsApiController, AttachmentPagesController, PublicAttachmentPagesController],
  providers: [AttachmentsService, AttachmentDeliveryService],
  exports: [AttachmentsService, AttachmentDeliveryService],
})
export class AttachmentsModule {}
