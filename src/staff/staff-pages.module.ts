import { Module } from '@nestjs/common';
import { AttachmentsModule } from '../attachments/attachments.module';
import { AuthModule } from '../auth/auth.module';
import { NotificationsModule } from '../notifications/notifications.module';
import { DashboardModule } from '../dashboard/dashboard.module';
import { RequestsModule } from '../requests/requests.module';
import { StaffPagesController } from './staff-pages.controller';
import { AccountsPagesController } from '../auth/accounts-pages.controller';

@Module({ imports: [AuthModule, RequestsModule, DashboardModule, NotificationsModule, AttachmentsModule], controllers: [StaffPagesController, AccountsPagesController] })
export class StaffPagesModule {}
