import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { CalendarModule } from '../calendar/calendar.module';
import { RequestsModule } from '../requests/requests.module';
import { DailyDigestService } from './daily-digest.service';
import { JobsApiController } from './jobs-api.controller';
import { NotificationsModule } from './notifications.module';

@Module({
  imports: [AuthModule, CalendarModule, RequestsModule, NotificationsModule],
  controllers: [JobsApiController],
  providers: [DailyDigestService],
  exports: [DailyDigestService],
})
export class DigestModule {}
