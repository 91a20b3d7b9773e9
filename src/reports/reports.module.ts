import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ReviewCasesModule } from '../review-cases/review-cases.module';
import { AgencySettingEntity } from './entities/agency-setting.entity';
import { ReportPublicationEntity, ReportPublicationEntryEntity } from './entities/report-publication.entity';
import { ReportPagesController } from './report-pages.controller';
import { ReportPublicationsService } from './report-publications.service';
import { ReportSettingsApiController, ReportsApiController } from './reports-api.controller';
import { ReportsService } from './reports.service';
import { SettingsService } from './settings.service';

@Module({
  imports: [TypeOrmModule.forFeature([AgencySettingEntity, ReportPublicationEntity, ReportPublicationEntryEntity]), ReviewCasesModule],
  controllers: [ReportsApiController, ReportSettingsApiController, ReportPagesController],
  providers: [ReportsService, ReportPublicationsService, SettingsService],
  exports: [ReportsService, ReportPublicationsService],
})
export class ReportsModule {}
