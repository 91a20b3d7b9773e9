import { RequirePermission } from '../auth/permissions';
import { Body, Controller, Get, Param, ParseIntPipe, Post, Query, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { CurrentStaff } from '../auth/current-staff.decorator';
import type { StaffPrincipal } from '../auth/roles';
import { Clock } from '../common/clock';
import { validateInput } from '../common/validation';
import { yearOf } from '../domain/calendar';
import { DomainError } from '../domain/errors';
import { staffActor } from '../auth/actor';
import { CalendarAdminService } from './calendar-admin.service';
import { PutCalendarYearDto } from './dto/calendar-year.dto';

function dateList(raw: unknown): string[] {
  return typeof raw === 'string' ? raw.split(/[\s,，、;；]+/).filter(Boolean) : [];
}

@ApiExcludeController()
@Controller('staff/calendar')
export class CalendarPagesController {
  constructor(
    private readonly admin: CalendarAdminService,
    private readonly clock: Clock,
  ) {}

  @RequirePermission('calendar.manage')
  @Get()
  async page(@Query('year') yearParam: string, @Query('saved') saved: string, @Res() res: Response): Promise<void> {
    const year = /^\d{4}$/.test(yearParam ?? '') ? Number(yearParam) : yearOf(this.clock.today()) + 1;
    res.render('staff/calendar', await this.model(year, { notice: saved ? `已保存，${saved} 件办理中申请的答复期限已重新计算。` : null }));
  }

  private async model(year: number, extra: Record<string, unknown>) {
    const [overview, view] = await Promise.all([this.admin.overview(), this.admin.getYear(year)]);
    return {
      title: '节假日安排',
      overview: overview.map((y) => ({ ...y, current: y.year === year, originLabel: { stored: '已载入（管理员）', package: '内置数据', provisional: '未载入（暂定）' }[y.origin] })),
      view,
      holidaysText: view.holidays.join('\n'),
      makeUpText: view.makeUpWorkdays.join('\n'),
      ...extra,
    };
  }

  @RequirePermission('calendar.manage')
  @Post(':year')
  async save(@Param('year', ParseIntPipe) year: number, @Body() body: Record<string, unknown>, @CurrentStaff() staff: StaffPrincipal, @Res() res: Response): Promise<void> {
    const input = { holidays: dateList(body.holidays), makeUpWorkdays: dateList(body.makeUpWorkdays), source: typeof body.source === 'string' ? body.source : '' };
    try {
      const checked = validateInput(PutCalendarYearDto, input);
      if (checked.fields) throw new DomainError('VALIDATION_FAILED', '提交的内容有误。', checked.fields);
      const result = await this.admin.putYear(year, checked.value, staffActor(staff));
      res.redirect(303, `/staff/calendar?year=${year}&saved=${result.recomputed}`);
    } catch (e) {
      if (!(e instanceof DomainError) || e.code !== 'VALIDATION_FAILED') throw e;
      const model = await this.model(year, { message: e.message, errors: Object.values(e.fields) });
      res.status(400).render('staff/calendar', { ...model, holidaysText: input.holidays.join('\n'), makeUpText: input.makeUpWorkdays.join('\n'), sourceValue: input.source });
    }
  }

  @RequirePermission('calendar.manage')
  @Post(':year/reset')
  async reset(@Param('year', ParseIntPipe) year: number, @CurrentStaff() staff: StaffPrincipal, @Res() res: Response): Promise<void> {
    const result = await this.admin.resetYear(year, staffActor(staff));
    res.redirect(303, `/staff/calendar?year=${year}&saved=${result.recomputed}`);
  }
}
