import { Module } from '@nestjs/common';
import { CalendarModule } from '../calendar/calendar.module';
import { ReportsModule } from '../reports/reports.module';
import { RequestsModule } from '../requests/requests.module';
import { RollupsModule } from '../rollups/rollups.module';
import { SupervisionApiController } from './supervision-api.controller';
import { SupervisionPagesController } from './supervision-pages.controller';
import { SupervisionService } from './supervision.service';

/** 督办 (D22): supervisors read their subtree and send supervision notes; they never change a record's state. */
@Module({
  imports: [CalendarModule, ReportsModule, RequestsModule, RollupsModule],
  controllers: [SupervisionApiController, SupervisionPagesController],
  providers: [SupervisionService],
})
export class SupervisionModule {}
