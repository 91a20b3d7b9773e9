import { Body, Controller, Get, Post, Query, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { RequirePermission } from '../auth/permissions';
import { CurrentStaff } from '../auth/current-staff.decorator';
import type { StaffPrincipal } from '../auth/roles';
import { Clock } from '../common/clock';
import { statusOf } from '../common/http-error.filter';
import { DomainError } from '../domain/errors';
import { RemedyBodies, remediesText } from '../domain/notices';
import { RemedySettingsService } from './remedy-settings.service';

/** Agency settings that notices print (D16). */
@ApiExcludeController()
@Controller('staff/settings')
export class SettingsPagesController {
  constructor(
    private readonly settings: RemedySettingsService,
    private readonly clock: Clock,
  ) {}

  @RequirePermission('settings.manage')
  @Get()
  async page(@Query('saved') saved: string, @Res() res: Response): Promise<void> {
    const current = await this.settings.current();
    res.render('staff/settings', this.model(current, current, { notice: saved ? '设置已保存，此后出具的文书将使用新的名称。' : null }));
  }

  @RequirePermission('settings.manage')
  @Post('remedies')
  async saveRemedies(@Body() body: Record<string, unknown>, @CurrentStaff() staff: StaffPrincipal, @Res() res: Response): Promise<void> {
    const typed = { reviewOrgan: typeof body.reviewOrgan === 'string' ? body.reviewOrgan : '', court: typeof body.court === 'string' ? body.court : '' };
    try {
      await this.settings.save(typed, staff.displayName);
      res.redirect(303, '/staff/settings?saved=1');
    } catch (e) {
      if (!(e instanceof DomainError) || e.code !== 'VALIDATION_FAILED') throw e;
      const current = await this.settings.current();
      res.status(statusOf(e)).render('staff/settings', this.model(current, { reviewOrgan: typed.reviewOrgan, court: typed.court }, { message: e.message, errors: Object.values(e.fields) }));
    }
  }

  private model(current: RemedyBodies, values: RemedyBodies, extra: { notice?: string | null; message?: string; errors?: string[] }) {
    const today = this.clock.today();
    const preview = (withholding: 'all' | 'none') => remediesText({ on: today, withholding, bodies: current, subject: '本答复', document: '本告知书' });
    return {
      title: '文书设置',
      values,
      preview: { withheld: preview('all'), other: preview('none') },
      ...extra,
    };
  }
}
