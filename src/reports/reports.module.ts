import { Module } from '@nestjs/common';
import { ReviewCasesModule } from '../review-cases/review-cases.module';
import { ReportPagesController } from './report-pages.controller';
import { ReportPublicationsService } from './report-publications.service';
import { ReportSettingsApiController, ReportsApiController } from './reports-api.controller';
import { ReportsService } from './reports.service';
import { SettingsService } from './settings.service';

@Module({
  imports: [ReviewCasesModule],
  controllers: [ReportsApiController, ReportSettingsApiController, ReportPagesController],
  providers: [ReportsService, ReportPublicationsService, SettingsService],
  exports: [ReportsService, ReportPublicationsService],
})
export class ReportsModule {}
