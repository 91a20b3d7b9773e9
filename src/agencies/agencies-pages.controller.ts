import { Body, Controller, Get, Post, Query, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { CurrentStaff } from '../auth/current-staff.decorator';
import { RequirePermission } from '../auth/permissions';
import type { StaffPrincipal } from '../auth/roles';
import { fieldMessagesBesides } from '../common/form-options';
import { statusOf } from '../common/http-error.filter';
import { DomainError } from '../domain/errors';
import { AgenciesService } from './agencies.service';

/** /staff/agencies: the tree and a form to add an agency (the root agency's administrator). */
@ApiExcludeController()
@Controller('staff/agencies')
export class AgenciesPagesController {
  constructor(private readonly agencies: AgenciesService) {}

  private async model(extra: Record<string, unknown> = {}) {
    const choices = await this.agencies.choices();
    return { title: '机关管理', agencies: choices.map((c) => ({ ...c, indent: '　'.repeat(c.depth) })), ...extra };
  }

  @RequirePermission('agencies.manage')
  @Get()
  async list(@Query('saved') saved: string, @CurrentStaff() staff: StaffPrincipal, @Res() res: Response): Promise<void> {
    this.agencies.assertPlatformAdministrator(staff);
    res.render('staff/agencies', await this.model({ notice: saved ? '已添加机关。' : null }));
  }

  @RequirePermission('agencies.manage')
  @Post()
  async create(@Body() body: Record<string, unknown>, @CurrentStaff() staff: StaffPrincipal, @Res() res: Response): Promise<void> {
    try {
      await this.agencies.create(body, staff);
      res.redirect(303, '/staff/agencies?saved=1');
    } catch (e) {
      if (!(e instanceof DomainError) || e.code === 'FORBIDDEN') throw e;
      const str = (k: string) => (typeof body[k] === 'string' ? body[k] : '');
      res
        .status(statusOf(e))
        .render('staff/agencies', await this.model({ message: e.message, errors: fieldMessagesBesides(e.message, e.fields), values: { code: str('code'), name: str('name'), parent: str('parent') } }));
    }
  }
}
