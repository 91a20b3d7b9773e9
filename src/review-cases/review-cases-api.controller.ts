import { RequirePermission } from '../auth/permissions';
import { Body, Controller, Get, Headers, HttpCode, Param, Post, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { CurrentStaff } from '../auth/current-staff.decorator';
import type { StaffPrincipal } from '../auth/roles';
import { IdempotencyService } from '../common/idempotency.service';
import { staffActor } from '../auth/actor';
import { ConcludeReviewCaseDto, CreateReviewCaseDto } from './dto/review-case.dto';
import { ReviewCasesService, ReviewCaseView } from './review-cases.service';

@ApiTags('review-cases')
@ApiBearerAuth()
@Controller('api/v1/review-cases')
export class ReviewCasesApiController {
  constructor(
    private readonly cases: ReviewCasesService,
    private readonly idempotency: IdempotencyService,
  ) {}

  @RequirePermission('review_cases.manage')
  @Post()
  @ApiHeader({ name: 'Idempotency-Key', required: false })
  async create(
    @Body() body: CreateReviewCaseDto,
    @CurrentStaff() staff: StaffPrincipal,
    @Headers('idempotency-key') key: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ): Promise<ReviewCaseView> {
    const result = await this.idempotency.run(`api:review-cases:${staff.id}`, key, body, async () => ({ status: 201, body: await this.cases.createCase(body, staffActor(staff)) }));
    res.status(result.status);
    return result.body;
  }

  @RequirePermission('reports.view')
  @Get()
  async list() {
    const items = await this.cases.listCases();
    return { items, total: items.length };
  }

  @RequirePermission('reports.view')
  @Get(':id')
  get(@Param('id') id: string) {
    return this.cases.getCase(id);
  }

  @RequirePermission('review_cases.manage')
  @Post(':id/conclusion')
  @HttpCode(200)
  conclude(@Param('id') id: string, @Body() body: ConcludeReviewCaseDto) {
    return this.cases.concludeCase(id, body);
  }
}
