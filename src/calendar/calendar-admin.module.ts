import { Module } from '@nestjs/common';
import { RequestsModule } from '../requests/requests.module';
import { CalendarAdminService } from './calendar-admin.service';
import { CalendarApiController } from './calendar-api.controller';
import { CalendarPagesController } from './calendar-pages.controller';
import { CalendarModule } from './calendar.module';

@Module({
  imports: [CalendarModule, RequestsModule],
  controllers: [CalendarApiController, CalendarPagesController],
  providers: [CalendarAdminService],
})
export class CalendarAdminModule {}
