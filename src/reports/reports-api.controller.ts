import { RequirePermission } from '../auth/permissions';
import { Body, Controller, Get, Headers, Param, Post, Put, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { IsBoolean, IsIn, IsOptional, ValidateIf } from 'class-validator';
import { CurrentStaff } from '../auth/current-staff.decorator';
import type { StaffPrincipal } from '../auth/roles';
import { IdempotencyService } from '../common/idempotency.service';
import { NotFoundError } from '../domain/errors';
import { parsePageParam } from '../common/page-param';
import { EXPORT_MIME, EXPORT_TYPES, ExportType, renderExport } from './report-exports';
import { exportDisposition } from './export-names';
import { PublishDto } from './dto/publish.dto';
import { PublishedView, ReportPublicationsService } from './report-publications.service';
import { ReportsService } from './reports.service';
import { SettingsService } from './settings.service';
import { SECTION4_BASIS_VALUES } from '../domain/report';

/** The publish answer: the contract's fields, plus the frozen rows and groups release 0.1 answered with. */
function publishedBody(p: PublishedView) {
  return {
    number: p.number,
    publishedAt: p.publishedAt,
    publishedBy: p.publishedBy,
    publishedById: p.publishedById,
    format: p.format,
    reason: p.reason,
    year: p.year,
    section3: p.section3Rows,
    section4: p.section4Table,
  };
}

export class ReportSettingsDto {
  @ValidateIf((o: ReportSettingsDto) => o.feePausesClock === undefined || o.section4Basis !== undefined)
  @IsIn(SECTION4_BASIS_VALUES, { message: '第四部分统计口径必须是 filed_in_year 或 concluded_or_pending。' })
  section4Basis?: string;

  /** D6, per agency: whether a fee notice pauses the reply clock of this agency's requests. */
  @IsOptional()
  @IsBoolean({ message: '收费是否暂停计算答复期限必须是 true 或 false。' })
  feePausesClock?: boolean;
}

@ApiTags('reports')
@ApiBearerAuth()
@Controller('api/v1/reports')
export class ReportsApiController {
  constructor(
    private readonly reports: ReportsService,
    private readonly publications: ReportPublicationsService,
    private readonly idempotency: IdempotencyService,
  ) {}

  @RequirePermission('reports.view')
  @Get(':year/section3')
  async section3(@Param('year') yearRaw: string, @Query('format') formatRaw?: string) {
    const year = this.reports.parseYear(yearRaw);
    return (await this.reports.compileSection3(year, this.reports.parseFormat(formatRaw, year))).report;
  }

  @RequirePermission('reports.view')
  @Get(':year/section3/cells/:row/:column')
  async section3Cell(@Param('year') yearRaw: string, @Param('row') row: string, @Param('column') column: string, @Query('format') formatRaw?: string, @Query('page') page?: string) {
    const year = this.reports.parseYear(yearRaw);
    return this.reports.section3Cell(year, this.reports.parseFormat(formatRaw, year), row, column, parsePageParam(page));
  }

  @RequirePermission('reports.view')
  @Get(':year/section4')
  async section4(@Param('year') yearRaw: string) {
    return (await this.reports.compileSection4(this.reports.parseYear(yearRaw))).report;
  }

  @RequirePermission('reports.view')
  @Get(':year/section4/cells/:group/:column')
  section4Cell(@Param('year') yearRaw: string, @Param('group') group: string, @Param('column') column: string) {
    return this.reports.section4Cell(this.reports.parseYear(yearRaw), group, column);
  }

  /** csv, xlsx, docx or json of both tables, with the 统计口径. */
  @RequirePermission('reports.view')
  @Get(':year/export/:type')
  async export(@Param('year') yearRaw: string, @Param('type') type: string, @Res() res: Response, @Query('format') formatRaw?: string): Promise<void> {
    if (!(EXPORT_TYPES as readonly string[]).includes(type)) throw new NotFoundError('不支持的导出格式。');
    const year = this.reports.parseYear(yearRaw);
    const report = await this.reports.annualReport(year, this.reports.parseFormat(formatRaw, year));
    const body = await renderExport(report, type as ExportType);
    res.setHeader('Content-Type', EXPORT_MIME[type as ExportType]);
    res.setHeader('Content-Disposition', exportDisposition(report, type as ExportType));
    res.send(body);
  }

  /** A new numbered publication; earlier ones stay as they were (D20). */
  @RequirePermission('reports.publish')
  @Post(':year/publish')
  @ApiHeader({ name: 'Idempotency-Key', required: false })
  async publish(
    @Param('year') yearRaw: string,
    @Body() body: PublishDto,
    @CurrentStaff() staff: StaffPrincipal,
    @Headers('idempotency-key') key: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ) {
    const year = this.reports.parseYear(yearRaw);
    const format = this.reports.parseFormat(body.format, year);
    const result = await this.idempotency.run(`api:publish:${staff.id}:${year}`, key, body, async () => ({
      status: 201,
      body: publishedBody(await this.publications.publish(year, format, { id: staff.id, displayName: staff.displayName }, body.reason)),
    }));
    res.status(result.status);
    return result.body;
  }

  @RequirePermission('reports.view')
  @Get(':year/publications')
  async publicationList(@Param('year') yearRaw: string) {
    return { items: await this.publications.list(this.reports.parseYear(yearRaw)) };
  }

  /** One publication with its frozen section3 and section4, shaped as the live endpoints answer. */
  @RequirePermission('reports.view')
  @Get(':year/publications/:number')
  publication(@Param('year') yearRaw: string, @Param('number') numberRaw: string) {
    return this.publications.get(this.reports.parseYear(yearRaw), Number(numberRaw));
  }

  /** The records now against a publication: `publication` = its number (default: the latest). */
  @RequirePermission('reports.view')
  @Get(':year/diff')
  @ApiQuery({ name: 'publication', required: false })
  async diff(@Param('year') yearRaw: string, @Query('publication') numberRaw?: string) {
    const diff = await this.publications.diff(this.reports.parseYear(yearRaw), numberRaw === undefined || numberRaw === '' ? undefined : Number(numberRaw));
    if (!diff) throw new NotFoundError('该年度报表尚未发布。');
    return diff;
  }
}

@ApiTags('reports')
@ApiBearerAuth()
@Controller('api/v1/settings/report')
export class ReportSettingsApiController {
  constructor(private readonly settings: SettingsService) {}

  @RequirePermission('reports.view')
  @Get()
  async get() {
    return { section4Basis: await this.settings.section4Basis(), feePausesClock: await this.settings.feePausesClock() };
  }

  @RequirePermission('settings.manage')
  @Put()
  async put(@Body() body: ReportSettingsDto, @CurrentStaff() staff: StaffPrincipal) {
    await this.settings.save({ section4Basis: body.section4Basis, feePausesClock: body.feePausesClock }, staff.displayName);
    return { section4Basis: await this.settings.section4Basis(), feePausesClock: await this.settings.feePausesClock() };
  }
}
