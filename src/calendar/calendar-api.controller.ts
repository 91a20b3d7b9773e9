import { RequirePermission } from '../auth/permissions';
import { Body, Controller, Delete, Get, Param, ParseIntPipe, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { CurrentStaff } from '../auth/current-staff.decorator';
import type { StaffPrincipal } from '../auth/roles';
import { ValidationFailedError } from '../domain/errors';
import { staffActor } from '../auth/actor';
import { CalendarAdminService } from './calendar-admin.service';
import { PutCalendarYearDto } from './dto/calendar-year.dto';

const yearPipe = new ParseIntPipe({ exceptionFactory: () => new ValidationFailedError({ year: '年份必须是整数。' }) });

@ApiTags('calendar')
@ApiBearerAuth()
@Controller('api/v1/calendar')
export class CalendarApiController {
  constructor(private readonly admin: CalendarAdminService) {}

  @RequirePermission('requests.view')
  @Get(':year')
  get(@Param('year', yearPipe) year: number) {
    return this.admin.getYear(year);
  }

  /** Loads or corrects a year's arrangement; every open request's deadline is recomputed. */
  @RequirePermission('calendar.manage')
  @Put(':year')
  put(@Param('year', yearPipe) year: number, @Body() body: PutCalendarYearDto, @CurrentStaff() staff: StaffPrincipal) {
    return this.admin.putYear(year, body, staffActor(staff));
  }

  @RequirePermission('calendar.manage')
  @Delete(':year')
  reset(@Param('year', yearPipe) year: number, @CurrentStaff() staff: StaffPrincipal) {
    return this.admin.resetYear(year, staffActor(staff));
  }
}
