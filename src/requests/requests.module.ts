import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { CalendarModule } from '../calendar/calendar.module';
import { NotificationsModule } from '../notifications/notifications.module';
import { NoticesApiController } from '../notices/notices-api.controller';
import { NoticesModule } from '../notices/notices.module';
import { PublicRequestsApiController, RequestsApiController } from './requests-api.controller';
import { DerivedStateService } from './derived-state.service';
import { IntakeWriter } from './intake-writer';
import { RequestsService } from './requests.service';
import { SearchIndexService } from './search-index.service';
import { RequestLedgerService } from './request-ledger.service';
import { AwaitingConfirmationService } from './awaiting-confirmation.service';

@Module({
  imports: [AuthModule, CalendarModule, NotificationsModule, NoticesModule],
  controllers: [PublicRequestsApiController, RequestsApiController, NoticesApiController],
  providers: [RequestsService, IntakeWriter, DerivedStateService, RequestLedgerService, AwaitingConfirmationService, SearchIndexService],
  exports: [RequestsService, DerivedStateService, RequestLedgerService, AwaitingConfirmationService, SearchIndexService],
})
export class RequestsModule {}
