import { Body, Controller, Get, Headers, Param, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { runForAgency } from '../agencies/agency-scope';
import { CurrentStaff } from '../auth/current-staff.decorator';
import { RequirePermission } from '../auth/permissions';
import type { StaffPrincipal } from '../auth/roles';
import { IdempotencyService } from '../common/idempotency.service';
import { NotFoundError } from '../domain/errors';
import { parsePageParam } from '../common/page-param';
import { PublishDto } from '../reports/dto/publish.dto';
import { ReportsService } from '../reports/reports.service';
import { ListRequestsQueryDto } from '../requests/dto/request.dto';
import { RequestQueriesService } from '../requests/request-queries.service';
import { rollupExportType, sendRollupExport } from './rollup-export-names';
import { RollupAccess, supervisingViewer } from './rollup-access';
import { RollupPublicationsService } from './rollup-publications.service';
import { RollupService } from './rollup.service';

/**
 * Several agencies on one platform (api-contract): an agency's own tables by its code, a node's
 * roll-up over its subtree, the agencies and applications behind a roll-up cell, and (supervisors)
 * the subtree's requests, read-only. Who may read which node: RollupAccess; out of reach is 404.
 */
@ApiTags('agencies')
@ApiBearerAuth()
@Controller('api/v1/agencies')
export class RollupsApiController {
  constructor(
    private readonly access: RollupAccess,
    private readonly rollups: RollupService,
    private readonly publications: RollupPublicationsService,
    private readonly reports: ReportsService,
    private readonly queries: RequestQueriesService,
    private readonly idempotency: IdempotencyService,
  ) {}

  /** That agency's own Section 3, exactly as its report officer reads GET /api/v1/reports/{year}/section3. */
  @RequirePermission('reports.rollup')
  @Get(':code/reports/:year/section3')
  async agencySection3(@Param('code') code: string, @Param('year') yearRaw: string, @CurrentStaff() staff: StaffPrincipal, @Query('format') formatRaw?: string) {
    const { node } = await this.access.readable(staff, code);
    const year = this.reports.parseYear(yearRaw);
    const format = this.reports.parseFormat(formatRaw, year);
    return runForAgency(node.id, async () => (await this.reports.compileSection3(year, format)).report);
  }

  @RequirePermission('reports.rollup')
  @Get(':code/reports/:year/section4')
  async agencySection4(@Param('code') code: string, @Param('year') yearRaw: string, @CurrentStaff() staff: StaffPrincipal) {
    const { node } = await this.access.readable(staff, code);
    const year = this.reports.parseYear(yearRaw);
    return runForAgency(node.id, async () => (await this.reports.compileSection4(year)).report);
  }

  /** The sum over the node and its descendants, with each agency's own rows. */
  @RequirePermission('reports.rollup')
  @Get(':code/rollup/:year/section3')
  async rollupSection3(@Param('code') code: string, @Param('year') yearRaw: string, @CurrentStaff() staff: StaffPrincipal, @Query('format') formatRaw?: string) {
    const target = await this.access.readable(staff, code);
    const year = this.reports.parseYear(yearRaw);
    return (await this.rollups.section3(target, year, this.reports.parseFormat(formatRaw, year))).report;
  }

  @RequirePermission('reports.rollup')
  @Get(':code/rollup/:year/section4')
  async rollupSection4(@Param('code') code: string, @Param('year') yearRaw: string, @CurrentStaff() staff: StaffPrincipal) {
    const target = await this.access.readable(staff, code);
    return (await this.rollups.section4(target, this.reports.parseYear(yearRaw))).report;
  }

  /** The agencies behind one roll-up cell, each with a page (50) of its applications; `agency` keeps one of them. */
  @RequirePermission('reports.rollup')
  @Get(':code/rollup/:year/section3/cells/:row/:column')
  @ApiQuery({ name: 'agency', required: false })
  async rollupCell(
    @Param('code') code: string,
    @Param('year') yearRaw: string,
    @Param('row') row: string,
    @Param('column') column: string,
    @CurrentStaff() staff: StaffPrincipal,
    @Query('format') formatRaw?: string,
    @Query('page') page?: string,
    @Query('agency') agency?: string,
  ) {
    const target = await this.access.readable(staff, code);
    const year = this.reports.parseYear(yearRaw);
    return this.rollups.section3Cell(target, year, this.reports.parseFormat(formatRaw, year), row, column, parsePageParam(page), agency || undefined);
  }

  /** csv, xlsx, docx or json of the roll-up, as an agency's report exports. */
  @RequirePermission('reports.rollup')
  @Get(':code/rollup/:year/export/:type')
  async rollupExport(
    @Param('code') code: string,
    @Param('year') yearRaw: string,
    @Param('type') type: string,
    @CurrentStaff() staff: StaffPrincipal,
    @Res() res: Response,
    @Query('format') formatRaw?: string,
  ): Promise<void> {
    const exportType = rollupExportType(type);
    const target = await this.access.readable(staff, code);
    const year = this.reports.parseYear(yearRaw);
    await sendRollupExport(res, await this.rollups.report(target, year, this.reports.parseFormat(formatRaw, year)), exportType);
  }

  /** A new numbered publication of the node's roll-up (D20); the node's own report officer or the root's. */
  @RequirePermission('reports.publish')
  @Post(':code/rollup/:year/publish')
  @ApiHeader({ name: 'Idempotency-Key', required: false })
  async publish(
    @Param('code') code: string,
    @Param('year') yearRaw: string,
    @Body() body: PublishDto,
    @CurrentStaff() staff: StaffPrincipal,
    @Headers('idempotency-key') key: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ) {
    const target = await this.access.publishable(staff, code);
    const year = this.reports.parseYear(yearRaw);
    const format = this.reports.parseFormat(body.format, year);
    const result = await this.idempotency.run(`api:rollup-publish:${staff.id}:${target.node.id}:${year}`, key, body, async () => ({
      status: 201,
      body: await this.publications.publish(target, year, format, { id: staff.id, displayName: staff.displayName }, body.reason),
    }));
    res.status(result.status);
    return result.body;
  }

  @RequirePermission('reports.rollup')
  @Get(':code/rollup/:year/publications')
  async publicationList(@Param('code') code: string, @Param('year') yearRaw: string, @CurrentStaff() staff: StaffPrincipal) {
    const target = await this.access.readable(staff, code);
    return { items: await this.publications.list(target.node.id, this.reports.parseYear(yearRaw)) };
  }

  /** One roll-up publication, frozen: its section3 and section4 shaped as the live roll-up. */
  @RequirePermission('reports.rollup')
  @Get(':code/rollup/:year/publications/:number')
  async publication(@Param('code') code: string, @Param('year') yearRaw: string, @Param('number') numberRaw: string, @CurrentStaff() staff: StaffPrincipal) {
    const target = await this.access.readable(staff, code);
    const p = await this.publications.get(target, this.reports.parseYear(yearRaw), Number(numberRaw));
    return { ...p.published, section3: p.section3, section4: p.section4 };
  }

  /** The roll-up now against one of its publications (`publication`, default the latest), as GET /api/v1/reports/{year}/diff; 404 while unpublished. */
  @RequirePermission('reports.rollup')
  @Get(':code/rollup/:year/diff')
  @ApiQuery({ name: 'publication', required: false })
  async diff(@Param('code') code: string, @Param('year') yearRaw: string, @CurrentStaff() staff: StaffPrincipal, @Query('publication') numberRaw?: string) {
    const target = await this.access.readable(staff, code);
    const diff = await this.publications.diff(target, this.reports.parseYear(yearRaw), numberRaw === undefined || numberRaw === '' ? undefined : Number(numberRaw));
    if (!diff) throw new NotFoundError('该年度汇总报表尚未发布。');
    return diff;
  }

  /** A supervised agency's requests (supervisor of a node above it, or the root's administrator): the list as its own staff read it, personal data masked. */
  @RequirePermission('supervision.view')
  @Get(':code/requests')
  async requests(@Param('code') code: string, @Query() query: ListRequestsQueryDto, @CurrentStaff() staff: StaffPrincipal) {
    const { node } = await this.access.supervised(staff, code);
    return runForAgency(node.id, () => this.queries.listRequests(query).then(({ items, total }) => ({ items, total })));
  }

  @RequirePermission('supervision.view')
  @Get(':code/requests/:id')
  async request(@Param('code') code: string, @Param('id') id: string, @CurrentStaff() staff: StaffPrincipal) {
    const { node } = await this.access.supervised(staff, code);
    return runForAgency(node.id, () => this.queries.getRequest(id, { staff: supervisingViewer(staff, node.id), via: 'api' }));
  }
}
