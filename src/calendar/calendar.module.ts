import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CalendarService } from './calendar.service';
import { CalendarYearEntity } from './entities/calendar-year.entity';

@Module({
  imports: [TypeOrmModule.forFeature([CalendarYearEntity])],
  providers: [CalendarService],
  exports: [CalendarService],
})
export class CalendarModule {}
