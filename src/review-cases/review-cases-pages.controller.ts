import { statusOf } from '../common/http-error.filter';
import { RequirePermission } from '../auth/permissions';
import { Body, Controller, Get, Param, Post, Query, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { CurrentStaff } from '../auth/current-staff.decorator';
import type { StaffPrincipal } from '../auth/roles';
import { cleanFormBody, toOptions } from '../common/form-options';
import { validateInput } from '../common/validation';
import { DomainError } from '../domain/errors';
import { staffActor } from '../auth/actor';
import { ConcludeReviewCaseDto, CreateReviewCaseDto } from './dto/review-case.dto';
import { KIND_LABELS, RESULT_LABELS, ReviewCasesService, ROLE_LABELS } from './review-cases.service';

@ApiExcludeController()
@Controller('staff/review-cases')
export class ReviewCasesPagesController {
  constructor(private readonly cases: ReviewCasesService) {}

  @RequirePermission('reports.view')
  @Get()
  async page(@Query('saved') saved: string, @Res() res: Response): Promise<void> {
    res.render('review-cases/index', await this.model({ notice: saved ? '已保存。' : null }));
  }

  private async model(extra: Record<string, unknown>) {
    const values = (extra.values ?? {}) as Record<string, string>;
    return {
      title: '行政复议、行政诉讼案件',
      cases: await this.cases.listCases(),
      kinds: toOptions(KIND_LABELS, values.kind),
      roles: toOptions(ROLE_LABELS, values.agencyRole ?? 'original_agency'),
      results: toOptions(RESULT_LABELS),
      values,
      ...extra,
      fields: (extra.fields ?? {}) as Record<string, string>,
    };
  }

  @RequirePermission('review_cases.manage')
  @Post()
  async create(@Body() raw: Record<string, unknown>, @CurrentStaff() staff: StaffPrincipal, @Res() res: Response): Promise<void> {
    const body = cleanFormBody(raw);
    // The form asks for the tracking number people quote; the API keeps taking the request's id.
    const { trackingNumber, ...input } = body;
    try {
      const fields: Record<string, string> = {};
      if (typeof trackingNumber === 'string') {
        const requestId = await this.cases.requestIdFor(trackingNumber);
        if (requestId) input.requestId = requestId;
        else fields.trackingNumber = `没有编号为 ${trackingNumber.trim()} 的申请，请核对申请编号（如 2026-000001）。`;
      }
      const checked = validateInput(CreateReviewCaseDto, input);
      if (checked.fields) Object.assign(fields, checked.fields);
      if (checked.fields || Object.keys(fields).length) throw new DomainError('VALIDATION_FAILED', '提交的内容有误，请按提示修改。', fields);
      await this.cases.createCase(checked.value, staffActor(staff));
      res.redirect(303, '/staff/review-cases?saved=1');
    } catch (e) {
      if (!(e instanceof DomainError) || e.code === 'NOT_FOUND') throw e;
      const fields = { ...e.fields };
      if (fields.requestId) fields.trackingNumber ??= fields.requestId;
      res.status(statusOf(e)).render('review-cases/index', await this.model({ message: e.message, fields, values: body }));
    }
  }

  @RequirePermission('review_cases.manage')
  @Post(':id/conclusion')
  async conclude(@Param('id') id: string, @Body() raw: Record<string, unknown>, @Res() res: Response): Promise<void> {
    const body = cleanFormBody(raw);
    try {
      const checked = validateInput(ConcludeReviewCaseDto, body);
      if (checked.fields) throw new DomainError('VALIDATION_FAILED', '提交的内容有误。', checked.fields);
      await this.cases.concludeCase(id, checked.value);
      res.redirect(303, '/staff/review-cases?saved=1');
    } catch (e) {
      if (!(e instanceof DomainError) || e.code === 'NOT_FOUND') throw e;
      res.status(statusOf(e)).render('review-cases/index', await this.model({ message: e.message, errors: Object.values(e.fields) }));
    }
  }
}
