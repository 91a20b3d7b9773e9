import { Module } from '@nestjs/common';
import { AttachmentsModule } from '../attachments/attachments.module';
import { RequestsModule } from '../requests/requests.module';
import { PublicPagesController } from './public-pages.controller';

@Module({ imports: [RequestsModule, AttachmentsModule], controllers: [PublicPagesController] })
export class PublicPagesModule {}
