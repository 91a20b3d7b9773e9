import { RequirePermission } from '../auth/permissions';
import { Body, Controller, Get, HttpCode, Param, Post, Put, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { IsIn, IsOptional } from 'class-validator';
import { CurrentStaff } from '../auth/current-staff.decorator';
import type { StaffPrincipal } from '../auth/roles';
import { NotFoundError } from '../domain/errors';
import { parsePageParam } from '../common/page-param';
import { EXPORT_MIME, EXPORT_TYPES, ExportType, exportFileName, renderExport } from './report-exports';
import { ReportsService } from './reports.service';
import { SECTION4_BASIS_VALUES, SettingsService } from './settings.service';

export class PublishDto {
  @IsOptional()
  @IsIn(['2019', '2021'], { message: '表式必须是 2019 或 2021。' })
  format?: '2019' | '2021';
}

export class ReportSettingsDto {
  @IsIn(SECTION4_BASIS_VALUES, { message: '第四部分统计口径必须是 filed_in_year 或 concluded_or_pending。' })
  section4Basis: string;
}

@ApiTags('reports')
@ApiBearerAuth()
@Controller('api/v1/reports')
export class ReportsApiController {
  constructor(private readonly reports: ReportsService) {}

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
    res.setHeader('Content-Disposition', `attachment; filename="${exportFileName(report, type as ExportType)}"`);
    res.send(body);
  }

  @RequirePermission('reports.publish')
  @Post(':year/publish')
  @HttpCode(201)
  async publish(@Param('year') yearRaw: string, @Body() body: PublishDto, @CurrentStaff() staff: StaffPrincipal) {
    const year = this.reports.parseYear(yearRaw);
    const s = await this.reports.publish(year, this.reports.parseFormat(body.format, year), staff.displayName);
    return { year: s.year, format: s.format, publishedAt: s.publishedAt, publishedBy: s.publishedBy, section3: JSON.parse(s.section3), section4: JSON.parse(s.section4) };
  }

  @RequirePermission('reports.view')
  @Get(':year/diff')
  async diff(@Param('year') yearRaw: string) {
    const diff = await this.reports.diff(this.reports.parseYear(yearRaw));
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
    return { section4Basis: await this.settings.section4Basis() };
  }

  @RequirePermission('settings.manage')
  @Put()
  async put(@Body() body: ReportSettingsDto, @CurrentStaff() staff: StaffPrincipal) {
    await this.settings.setSection4Basis(body.section4Basis, staff.displayName);
    return { section4Basis: await this.settings.section4Basis() };
  }
}
