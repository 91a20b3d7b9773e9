import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ReviewCasesModule } from '../review-cases/review-cases.module';
import { AgencySettingEntity } from './entities/agency-setting.entity';
import { ReportSnapshotEntity, ReportSnapshotEntryEntity } from './entities/report-snapshot.entity';
import { ReportPagesController } from './report-pages.controller';
import { ReportSettingsApiController, ReportsApiController } from './reports-api.controller';
import { ReportsService } from './reports.service';
import { SettingsService } from './settings.service';

@Module({
  imports: [TypeOrmModule.forFeature([AgencySettingEntity, ReportSnapshotEntity, ReportSnapshotEntryEntity]), ReviewCasesModule],
  controllers: [ReportsApiController, ReportSettingsApiController, ReportPagesController],
  providers: [ReportsService, SettingsService],
  exports: [ReportsService],
})
export class ReportsModule {}
