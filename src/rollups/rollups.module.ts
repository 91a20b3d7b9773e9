import { Module } from '@nestjs/common';
import { ReportsModule } from '../reports/reports.module';
import { RequestsModule } from '../requests/requests.module';
import { RollupAccess } from './rollup-access';
import { RollupPagesController } from './rollup-pages.controller';
import { RollupPublicationsService } from './rollup-publications.service';
import { RollupService } from './rollup.service';
import { RollupsApiController } from './rollups-api.controller';

/** Roll-ups (全县/全市汇总) and per-agency reports by code (D22). */
@Module({
  imports: [ReportsModule, RequestsModule],
  controllers: [RollupsApiController, RollupPagesController],
  providers: [RollupAccess, RollupService, RollupPublicationsService],
  exports: [RollupAccess, RollupService],
})
export class RollupsModule {}
