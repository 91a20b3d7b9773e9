import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { RequirePermission } from '../auth/permissions';
import { Clock } from '../common/clock';
import { ValidationFailedError } from '../domain/errors';
import { DashboardService, DashboardStats } from './dashboard.service';

@ApiTags('dashboard')
@ApiBearerAuth()
@Controller('api/v1/dashboard')
export class DashboardApiController {
  constructor(
    private readonly dashboard: DashboardService,
    private readonly clock: Clock,
  ) {}

  /** The staff home page's figures as JSON. */
  @RequirePermission('requests.view')
  @Get()
  stats(@Query('year') yearRaw?: string): Promise<DashboardStats> {
    const year = yearRaw === undefined ? Number(this.clock.today().slice(0, 4)) : Number(yearRaw);
    if (!Number.isInteger(year) || year < 2008 || year > 2100) throw new ValidationFailedError({ year: '年份无效。' });
    return this.dashboard.stats(year);
  }
}
