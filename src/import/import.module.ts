import { Module } from '@nestjs/common';
import { CalendarModule } from '../calendar/calendar.module';
import { RequestsModule } from '../requests/requests.module';
import { ImportPagesController } from './import-pages.controller';
import { ImportService } from './import.service';

@Module({
  imports: [CalendarModule, RequestsModule],
  controllers: [ImportPagesController],
  providers: [ImportService],
  exports: [ImportService],
})
export class ImportModule {}
