import { RequirePermission } from '../auth/permissions';
import { Body, Controller, Get, Param, Post, Query, Res } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { CurrentStaff } from '../auth/current-staff.decorator';
import type { StaffPrincipal } from '../auth/roles';
import { Clock } from '../common/clock';
import { cleanFormBody, toOptions } from '../common/form-options';
import { statusOf } from '../common/http-error.filter';
import { IdempotencyService } from '../common/idempotency.service';
import { validateInput } from '../common/validation';
import { ReportFormat, section3Rows, SECTION3_TITLE, SECTION4_COLUMN_LABELS, SECTION4_GROUP_LABELS, SECTION4_TITLE, Section4Column, Section4Group } from '../domain/report';
import { section3Grid, section4Grid } from '../domain/report/report-grid';
import { APPLICANT_TYPE_LABELS, ApplicantType } from '../domain/lifecycle';
import { diffCellView, gridToView } from './report-view';
import { formatShanghaiDateTime } from '../common/format';
import { EXPORT_MIME, EXPORT_TYPES, ExportType, renderExport } from './report-exports';
import { exportDisposition, exportLinks } from './export-names';
import { DomainError, NotFoundError, ValidationFailedError } from '../domain/errors';
import { PublicationDiff, ReportPublicationsService } from './report-publications.service';
import { PublishDto } from './dto/publish.dto';
import { AnnualReport, ReportsService } from './reports.service';
import { parsePageParam } from '../common/page-param';
import { SettingsService } from './settings.service';
import { SECTION4_BASIS_LABELS } from '../domain/report';
import { ReviewCasesService } from '../review-cases/review-cases.service';

const CHECK_NAMES: Record<string, string> = {
  R1: '勾稽关系：一 + 二 = （七）总计 + 四',
  R2: '（七）总计 = 各项办理结果之和',
  R3: '总计列 = 六类申请人之和',
  R4: '部分公开只计一次',
  R5: '二 = 上年四',
  R6: '每件办结申请恰好归入一项结果',
};

const FORMAT_LABELS: Record<ReportFormat, string> = { '2021': '2021 年格式', '2019': '2019 年试行格式' };

function checksView(checks: AnnualReport['section3']['checks']) {
  return checks.map((c) => ({ ...c, name: CHECK_NAMES[c.rule], warning: c.severity === 'warning' }));
}

/** Each changed cell as the reader names it: row label, column label, published and current values. */
function diffView(diff: PublicationDiff) {
  return {
    ...diff,
    cells: diff.cells.map((c) => diffCellView(c, diff.format)),
    records: diff.records.slice(0, 200),
    more: Math.max(0, diff.records.length - 200),
  };
}

interface PublishFormState {
  message?: string;
  errors?: string[];
  reason?: string;
}

/** The report settings form as posted, when it is shown again with a message. */
interface SettingsFormState {
  message: string;
  errors: string[];
  section4Basis: string;
  feePausesClock?: boolean;
}

@ApiExcludeController()
@Controller('staff/reports')
export class ReportPagesController {
  constructor(
    private readonly reports: ReportsService,
    private readonly settings: SettingsService,
    private readonly cases: ReviewCasesService,
    private readonly publications: ReportPublicationsService,
    private readonly idempotency: IdempotencyService,
    private readonly clock: Clock,
  ) {}

  @RequirePermission('reports.view')
  @Get()
  index(@Res() res: Response): void {
    res.redirect(303, `/staff/reports/${Number(this.clock.today().slice(0, 4)) - 1}`);
  }

  @RequirePermission('reports.view')
  @Get(':year')
  async page(@Param('year') yearRaw: string, @Query('format') formatRaw: string, @Query('published') published: string, @Query('against') againstRaw: string, @Res() res: Response): Promise<void> {
    const year = this.reports.parseYear(yearRaw);
    const format = this.reports.parseFormat(formatRaw, year);
    const against = againstRaw ? Number(againstRaw) : undefined;
    const notice = published ? `已发布${Number(published) > 0 ? `第 ${Number(published)} 次` : ''}并冻结本年度报表。` : null;
    res.render('reports/report', await this.pageModel(year, format, against, { notice }));
  }

  /** The report page: live tables, the publication history, the diff against a chosen publication, the publish form. */
  private async pageModel(year: number, format: ReportFormat, against: number | undefined, extra: { notice?: string | null; publish?: PublishFormState; settings?: SettingsFormState }) {
    const [report, history, diff, basis] = [
      await this.reports.annualReport(year, format),
      await this.publications.list(year),
      await this.publications.diff(year, against),
      await this.settings.section4Basis(),
    ];
    const thisYear = Number(this.clock.today().slice(0, 4));
    const q = `format=${format}`;
    return {
      title: `${year} 年度报表`,
      year,
      format,
      notice: extra.notice ?? null,
      years: Array.from({ length: 8 }, (_, i) => thisYear - i).map((y) => ({ year: y, current: y === year })),
      formats: (['2021', '2019'] as const).map((f) => ({ value: f, label: FORMAT_LABELS[f], current: f === format, href: `/staff/reports/${year}?format=${f}` })),
      section3Title: SECTION3_TITLE,
      section4Title: SECTION4_TITLE,
      s3: gridToView(section3Grid(report.table3), (row, column) => `/staff/reports/${year}/cells/${row}/${column}?${q}`),
      s4: gridToView(section4Grid(report.table4), (row, column) => `/staff/reports/${year}/section4/${row}/${column}`),
      checks: checksView(report.section3.checks),
      allChecksOk: report.section3.checks.every((c) => c.ok),
      basis: [...Object.values(report.section3.basis), ...Object.values(report.section4.basis)],
      published: report.published && { ...report.published, publishedAt: formatShanghaiDateTime(report.published.publishedAt), formatLabel: FORMAT_LABELS[report.published.format] },
      history: history.map((p) => ({
        ...p,
        publishedAt: formatShanghaiDateTime(p.publishedAt),
        formatLabel: FORMAT_LABELS[p.format],
        href: `/staff/reports/${year}/publications/${p.number}`,
        diffHref: `/staff/reports/${year}?${q}&against=${p.number}#diff`,
        compared: diff?.number === p.number,
      })),
      diff: diff && { ...diffView(diff), latest: diff.number === history.at(-1)?.number, href: `/staff/reports/${year}/publications/${diff.number}` },
      diffOptions: history.map((p) => ({ value: p.number, label: `第 ${p.number} 次发布（${formatShanghaiDateTime(p.publishedAt)}）`, selected: p.number === diff?.number })),
      publish: {
        nextNumber: history.length + 1,
        reasonRequired: history.length > 0,
        reason: extra.publish?.reason ?? '',
        message: extra.publish?.message ?? null,
        errors: extra.publish?.errors ?? [],
        submissionToken: randomUUID(),
      },
      exports: exportLinks((t) => `/staff/reports/${year}/export/${t}?${q}`),
      basisOptions: toOptions(SECTION4_BASIS_LABELS, extra.settings?.section4Basis ?? basis),
      feePausesClock: extra.settings?.feePausesClock ?? (await this.settings.feePausesClock()),
      settingsForm: extra.settings ? { message: extra.settings.message, errors: extra.settings.errors } : null,
    };
  }

  /** One publication as it was published: its frozen tables, checks and 统计口径, never the records now. */
  @RequirePermission('reports.view')
  @Get(':year/publications/:number')
  async publication(@Param('year') yearRaw: string, @Param('number') numberRaw: string, @Res() res: Response): Promise<void> {
    const year = this.reports.parseYear(yearRaw);
    const p = await this.publications.asAnnualReport(year, Number(numberRaw));
    const meta = p.published!;
    res.render('reports/publication', {
      title: `${year} 年度报表 第 ${p.number} 次发布`,
      year,
      number: p.number,
      publishedAt: formatShanghaiDateTime(meta.publishedAt),
      publishedBy: meta.publishedBy,
      formatLabel: FORMAT_LABELS[p.format],
      reason: meta.reason,
      section3Title: SECTION3_TITLE,
      section4Title: SECTION4_TITLE,
      s3: gridToView(section3Grid(p.table3), () => null),
      s4: gridToView(section4Grid(p.table4), () => null),
      checks: checksView(p.section3.checks),
      checksKept: p.section3.checks.length > 0,
      basis: [...Object.values(p.section3.basis), ...Object.values(p.section4.basis)],
      exports: exportLinks((t) => `/staff/reports/${year}/publications/${p.number}/export/${t}`),
      diffHref: `/staff/reports/${year}?format=${p.format}&against=${p.number}#diff`,
    });
  }

  @RequirePermission('reports.view')
  @Get(':year/publications/:number/export/:type')
  async publicationExport(@Param('year') yearRaw: string, @Param('number') numberRaw: string, @Param('type') type: string, @Res() res: Response): Promise<void> {
    if (!(EXPORT_TYPES as readonly string[]).includes(type)) throw new NotFoundError('不支持的导出格式。');
    const year = this.reports.parseYear(yearRaw);
    const report = await this.publications.asAnnualReport(year, Number(numberRaw));
    res.setHeader('Content-Type', EXPORT_MIME[type as ExportType]);
    res.setHeader('Content-Disposition', exportDisposition(report, type as ExportType, report.number));
    res.send(await renderExport(report, type as ExportType));
  }

  @RequirePermission('reports.view')
  @Get(':year/cells/:row/:column')
  async cell(
    @Param('year') yearRaw: string,
    @Param('row') row: string,
    @Param('column') column: string,
    @Query('format') formatRaw: string,
    @Query('page') pageRaw: string,
    @Res() res: Response,
  ): Promise<void> {
    const year = this.reports.parseYear(yearRaw);
    const format = this.reports.parseFormat(formatRaw, year);
    const page = parsePageParam(pageRaw);
    const result = await this.reports.section3Cell(year, format, row, column, page);
    const spec = section3Rows(format).find((s) => s.key === row)!;
    res.render('reports/cell', {
      title: `${year} 年 ${spec.label}`,
      year,
      format,
      rowLabel: [spec.group, spec.label].filter(Boolean).join(' '),
      columnLabel: column === 'total' ? '总计' : APPLICANT_TYPE_LABELS[column as ApplicantType],
      items: await this.reports.describeCellItems(result.items),
      total: result.total,
      next: result.total > page * 50 ? `?format=${format}&page=${page + 1}` : null,
      prev: page > 1 ? `?format=${format}&page=${page - 1}` : null,
    });
  }

  @RequirePermission('reports.view')
  @Get(':year/section4/:group/:column')
  async section4Cell(@Param('year') yearRaw: string, @Param('group') group: string, @Param('column') column: string, @Res() res: Response): Promise<void> {
    const year = this.reports.parseYear(yearRaw);
    const result = await this.reports.section4Cell(year, group, column);
    res.render('reports/cases', {
      title: `${year} 年 ${SECTION4_GROUP_LABELS[group as Section4Group]} ${SECTION4_COLUMN_LABELS[column as Section4Column]}`,
      year,
      cases: await this.cases.listCases(result.items.map((i) => i.id)),
      total: result.total,
    });
  }

  @RequirePermission('reports.view')
  @Get(':year/export/:type')
  async download(@Param('year') yearRaw: string, @Param('type') type: string, @Query('format') formatRaw: string, @Res() res: Response): Promise<void> {
    if (!(EXPORT_TYPES as readonly string[]).includes(type)) throw new NotFoundError('不支持的导出格式。');
    const year = this.reports.parseYear(yearRaw);
    const report = await this.reports.annualReport(year, this.reports.parseFormat(formatRaw, year));
    res.setHeader('Content-Type', EXPORT_MIME[type as ExportType]);
    res.setHeader('Content-Disposition', exportDisposition(report, type as ExportType));
    res.send(await renderExport(report, type as ExportType));
  }

  @RequirePermission('reports.publish')
  @Post(':year/publish')
  async publish(@Param('year') yearRaw: string, @Body() raw: Record<string, unknown>, @CurrentStaff() staff: StaffPrincipal, @Res() res: Response): Promise<void> {
    const year = this.reports.parseYear(yearRaw);
    const submissionToken = typeof raw.submissionToken === 'string' ? raw.submissionToken.slice(0, 100) : undefined;
    const body = cleanFormBody(raw);
    const format = this.reports.parseFormat(body.format, year);
    try {
      const checked = validateInput(PublishDto, body);
      if (checked.fields) throw new ValidationFailedError(checked.fields);
      const result = await this.idempotency.run(`form:publish:${staff.id}:${year}`, submissionToken, body, async () => ({
        status: 201,
        body: await this.publications.publish(year, format, { id: staff.id, displayName: staff.displayName }, checked.value.reason),
      }));
      res.redirect(303, `/staff/reports/${year}?format=${format}&published=${result.body.number}`);
    } catch (e) {
      if (!(e instanceof DomainError) || e.code === 'NOT_FOUND') throw e;
      const publish = { message: e.message, errors: Object.values(e.fields), reason: typeof body.reason === 'string' ? body.reason : '' };
      res.status(statusOf(e)).render('reports/report', await this.pageModel(year, format, undefined, { publish }));
    }
  }

  @RequirePermission('settings.manage')
  @Post('settings/section4')
  async saveSettings(@Body() body: Record<string, string | string[]>, @CurrentStaff() staff: StaffPrincipal, @Res() res: Response): Promise<void> {
    const section4Basis = typeof body.section4Basis === 'string' ? body.section4Basis : '';
    // D6, per agency; the form always sends it (a hidden "false" before the checkbox).
    const feePausesClock = body.feePausesClock === undefined ? undefined : [body.feePausesClock].flat().includes('true');
    try {
      await this.settings.save({ section4Basis, feePausesClock }, staff.displayName);
    } catch (e) {
      if (!(e instanceof DomainError) || e.code === 'NOT_FOUND') throw e;
      // The form again with the message and what was posted; the year shown is the posted one when valid.
      let year = Number(this.clock.today().slice(0, 4)) - 1;
      try {
        year = this.reports.parseYear(body.year);
      } catch {
        /* keep the default year */
      }
      const settings = { message: e.message, errors: Object.values(e.fields), section4Basis, feePausesClock };
      res.status(statusOf(e)).render('reports/report', await this.pageModel(year, this.reports.parseFormat(undefined, year), undefined, { settings }));
      return;
    }
    res.redirect(303, `/staff/reports/${encodeURIComponent(String(body.year ?? ''))}`);
  }
}
