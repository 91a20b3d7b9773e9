import { Module } from '@nestjs/common';
import { CalendarModule } from '../calendar/calendar.module';
import { DashboardApiController } from './dashboard-api.controller';
import { DashboardService } from './dashboard.service';

@Module({
  imports: [CalendarModule],
  controllers: [DashboardApiController],
  providers: [DashboardService],
  exports: [DashboardService],
})
export class DashboardModule {}
