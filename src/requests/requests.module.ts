import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { CalendarModule } from '../calendar/calendar.module';
import { NotificationsModule } from '../notifications/notifications.module';
import { PublicRequestsApiController, RequestsApiController } from './requests-api.controller';
import { DerivedStateService } from './derived-state.service';
import { IntakeWriter } from './intake-writer';
import { RequestsService } from './requests.service';
import { SearchIndexService } from './search-index.service';

@Module({
  imports: [AuthModule, CalendarModule, NotificationsModule],
  controllers: [PublicRequestsApiController, RequestsApiController],
  providers: [RequestsService, IntakeWriter, DerivedStateService, SearchIndexService],
  exports: [RequestsService, DerivedStateService, SearchIndexService],
})
export class RequestsModule {}
