import { Body, Controller, Get, Param, Post, Query, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { runForAgency } from '../agencies/agency-scope';
import { AgenciesService } from '../agencies/agencies.service';
import { CurrentStaff } from '../auth/current-staff.decorator';
import { maySupervise, RollupAccess, supervisingViewer } from '../rollups/rollup-access';
import { RequirePermission } from '../auth/permissions';
import type { StaffPrincipal } from '../auth/roles';
import { Clock } from '../common/clock';
import { statusOf } from '../common/http-error.filter';
import { parsePageParam } from '../common/page-param';
import { DomainError } from '../domain/errors';
import { DUE_SOON_WORKING_DAYS } from '../domain/lifecycle/watch-lists';
import { ListRequestsQueryDto } from '../requests/dto/request.dto';
import { RequestQueriesService } from '../requests/request-queries.service';
import { ReportsService } from '../reports/reports.service';
import { percent } from '../rollups/rollup-view';
import { RollupService } from '../rollups/rollup.service';
import { SupervisionService } from './supervision.service';

/** Bars in 5% steps (classes w0 … w100 in app.css: the CSP allows no inline style). */
const step = (share: number) => Math.round(Math.max(0, Math.min(1, share)) * 20) * 5;

/** The 督办 pages: the subtree's agencies ranked, a supervision note, and the subtree's requests read-only. */
@ApiExcludeController()
@Controller('staff/supervision')
export class SupervisionPagesController {
  constructor(
    private readonly access: RollupAccess,
    private readonly supervision: SupervisionService,
    private readonly rollups: RollupService,
    private readonly reports: ReportsService,
    private readonly queries: RequestQueriesService,
    private readonly agencies: AgenciesService,
    private readonly clock: Clock,
  ) {}

  @RequirePermission('supervision.view')
  @Get()
  async page(@Query('node') node: string, @Query('year') yearRaw: string, @Query('sent') sent: string, @CurrentStaff() staff: StaffPrincipal, @Res() res: Response): Promise<void> {
    res.render('supervision/overview', await this.model(staff, node, yearRaw, { notice: sent ? `督办意见已发送：${sent}` : null }));
  }

  private async model(staff: StaffPrincipal, node: string | undefined, yearRaw: string | undefined, extra: { notice?: string | null; error?: string | null; request?: string; note?: string }) {
    const target = await this.access.supervised(staff, node || undefined);
    const thisYear = Number(this.clock.today().slice(0, 4));
    const year = yearRaw ? this.reports.parseYear(yearRaw) : thisYear;
    const { lines, dueSoonBy } = await this.supervision.overview(target, year, await this.rollups.agencySet(target.subtree, target.platformSize));
    const maxOverdue = Math.max(1, ...lines.map((l) => l.overdueNow));
    const all = await this.agencies.all();
    return {
      title: `督办：${target.node.name}`,
      node: target.node,
      year,
      dueSoonBy,
      dueSoonDays: DUE_SOON_WORKING_DAYS,
      notice: extra.notice ?? null,
      error: extra.error ?? null,
      request: extra.request ?? '',
      note: extra.note ?? '',
      years: Array.from({ length: 5 }, (_, i) => thisYear - i).map((y) => ({ year: y, current: y === year, href: `/staff/supervision?node=${target.node.code}&year=${y}` })),
      nodes: all.filter((a) => maySupervise(staff, a.id, all)).map((a) => ({ code: a.code, name: a.name, current: a.id === target.node.id, href: `/staff/supervision?node=${a.code}&year=${year}` })),
      lines: lines.map((l, i) => ({
        ...l,
        rank: i + 1,
        overdueBar: step(l.overdueNow / maxOverdue),
        onTime: percent(l.onTimeShare),
        onTimeBar: l.onTimeShare === null ? 0 : step(l.onTimeShare),
        median: l.medianWorkingDays === null ? '—' : `${l.medianWorkingDays} 个工作日`,
        listHref: `/staff/supervision/${l.code}/requests?status=open&overdue=true`,
        soonHref: `/staff/supervision/${l.code}/requests?status=open&dueBefore=${dueSoonBy}`,
      })),
    };
  }

  /** 督办意见 by the form: the request by its tracking number, within the subtree. */
  @RequirePermission('supervision.note')
  @Post('notes')
  async note(@Body() body: Record<string, unknown>, @CurrentStaff() staff: StaffPrincipal, @Res() res: Response): Promise<void> {
    const node = typeof body.node === 'string' ? body.node : undefined;
    const request = typeof body.request === 'string' ? body.request : '';
    try {
      const target = await this.access.supervised(staff, node);
      const sent = await this.supervision.sendNote(target, staff, request, body.note);
      const back =
        typeof body.back === 'string' && body.back === 'request'
          ? `/staff/supervision/${sent.agencyCode}/requests/${sent.requestId}?sent=1`
          : `/staff/supervision?node=${target.node.code}&sent=${encodeURIComponent(sent.trackingNumber)}`;
      res.redirect(303, back);
    } catch (e) {
      if (!(e instanceof DomainError)) throw e;
      const message = [e.message, ...Object.values(e.fields ?? {})].join(' ');
      res.status(statusOf(e)).render('supervision/overview', await this.model(staff, node, undefined, { error: message, request, note: typeof body.note === 'string' ? body.note : '' }));
    }
  }

  /** A supervised agency's list, as its own staff filter it; personal data masked. */
  @RequirePermission('supervision.view')
  @Get(':code/requests')
  async list(@Param('code') code: string, @Query() raw: Record<string, string>, @CurrentStaff() staff: StaffPrincipal, @Res() res: Response): Promise<void> {
    const { node } = await this.access.supervised(staff, code);
    const query = Object.assign(new ListRequestsQueryDto(), {
      status: raw.status || undefined,
      overdue: raw.overdue || undefined,
      dueBefore: raw.dueBefore || undefined,
      page: String(parsePageParam(raw.page)),
    });
    const result = await runForAgency(node.id, () => this.queries.listRequests(query));
    const q = new URLSearchParams(Object.entries({ status: raw.status ?? '', overdue: raw.overdue ?? '', dueBefore: raw.dueBefore ?? '' }).filter(([, v]) => v)).toString();
    res.render('supervision/requests', {
      title: `${node.name} 的申请`,
      node,
      items: result.items.map((i) => ({ ...i, href: `/staff/supervision/${node.code}/requests/${i.id}` })),
      total: result.total,
      next: result.total > result.page * result.pageSize ? `?${q}&page=${result.page + 1}` : null,
      prev: result.page > 1 ? `?${q}&page=${result.page - 1}` : null,
    });
  }

  /** One request of the subtree, read-only, with the note form. */
  @RequirePermission('supervision.view')
  @Get(':code/requests/:id')
  async detail(@Param('code') code: string, @Param('id') id: string, @Query('sent') sent: string, @CurrentStaff() staff: StaffPrincipal, @Res() res: Response): Promise<void> {
    const { node } = await this.access.supervised(staff, code);
    const request = await runForAgency(node.id, () => this.queries.getRequest(id, { staff: supervisingViewer(staff, node.id), via: 'page' }));
    res.render('supervision/request', {
      title: `申请 ${request.trackingNumber}（${node.name}）`,
      node,
      request,
      notice: sent ? '督办意见已发送，已记入办理记录，并将在该机关的每日提醒中送达。' : null,
    });
  }
}
