import { Body, Controller, Get, Param, Post, Query, Res } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { runForAgency } from '../agencies/agency-scope';
import { AgenciesService } from '../agencies/agencies.service';
import { ROOT_AGENCY_ID } from '../agencies/entities/agency.entity';
import { CurrentStaff } from '../auth/current-staff.decorator';
import { RequirePermission } from '../auth/permissions';
import type { StaffPrincipal } from '../auth/roles';
import { Clock } from '../common/clock';
import { cleanFormBody } from '../common/form-options';
import { formatShanghaiDateTime } from '../common/format';
import { statusOf } from '../common/http-error.filter';
import { IdempotencyService } from '../common/idempotency.service';
import { parsePageParam } from '../common/page-param';
import { validateInput } from '../common/validation';
import { DomainError, ValidationFailedError } from '../domain/errors';
import { APPLICANT_TYPE_LABELS, ApplicantType } from '../domain/lifecycle';
import { ReportFormat, section3Rows, SECTION3_TITLE, SECTION4_TITLE } from '../domain/report';
import { section3Grid, section4Grid } from '../domain/report/report-grid';
import { PublishDto } from '../reports/dto/publish.dto';
import { exportLinks } from '../reports/export-names';
import { diffCellView, gridToView } from '../reports/report-view';
import { ReportsService } from '../reports/reports.service';
import { mayRead, maySupervise, RollupAccess } from './rollup-access';
import { rollupExportType, sendRollupExport } from './rollup-export-names';
import { percent } from './rollup-view';
import { RollupPublicationsService } from './rollup-publications.service';
import { ROLLUP_CELL_PAGE_SIZE, RollupReport, RollupService } from './rollup.service';

const FORMAT_LABELS: Record<ReportFormat, string> = { '2021': '2021 年格式', '2019': '2019 年试行格式' };

/** The roll-up pages (全县/全市汇总, D22): the official layout for any node in reach, the agencies below it, drill-down, exports, publishing. */
@ApiExcludeController()
@Controller('staff/rollup')
export class RollupPagesController {
  constructor(
    private readonly access: RollupAccess,
    private readonly rollups: RollupService,
    private readonly publications: RollupPublicationsService,
    private readonly reports: ReportsService,
    private readonly agencies: AgenciesService,
    private readonly idempotency: IdempotencyService,
    private readonly clock: Clock,
  ) {}

  /** The caller's own node, last year. */
  @RequirePermission('reports.rollup')
  @Get()
  async index(@CurrentStaff() staff: StaffPrincipal, @Res() res: Response): Promise<void> {
    const own = await this.agencies.byId(staff.agencyId);
    res.redirect(303, `/staff/rollup/${own.code}/${Number(this.clock.today().slice(0, 4)) - 1}`);
  }

  @RequirePermission('reports.rollup')
  @Get(':code/:year')
  async page(
    @Param('code') code: string,
    @Param('year') yearRaw: string,
    @Query('format') formatRaw: string,
    @Query('published') published: string,
    @Query('against') againstRaw: string,
    @CurrentStaff() staff: StaffPrincipal,
    @Res() res: Response,
  ): Promise<void> {
    const target = await this.access.readable(staff, code);
    const year = this.reports.parseYear(yearRaw);
    const format = this.reports.parseFormat(formatRaw, year);
    const notice = published ? `已发布第 ${Number(published)} 次汇总报表并冻结。` : null;
    res.render('rollups/rollup', await this.pageModel(staff, target.node.code, year, format, { notice, against: againstRaw ? Number(againstRaw) : undefined }));
  }

  private async pageModel(
    staff: StaffPrincipal,
    code: string,
    year: number,
    format: ReportFormat,
    extra: { notice?: string | null; against?: number; publish?: { message: string; errors: string[]; reason: string } },
  ) {
    const target = await this.access.readable(staff, code);
    const [report, history, all, diff] = [
      await this.rollups.report(target, year, format),
      await this.publications.list(target.node.id, year),
      await this.agencies.all(),
      await this.publications.diff(target, year, extra.against),
    ];
    const base = `/staff/rollup/${target.node.code}/${year}`;
    const q = `format=${format}`;
    const thisYear = Number(this.clock.today().slice(0, 4));
    const maxNew = Math.max(1, ...report.agencies.map((a) => a.newReceived));
    return {
      title: `${target.node.name} ${year} 年度汇总报表`,
      node: target.node,
      year,
      format,
      notice: extra.notice ?? null,
      agencyCount: report.agencies.length,
      nodes: all.filter((a) => mayRead(staff, a.id, all)).map((a) => ({ code: a.code, name: a.name, current: a.id === target.node.id, href: `/staff/rollup/${a.code}/${year}?${q}` })),
      years: Array.from({ length: 8 }, (_, i) => thisYear - i).map((y) => ({ year: y, current: y === year, href: `/staff/rollup/${target.node.code}/${y}` })),
      formats: (['2021', '2019'] as const).map((f) => ({ label: FORMAT_LABELS[f], current: f === format, href: `${base}?format=${f}` })),
      section3Title: SECTION3_TITLE,
      section4Title: SECTION4_TITLE,
      s3: gridToView(section3Grid(report.table3), (row, column) => `${base}/cells/${row}/${column}?${q}`),
      s4: gridToView(section4Grid(report.table4), () => null),
      checks: report.section3.checks.map((c) => ({ ...c, warning: c.severity === 'warning' })),
      allChecksOk: report.section3.checks.every((c) => c.ok),
      basis: [...Object.values(report.section3.basis), ...Object.values(report.section4.basis)],
      lines: report.agencies.map((a) => ({
        code: a.code,
        name: a.name,
        indent: '　'.repeat(a.depth),
        newReceived: a.newReceived,
        concluded: a.concluded,
        carriedForward: a.carriedForward,
        lateReplies: a.lateReplies,
        onTime: percent(a.onTimeShare),
        bar: Math.round((a.newReceived / maxNew) * 20) * 5,
        checksOk: a.checksOk,
        published: a.published ? `第 ${a.published.number} 次（${formatShanghaiDateTime(a.published.publishedAt)}）` : null,
        href: a.id === target.node.id ? null : `/staff/rollup/${a.code}/${year}?${q}`,
      })),
      published: report.published && { ...report.published, publishedAt: formatShanghaiDateTime(report.published.publishedAt) },
      history: history.map((p) => ({
        ...p,
        publishedAt: formatShanghaiDateTime(p.publishedAt),
        formatLabel: FORMAT_LABELS[p.format],
        href: `${base}/publications/${p.number}`,
        diffHref: `${base}?${q}&against=${p.number}#diff`,
        compared: diff?.number === p.number,
      })),
      // D13, D20: as the agency report page, the records now against the chosen (default: latest) publication.
      diff: diff && {
        ...diff,
        cells: diff.cells.map((c) => diffCellView(c, diff.format)),
        agencies: diff.agencies.map((a) => ({
          ...a,
          href: mayRead(staff, all.find((x) => x.code === a.code)?.id ?? -1, all) ? `/staff/rollup/${a.code}/${year}?format=${diff.format}` : null,
          cells: a.cells.map((c) => diffCellView(c, diff.format)),
        })),
        latest: diff.number === history.at(-1)?.number,
        href: `${base}/publications/${diff.number}`,
      },
      diffOptions: history.map((p) => ({ value: p.number, label: `第 ${p.number} 次发布（${formatShanghaiDateTime(p.publishedAt)}）`, selected: p.number === diff?.number })),
      exports: exportLinks((t) => `${base}/export/${t}?${q}`),
      publish: {
        allowed: staff.roles.includes('report_officer') && (staff.agencyId === ROOT_AGENCY_ID || staff.agencyId === target.node.id),
        nextNumber: history.length + 1,
        reasonRequired: history.length > 0,
        reason: extra.publish?.reason ?? '',
        message: extra.publish?.message ?? null,
        errors: extra.publish?.errors ?? [],
        submissionToken: randomUUID(),
      },
    };
  }

  /** The agencies behind a roll-up cell; `agency` lists one agency's applications, a page at a time. */
  @RequirePermission('reports.rollup')
  @Get(':code/:year/cells/:row/:column')
  async cell(
    @Param('code') code: string,
    @Param('year') yearRaw: string,
    @Param('row') row: string,
    @Param('column') column: string,
    @Query('format') formatRaw: string,
    @Query('page') pageRaw: string,
    @Query('agency') agency: string,
    @CurrentStaff() staff: StaffPrincipal,
    @Res() res: Response,
  ): Promise<void> {
    const target = await this.access.readable(staff, code);
    const year = this.reports.parseYear(yearRaw);
    const format = this.reports.parseFormat(formatRaw, year);
    const page = parsePageParam(pageRaw);
    const result = await this.rollups.section3Cell(target, year, format, row, column, page, agency || undefined);
    const spec = section3Rows(format).find((s) => s.key === row)!;
    const all = await this.agencies.all();
    const base = `/staff/rollup/${target.node.code}/${year}/cells/${row}/${column}?format=${format}`;
    const agencies = [];
    for (const a of result.agencies) {
      const id = all.find((x) => x.code === a.code)!.id;
      // The applications' own link: the agency's staff open their request, a supervisor its read-only page.
      const link = id === staff.agencyId ? (rid: string) => `/staff/requests/${rid}` : maySupervise(staff, id, all) ? (rid: string) => `/staff/supervision/${a.code}/requests/${rid}` : null;
      const items = agency ? await runForAgency(id, () => this.reports.describeCellItems(a.items)) : [];
      agencies.push({
        ...a,
        href: `${base}&agency=${a.code}`,
        items: items.map((i) => ({ ...i, href: link ? link(i.id) : null })),
        next: agency && a.total > page * ROLLUP_CELL_PAGE_SIZE ? `${base}&agency=${a.code}&page=${page + 1}` : null,
        prev: agency && page > 1 ? `${base}&agency=${a.code}&page=${page - 1}` : null,
      });
    }
    res.render('rollups/cell', {
      title: `${target.node.name} ${year} 年 ${spec.label}`,
      node: target.node,
      year,
      format,
      rowLabel: [spec.group, spec.label].filter(Boolean).join(' '),
      columnLabel: column === 'total' ? '总计' : APPLICANT_TYPE_LABELS[column as ApplicantType],
      total: result.total,
      agencies,
      one: !!agency,
      back: agency ? base : `/staff/rollup/${target.node.code}/${year}?format=${format}`,
    });
  }

  @RequirePermission('reports.rollup')
  @Get(':code/:year/export/:type')
  async download(
    @Param('code') code: string,
    @Param('year') yearRaw: string,
    @Param('type') type: string,
    @Query('format') formatRaw: string,
    @CurrentStaff() staff: StaffPrincipal,
    @Res() res: Response,
  ): Promise<void> {
    const exportType = rollupExportType(type);
    const target = await this.access.readable(staff, code);
    const year = this.reports.parseYear(yearRaw);
    await sendRollupExport(res, await this.rollups.report(target, year, this.reports.parseFormat(formatRaw, year)), exportType);
  }

  /** One roll-up publication as frozen. */
  @RequirePermission('reports.rollup')
  @Get(':code/:year/publications/:number')
  async publication(@Param('code') code: string, @Param('year') yearRaw: string, @Param('number') numberRaw: string, @CurrentStaff() staff: StaffPrincipal, @Res() res: Response): Promise<void> {
    const target = await this.access.readable(staff, code);
    const year = this.reports.parseYear(yearRaw);
    const p: RollupReport & { number: number } = await this.publications.get(target, year, Number(numberRaw));
    res.render('rollups/publication', {
      title: `${target.node.name} ${year} 年度汇总报表 第 ${p.number} 次发布`,
      node: target.node,
      year,
      number: p.number,
      publishedAt: formatShanghaiDateTime(p.published!.publishedAt),
      publishedBy: p.published!.publishedBy,
      formatLabel: FORMAT_LABELS[p.format],
      reason: p.published!.reason,
      section3Title: SECTION3_TITLE,
      section4Title: SECTION4_TITLE,
      s3: gridToView(section3Grid(p.table3), () => null),
      s4: gridToView(section4Grid(p.table4), () => null),
      basis: [...Object.values(p.section3.basis), ...Object.values(p.section4.basis)],
      agencies: p.section3.agencies.map((a) => ({
        code: a.code,
        name: a.name,
        newReceived: a.rows.new_received.at(-1),
        concluded: a.rows.concluded_total.at(-1),
        carriedForward: a.rows.carried_to_next_year.at(-1),
      })),
    });
  }

  @RequirePermission('reports.publish')
  @Post(':code/:year/publish')
  async publish(@Param('code') code: string, @Param('year') yearRaw: string, @Body() raw: Record<string, unknown>, @CurrentStaff() staff: StaffPrincipal, @Res() res: Response): Promise<void> {
    const target = await this.access.publishable(staff, code);
    const year = this.reports.parseYear(yearRaw);
    const submissionToken = typeof raw.submissionToken === 'string' ? raw.submissionToken.slice(0, 100) : undefined;
    const body = cleanFormBody(raw);
    const format = this.reports.parseFormat(body.format, year);
    try {
      const checked = validateInput(PublishDto, body);
      if (checked.fields) throw new ValidationFailedError(checked.fields);
      const result = await this.idempotency.run(`form:rollup-publish:${staff.id}:${target.node.id}:${year}`, submissionToken, body, async () => ({
        status: 201,
        body: await this.publications.publish(target, year, format, { id: staff.id, displayName: staff.displayName }, checked.value.reason),
      }));
      res.redirect(303, `/staff/rollup/${target.node.code}/${year}?format=${format}&published=${result.body.number}`);
    } catch (e) {
      if (!(e instanceof DomainError) || e.code === 'NOT_FOUND') throw e;
      const publish = { message: e.message, errors: Object.values(e.fields), reason: typeof body.reason === 'string' ? body.reason : '' };
      res.status(statusOf(e)).render('rollups/rollup', await this.pageModel(staff, target.node.code, year, format, { publish }));
    }
  }
}
