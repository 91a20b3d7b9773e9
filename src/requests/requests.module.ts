import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { CalendarModule } from '../calendar/calendar.module';
import { NotificationsModule } from '../notifications/notifications.module';
import { NoticesApiController } from '../notices/notices-api.controller';
import { NoticesModule } from '../notices/notices.module';
import { PublicRequestsApiController, RequestsApiController } from './requests-api.controller';
import { DerivedStateService } from './derived-state.service';
import { IntakeWriter } from './intake-writer';
import { ApplicantPrivacyService } from './applicant-privacy.service';
import { RequestDeadlinesService } from './request-deadlines.service';
import { RequestIntakeService } from './request-intake.service';
import { RequestNoticesService } from './request-notices.service';
import { RequestQueriesService } from './request-queries.service';
import { RequestStepsService } from './request-steps.service';
import { RequestStore } from './request-store';
import { SearchIndexService } from './search-index.service';
import { RequestLedgerService } from './request-ledger.service';
import { AwaitingConfirmationService } from './awaiting-confirmation.service';
import { TallyFolderService } from './tally-folder.service';
import { RequestTransferService } from './request-transfer.service';
import { RequestRefileService } from './request-refile.service';

@Module({
  imports: [AuthModule, CalendarModule, NotificationsModule, NoticesModule],
  controllers: [PublicRequestsApiController, RequestsApiController, NoticesApiController],
  providers: [
    RequestStore,
    RequestIntakeService,
    RequestStepsService,
    RequestQueriesService,
    RequestNoticesService,
    RequestDeadlinesService,
    ApplicantPrivacyService,
    IntakeWriter,
    DerivedStateService,
    RequestLedgerService,
    AwaitingConfirmationService,
    SearchIndexService,
    TallyFolderService,
    RequestTransferService,
    RequestRefileService,
  ],
  exports: [
    RequestStore,
    RequestTransferService,
    RequestRefileService,
    RequestIntakeService,
    RequestStepsService,
    RequestQueriesService,
    RequestNoticesService,
    RequestDeadlinesService,
    ApplicantPrivacyService,
    DerivedStateService,
    RequestLedgerService,
    AwaitingConfirmationService,
    SearchIndexService,
    TallyFolderService,
  ],
})
export class RequestsModule {}
