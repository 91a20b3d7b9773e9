import { AgenciesService } from '../agencies/agencies.service';
import { RequestTransferService } from '../requests/request-transfer.service';
import { statusOf } from '../common/http-error.filter';
import { can, RequirePermission } from '../auth/permissions';
import { attachmentConfirmation, attachmentsPanel } from '../attachments/attachment-views';
import { AttachmentsService } from '../attachments/attachments.service';
import { Body, Controller, Get, Inject, Param, Post, Query, Render, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { randomUUID } from 'node:crypto';
import { AuthService } from '../auth/auth.service';
import { CurrentStaff } from '../auth/current-staff.decorator';
import { Public } from '../auth/public.decorator';
import { RateLimited } from '../common/rate-limit';
import type { StaffPrincipal } from '../auth/roles';
import { SESSION_COOKIE } from '../auth/staff-auth.guard';
import { Clock } from '../common/clock';
import { dropCsrfToken } from '../common/csrf.middleware';
import { cleanFormBody, fieldMessagesBesides, toOptions } from '../common/form-options';
import { IdempotencyService } from '../common/idempotency.service';
import { validateInput } from '../common/validation';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { DomainError } from '../domain/errors';
import { APPLICANT_TYPE_LABELS, CHANNEL_LABELS, CONFIRMATION_WORKING_DAYS, OUTCOMES, outcomeLabel, STATUS_LABELS } from '../domain/lifecycle';
import { CreateRequestDto, ListRequestsQueryDto, RecordEventDto } from '../requests/dto/request.dto';
import { buildRequestForm, normaliseItems } from '../requests/request-form';
import { RegisteredRequest } from '../requests/request-intake.service';
import { RequestQueriesService } from '../requests/request-queries.service';
import { RequestNoticesService } from '../requests/request-notices.service';
import { RequestStepsService } from '../requests/request-steps.service';
import { RequestIntakeService } from '../requests/request-intake.service';
import { ApplicantPrivacyService } from '../requests/applicant-privacy.service';
import { staffActor } from '../auth/actor';
import { buildStepForms, formToEventBody, TypedStep } from './step-forms';
import { confirmationFor } from './step-confirmation';
import { DashboardService } from '../dashboard/dashboard.service';
import { MailWorker } from '../notifications/mail-worker';
import { formatShanghaiDateTime } from '../common/format';
import { dashboardView } from '../dashboard/dashboard-view';
import { isNoticeKind } from '../domain/notices';
import { NotFoundError, ValidationFailedError } from '../domain/errors';
import { LedgerFilterDto } from '../requests/dto/ledger-export.dto';
import { sendLedger } from '../requests/ledger-http';
import { RequestLedgerService } from '../requests/request-ledger.service';
import { AwaitingConfirmationService } from '../requests/awaiting-confirmation.service';

/** The home page lists this many lapsed requests at most; the daily digest lists them all. */
const LAPSED_SHOWN = 20;

function safeNext(next: unknown): string {
  return typeof next === 'string' && /^\/staff(\/[\w\-/?=&%.]*)?$/.test(next) ? next : '/staff';
}

@ApiExcludeController()
@Controller('staff')
export class StaffPagesController {
  constructor(
    private readonly auth: AuthService,
    private readonly queries: RequestQueriesService,
    private readonly requestNotices: RequestNoticesService,
    private readonly steps: RequestStepsService,
    private readonly intake: RequestIntakeService,
    private readonly privacy: ApplicantPrivacyService,
    private readonly idempotency: IdempotencyService,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly dashboardStats: DashboardService,
    private readonly mailWorker: MailWorker,
    private readonly ledger: RequestLedgerService,
    private readonly awaitingConfirmation: AwaitingConfirmationService,
    private readonly attachments: AttachmentsService,
    private readonly transfers: RequestTransferService,
    private readonly agencies: AgenciesService,
  ) {}

  /** D23: the transfer form's result; the request is then the other agency's, so the list is shown. */
  @RequirePermission('requests.confirm')
  @Post('requests/:id/transfer')
  async transfer(@Param('id') id: string, @Body() raw: Record<string, unknown>, @CurrentStaff() staff: StaffPrincipal, @Res() res: Response): Promise<void> {
    try {
      await this.transfers.transfer(id, { agency: raw.agency, note: raw.note }, staffActor(staff));
      const [moved] = await this.transfers.summary(id);
      const target = await this.agencies.byCode(moved.agency);
      res.redirect(303, `/staff/awaiting?transferred=${encodeURIComponent(moved.trackingNumber)}&to=${encodeURIComponent(target?.name ?? moved.agency)}`);
    } catch (e) {
      if (e instanceof DomainError && e.code !== 'NOT_FOUND' && e.code !== 'UNAUTHORIZED' && e.code !== 'FORBIDDEN') {
        res.status(statusOf(e)).render('staff/request-detail', await this.detailModel(id, staff, { message: e.message, fields: e.fields }));
        return;
      }
      throw e;
    }
  }

  @Public()
  @Get('login')
  @Render('staff/login')
  loginForm(@Query('next') next: string) {
    return { title: '工作人员登录', next: safeNext(next) };
  }

  @Public()
  @RateLimited('login')
  @Post('login')
  async login(@Body() body: Record<string, unknown>, @Req() req: Request, @Res() res: Response): Promise<void> {
    const username = typeof body.username === 'string' ? body.username.trim() : '';
    const password = typeof body.password === 'string' ? body.password : '';
    const next = safeNext(body.next);
    try {
      const principal = await this.auth.authenticate(username, password, req.ip);
      const session = await this.auth.createSession(principal, 'web');
      // The CSRF token belongs to the session: the one from before sign-in goes.
      dropCsrfToken(res);
      res.cookie(SESSION_COOKIE, session.token, {
        httpOnly: true,
        sameSite: 'lax',
        secure: req.secure,
        path: '/',
        maxAge: this.config.sessionHours * 3_600_000,
      });
      res.redirect(303, next);
    } catch (e) {
      if (e instanceof DomainError && e.code === 'UNAUTHORIZED') {
        res.status(401).render('staff/login', { title: '工作人员登录', username, next, message: e.message });
        return;
      }
      throw e;
    }
  }

  @RequirePermission('staff.self')
  @Post('logout')
  async logout(@Req() req: Request, @Res() res: Response): Promise<void> {
    const token = (req.cookies as Record<string, string>)[SESSION_COOKIE];
    if (token) await this.auth.revoke(token);
    res.clearCookie(SESSION_COOKIE, { path: '/' });
    dropCsrfToken(res);
    res.redirect(303, '/staff/login');
  }

  @RequirePermission('requests.view')
  @Get()
  @Render('staff/dashboard')
  async dashboard(@CurrentStaff() staff: StaffPrincipal, @Query('year') yearRaw?: string) {
    const thisYear = Number(this.clock.today().slice(0, 4));
    const year = /^\d{4}$/.test(yearRaw ?? '') && Number(yearRaw) <= thisYear ? Number(yearRaw) : thisYear;
    // Open, overdue and awaiting counts come with the stats; the queue is read without its count,
    // "mine" is only counted, and at most LAPSED_SHOWN lapsed requests are listed.
    const [queue, mine, dueSoon, lapsed, home, failedMail] = await Promise.all([
      this.queries.listRequests({ status: 'open' }, { total: false }),
      this.queries.listRequests({ status: 'open', assignee: staff.id }, { items: false }),
      this.queries.countDueSoon(),
      this.queries.findLapsed(LAPSED_SHOWN + 1),
      this.dashboardStats.homeStats(year),
      this.mailWorker.failedCount(),
    ]);
    const { stats, figuresAsOf } = home;
    return {
      title: '工作台',
      dashboard: dashboardView(stats),
      figuresAsOf: formatShanghaiDateTime(figuresAsOf),
      years: [thisYear, thisYear - 1, thisYear - 2].map((y) => ({ year: y, current: y === year })),
      queue: queue.items,
      queueTotal: stats.openNow,
      awaitingTotal: stats.awaitingConfirmation,
      awaitingLate: stats.awaitingConfirmationLate,
      confirmationWorkingDays: CONFIRMATION_WORKING_DAYS,
      overdueTotal: stats.overdueNow,
      mineTotal: mine.total,
      failedMail,
      dueSoonCount: dueSoon,
      lapsed: lapsed
        .slice(0, LAPSED_SHOWN)
        .map((l) => ({ ...l, label: l.kind === 'correction' ? '补正期限已过' : '缴费期限已过', action: l.kind === 'correction' ? '按逾期不补正办结' : '按逾期未缴费办结' })),
      lapsedMore: lapsed.length > LAPSED_SHOWN,
      today: this.clock.today(),
    };
  }

  @RequirePermission('requests.view')
  @Get('mail')
  @Render('staff/mail')
  async failedMail() {
    const rows = await this.mailWorker.failed();
    const ids = [...new Set(rows.map((r) => r.requestId).filter((x): x is string => !!x))];
    const trackingById = new Map((await this.queries.trackingNumbers(ids)).map((r) => [r.id, r.trackingNumber]));
    return {
      title: '发送失败的邮件',
      mails: rows.map((r) => ({
        requestId: r.requestId,
        trackingNumber: r.requestId ? (trackingById.get(r.requestId) ?? '') : '',
        recipient: r.recipient.replace(/^(.).*(@.*)$/, '$1***$2'),
        subject: r.subject,
        error: r.lastError,
        createdAt: formatShanghaiDateTime(r.createdAt),
      })),
    };
  }

  @RequirePermission('requests.view')
  @Get('requests/:id/notices/:kind')
  async notice(@Param('id') id: string, @Param('kind') kind: string, @Res() res: Response): Promise<void> {
    if (!isNoticeKind(kind)) throw new NotFoundError('没有这种文书。');
    const notice = await this.requestNotices.noticeFor(id, kind);
    res.render('notices/notice', { layout: 'layouts/print', title: `${notice.title} ${notice.trackingNumber}`, notice, backHref: `/staff/requests/${id}` });
  }

  @RequirePermission('requests.process')
  @Post('requests/:id/assign')
  async assign(@Param('id') id: string, @Body() body: Record<string, unknown>, @CurrentStaff() staff: StaffPrincipal, @Res() res: Response): Promise<void> {
    const assigneeId = typeof body.assigneeId === 'string' && body.assigneeId ? body.assigneeId : null;
    const assignee = assigneeId ? await this.auth.findStaff(assigneeId) : null;
    // Only accounts that may work a request (requests.process) can be its assignee.
    if (assigneeId && (!assignee || !can(assignee.roles, 'requests.process'))) throw new DomainError('VALIDATION_FAILED', '只能指定承办人员为承办人。', { assigneeId: '只能指定承办人员为承办人。' });
    await this.steps.assignRequest(id, assignee ? { id: assignee.id, label: assignee.displayName } : null, staffActor(staff));
    res.redirect(303, `/staff/requests/${id}?done=${assignee ? 'assigned' : 'unassigned'}`);
  }

  @RequirePermission('requests.view')
  @Get('requests')
  @Render('staff/requests')
  async list(@Query() raw: Record<string, string>, @CurrentStaff() staff: StaffPrincipal) {
    const input = cleanFormBody(raw, []);
    if (input.assignee === 'me') input.assignee = staff.id;
    const checked = validateInput(ListRequestsQueryDto, input);
    const query = checked.value ?? {};
    const result = await this.queries.listRequests(query);
    const pages = Math.max(1, Math.ceil(result.total / result.pageSize));
    const filter = Object.fromEntries(Object.entries(query).filter(([k, v]) => typeof v === 'string' && k !== 'page'));
    const params = (page: number) => new URLSearchParams({ ...filter, page: String(page) }).toString();
    // The export carries the list's filter as the user wrote it ("me", not an account id).
    const exportFilter = raw.assignee === 'me' && query.assignee === staff.id ? { ...filter, assignee: 'me' } : filter;
    const exportHref = (format: string) => `/staff/requests/export?${new URLSearchParams({ ...exportFilter, format }).toString()}`;
    return {
      title: '申请列表',
      result,
      query,
      errors: checked.fields ? Object.values(checked.fields) : [],
      statuses: toOptions({ open: '办理中（全部）', ...STATUS_LABELS }, query.status),
      channels: toOptions(CHANNEL_LABELS, query.channel),
      applicantTypes: toOptions(APPLICANT_TYPE_LABELS, query.applicantType),
      outcomes: toOptions(Object.fromEntries(OUTCOMES.map((o) => [o, outcomeLabel(o)])), query.outcome),
      assignees: toOptions({ none: '未指定', ...Object.fromEntries((await this.handlers()).map((u) => [u.id, u.displayName])) }, query.assignee),
      overdueOnly: query.overdue === 'true',
      pager: { page: result.page, pages, prev: result.page > 1 ? params(result.page - 1) : null, next: result.page < pages ? params(result.page + 1) : null },
      exportHref: { csv: exportHref('csv'), xlsx: exportHref('xlsx') },
    };
  }

  /** The ledger of what the list shows under the same filter, every page of it (requests.view, like the list). */
  @RequirePermission('requests.view')
  @Get('requests/export')
  async exportLedger(@Query() raw: Record<string, string>, @CurrentStaff() staff: StaffPrincipal, @Res() res: Response): Promise<void> {
    const input = cleanFormBody(raw, ['page']);
    if (input.assignee === 'me') input.assignee = staff.id;
    const checked = validateInput(LedgerFilterDto, input);
    if (checked.fields) throw new ValidationFailedError(checked.fields);
    const { format = 'csv', ...query } = checked.value;
    await sendLedger(res, this.ledger, { query, format, fileName: this.clock.today(), staffId: staff.id });
  }

  @RequirePermission('requests.view')
  @Get('awaiting')
  @Render('staff/awaiting')
  async awaiting(@Query('page') page?: string, @Query('done') done?: string, @Query('request') requestId?: string, @Query('transferred') transferred?: string, @Query('to') to?: string) {
    const result = await this.awaitingConfirmation.list(page);
    // The confirmation names the request by its stored number; an unknown id shows nothing.
    const confirmed = done && typeof requestId === 'string' ? await this.queries.getRequest(requestId).catch(() => null) : null;
    const sentence = confirmed ? confirmationFor(done, confirmed, null) : null;
    return {
      title: '待确认收到',
      notice: sentence
        ? `申请 ${confirmed!.trackingNumber}：${sentence}`
        : typeof transferred === 'string' && /^[0-9A-Z-]{1,20}$/.test(transferred)
          ? `申请 ${transferred} 已转送${typeof to === 'string' ? to.slice(0, 100) : '其他机关'}，并已通知申请人。`
          : null,
      ...result,
      confirmationWorkingDays: CONFIRMATION_WORKING_DAYS,
      pager: { page: result.page, pages: result.pages, prev: result.page > 1 ? result.page - 1 : null, next: result.page < result.pages ? result.page + 1 : null },
      today: this.clock.today(),
    };
  }

  @RequirePermission('requests.register')
  @Get('requests/new')
  @Render('staff/register')
  registerForm() {
    return { title: '登记申请', form: buildRequestForm({ receivedOn: this.clock.today(), channel: 'in_person' }), submissionToken: randomUUID() };
  }

  @RequirePermission('requests.register')
  @Post('requests')
  async register(@Body() raw: Record<string, unknown>, @CurrentStaff() staff: StaffPrincipal, @Res() res: Response): Promise<void> {
    const submissionToken = typeof raw.submissionToken === 'string' ? raw.submissionToken.slice(0, 100) : undefined;
    const body = normaliseItems(cleanFormBody(raw));
    const rerender = (fields: Record<string, string>, status: number, message?: string) =>
      res.status(status).render('staff/register', { title: '登记申请', form: buildRequestForm(body, fields), submissionToken: submissionToken ?? randomUUID(), message });
    const checked = validateInput(CreateRequestDto, body);
    if (checked.fields) return rerender(checked.fields, 400);
    try {
      const result = await this.idempotency.run<RegisteredRequest>(`form:requests:${staff.id}`, submissionToken, body, async () => ({
        status: 201,
        body: await this.intake.registerRequest(checked.value, staffActor(staff)),
      }));
      res.redirect(303, `/staff/requests/${result.body.id}?registered=1`);
    } catch (e) {
      if (e instanceof DomainError && e.code !== 'UNAUTHORIZED' && e.code !== 'FORBIDDEN') {
        return rerender(e.fields, statusOf(e), e.message);
      }
      throw e;
    }
  }

  @RequirePermission('requests.view')
  @Get('requests/:id')
  async detail(@Param('id') id: string, @Query('registered') registered: string, @Query('done') done: string, @CurrentStaff() staff: StaffPrincipal, @Res() res: Response): Promise<void> {
    res.render('staff/request-detail', await this.detailModel(id, staff, { notice: registered ? '申请已登记。' : null, done }));
  }

  /** Every other agency on the platform, in tree order. */
  private async transferTargets(staff: StaffPrincipal) {
    const own = (await this.agencies.byId(staff.agencyId)).code;
    return (await this.agencies.choices()).filter((a) => a.code !== own).map((a) => ({ ...a, indent: '　'.repeat(a.depth) }));
  }

  /** Accounts a request can be assigned to: those that may work it (requests.process). */
  private async handlers(): Promise<StaffPrincipal[]> {
    return (await this.auth.listStaff()).filter((u) => can(u.roles, 'requests.process'));
  }

  private async detailModel(
    id: string,
    staff: StaffPrincipal,
    extra: { notice?: string | null; done?: string; message?: string; fields?: Record<string, string>; failedType?: string; typed?: TypedStep },
  ) {
    const request = await this.queries.getRequest(id, { staff, via: 'page' });
    const [staffList, accessLog, attachments] = await Promise.all([this.auth.listStaff(), this.privacy.personalDataAccessLog(id), this.attachments.list(id)]);
    const assigneeName = staffList.find((u) => u.id === request.assigneeId)?.displayName ?? null;
    const { done, typed, ...rest } = extra;
    return {
      title: `申请 ${request.trackingNumber}`,
      request,
      assignees: toOptions(Object.fromEntries(staffList.filter((u) => can(u.roles, 'requests.process')).map((u) => [u.id, u.displayName])), request.assigneeId),
      assigneeName,
      // Assigning is processing work: the form is shown only to accounts that may submit it.
      mayAssign: can(staff.roles, 'requests.process'),
      accessLog: request.personalDataMasked ? [] : accessLog,
      // D23: a submission not yet confirmed may be forwarded to another agency on the platform.
      transferAgencies: request.status === 'awaiting_confirmation' && can(staff.roles, 'requests.confirm') ? await this.transferTargets(staff) : [],
      stepForms: buildStepForms(
        request.allowedEvents,
        request.items,
        this.clock.today(),
        staff.roles,
        typed,
        request.allowedEvents.includes('decided') ? Object.fromEntries((await this.transferTargets(staff)).map((a) => [a.code, a.name])) : {},
      ),
      ...rest,
      notice: rest.notice ?? confirmationFor(done, request, assigneeName) ?? attachmentConfirmation(done, attachments),
      attachments: attachmentsPanel(attachments, request, staff.roles),
      fieldErrors: fieldMessagesBesides(extra.message ?? '', extra.fields),
    };
  }

  @RequirePermission('requests.view')
  @Post('requests/:id/events')
  async recordEvent(@Param('id') id: string, @Body() raw: Record<string, unknown>, @CurrentStaff() staff: StaffPrincipal, @Res() res: Response): Promise<void> {
    const body = formToEventBody(cleanFormBody(raw));
    const back = typeof raw.back === 'string' && raw.back === 'awaiting' ? '/staff/awaiting' : `/staff/requests/${id}`;
    delete body.back;
    const checked = validateInput(RecordEventDto, body);
    try {
      if (checked.fields) throw new DomainError('VALIDATION_FAILED', '提交的内容有误。', checked.fields);
      await this.steps.recordEvent(id, checked.value, staffActor(staff));
      res.redirect(303, `${back}?done=${checked.value.type}${back === '/staff/awaiting' ? `&request=${encodeURIComponent(id)}` : ''}`);
    } catch (e) {
      if (e instanceof DomainError && e.code !== 'NOT_FOUND' && e.code !== 'UNAUTHORIZED') {
        const failedType = typeof body.type === 'string' ? body.type : '';
        const typed = { type: failedType, values: raw };
        res.status(statusOf(e)).render('staff/request-detail', await this.detailModel(id, staff, { message: e.message, fields: e.fields, failedType, typed }));
        return;
      }
      throw e;
    }
  }
}
