import { statusOf } from '../common/http-error.filter';
import { RefiledAs, RefileOffer, RequestRefileService } from '../requests/request-refile.service';
import { AgenciesService } from '../agencies/agencies.service';
import { Body, Controller, Get, Param, Post, Query, Render, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { randomUUID } from 'node:crypto';
import { Public } from '../auth/public.decorator';
import { AttachmentDeliveryService } from '../attachments/attachment-delivery.service';
import type { PublicAttachmentView } from '../attachments/attachment-views';
import { RateLimited } from '../common/rate-limit';
import { cleanFormBody } from '../common/form-options';
import { IdempotencyMismatchError, IdempotencyService } from '../common/idempotency.service';
import { validateInput } from '../common/validation';
import { normaliseAccessCode, normaliseTrackingNumber } from '../domain/applicants';
import { DomainError, NotFoundError, ValidationFailedError } from '../domain/errors';
import { PublicRequestDto } from '../requests/dto/request.dto';
import { buildRequestForm, normaliseItems } from '../requests/request-form';
import { PublicSubmission } from '../requests/request-intake.service';
import { RequestIntakeService } from '../requests/request-intake.service';
import { RequestQueriesService } from '../requests/request-queries.service';
import { RequestStepsService } from '../requests/request-steps.service';
import type { PublicStatusView } from '../requests/request-views';
import type { InformationRequestEntity } from '../requests/entities/information-request.entity';
import { chineseDate } from '../domain/notices';

@ApiExcludeController()
@Public()
@Controller()
export class PublicPagesController {
  constructor(
    private readonly intake: RequestIntakeService,
    private readonly queries: RequestQueriesService,
    private readonly steps: RequestStepsService,
    private readonly idempotency: IdempotencyService,
    private readonly delivery: AttachmentDeliveryService,
    private readonly agencies: AgenciesService,
    private readonly refiles: RequestRefileService,
  ) {}

  @Get()
  @Render('public/apply')
  async applyForm() {
    return { title: '政府信息公开申请', form: buildRequestForm(), submissionToken: randomUUID(), ...(await this.agencyChooser(null, null)) };
  }

  /** D22: an agency's own link (for its website): the filing page with the agency fixed; an unknown code 404. */
  @Get('a/:code')
  @Render('public/apply')
  async applyToAgency(@Param('code') code: string) {
    const agency = await this.agencies.byCode(code);
    if (!agency) throw new NotFoundError('未找到该机关。');
    // The header names the agency the citizen files with, not the platform's root.
    return { title: `向${agency.name}申请政府信息公开`, form: buildRequestForm(), submissionToken: randomUUID(), ...(await this.agencyChooser(agency.code, null, true)) };
  }

  /** The agency chooser of the filing page: shown only when the platform has more than one agency. */
  private async agencyChooser(code: string | null, error: string | null, fixed = false) {
    if (fixed && code) {
      const agency = await this.agencies.byCode(code);
      if (agency) return { fixedAgency: { code: agency.code, name: agency.name }, agencyName: agency.name };
    }
    if ((await this.agencies.count()) <= 1) return {};
    return { agencyGroups: await this.agencies.filingGroups(code), agencyError: error };
  }

  @RateLimited('public')
  @Post('apply')
  async apply(@Body() raw: Record<string, unknown>, @Res() res: Response): Promise<void> {
    const submissionToken = typeof raw.submissionToken === 'string' ? raw.submissionToken.slice(0, 100) : undefined;
    const body = normaliseItems(cleanFormBody(raw, ['_csrf', 'submissionToken', 'agencyFixed']));
    const agencyCode = typeof body.agency === 'string' ? body.agency : null;
    const rerender = async (fields: Record<string, string>, message?: string, token = submissionToken, status = 400) =>
      res.status(status).render('public/apply', {
        title: '政府信息公开申请',
        form: buildRequestForm(body, fields),
        submissionToken: token ?? randomUUID(),
        message,
        ...(await this.agencyChooser(agencyCode, fields.agency ?? null, raw.agencyFixed === '1')),
      });
    const checked = validateInput(PublicRequestDto, body);
    if (checked.fields) return rerender(checked.fields);
    try {
      // A double-clicked submit button, or Back and submit again, carries the same token: one
      // request. The same filing is the same normalised content ("138 1234 5678" = "13812345678").
      const result = await this.idempotency.run<PublicSubmission>('form:public-requests', submissionToken, checked.value, async () => ({
        status: 201,
        body: await this.intake.submitPublicRequest(checked.value),
      }));
      const agency = await this.intake.filingAgency(checked.value.agency);
      res.status(201).render('public/filed', { title: '申请已提交', ...result.body, repeated: result.replayed, filedWith: agency.name, agencyName: agency.name });
    } catch (e) {
      if (e instanceof ValidationFailedError) return rerender(e.fields);
      if (e instanceof DomainError && e.code === 'UNPROCESSABLE') {
        // The agency chooser shows its own error beside the select: one box, not a second one above the form.
        const atChooser = Object.keys(e.fields).length === 1 && 'agency' in e.fields && raw.agencyFixed !== '1';
        return rerender(e.fields, atChooser ? undefined : e.message, submissionToken, 422);
      }
      if (e instanceof IdempotencyMismatchError && submissionToken) {
        // The form was sent before with other content (Back, edit, submit): say so in plain words,
        // keep what was typed, and give a new token so that a second application can be filed on purpose.
        const first = await this.idempotency.firstResponse<PublicSubmission>('form:public-requests', submissionToken);
        const earlier = first ? `（申请编号 ${first.trackingNumber}）` : '';
        return rerender(
          {},
          `这份申请表刚才已经提交过${earlier}，您修改后的内容没有提交。如果要另外提出一份新的申请，请核对下面的内容后再点一次“提交申请”；如果只想查看已提交申请的进度，请使用“查询申请进度”。`,
          randomUUID(),
        );
      }
      if (e instanceof DomainError && e.code === 'CONFLICT') return rerender({}, e.message);
      throw e;
    }
  }

  @Get('status')
  @Render('public/status-lookup')
  statusForm(@Query('trackingNumber') trackingNumber?: string) {
    // Prefilled from the link on the filing confirmation; only a well-formed number is echoed.
    const tn = typeof trackingNumber === 'string' && /^[0-9A-Za-z-]{1,20}$/.test(trackingNumber) ? trackingNumber : '';
    return { title: '查询申请进度', trackingNumber: tn };
  }

  @RateLimited('public', 'lookup')
  @Post('status')
  async status(@Body() body: Record<string, unknown>, @Res() res: Response): Promise<void> {
    const trackingNumber = typeof body.trackingNumber === 'string' ? normaliseTrackingNumber(body.trackingNumber) : '';
    const accessCode = typeof body.accessCode === 'string' ? normaliseAccessCode(body.accessCode) : '';
    try {
      const request = await this.queries.findByAccessCode(trackingNumber, accessCode);
      const { refile, refiled } = await this.refiles.statusOf(request);
      renderStatus(res, 200, await this.queries.publicStatus(request), accessCode, {
        ...(await this.agencyOf(request)),
        attachments: await this.delivery.visibleFor(request),
        refile,
        refiled,
        submissionToken: refile ? randomUUID() : undefined,
      });
    } catch (e) {
      if (e instanceof DomainError && e.code === 'NOT_FOUND') {
        res.status(404).render('public/status-lookup', { title: '查询申请进度', trackingNumber, message: e.message });
        return;
      }
      throw e;
    }
  }

  /** The request's agency (its name also heads the page) and its transfers, dates in 年月日. */
  private async agencyOf(request: InformationRequestEntity): Promise<StatusAgency> {
    const transfers = await this.queries.transfersOf(request.id);
    const agencyName = (await this.agencies.byId(request.agencyId)).name;
    return { agencyName, agencyWord: (await this.agencies.count()) > 1 ? agencyName : '本机关', transfers: transfers.map((t) => ({ ...t, on: chineseDate(t.on) })) };
  }

  /**
   * D21, D23: after a referral reply naming an agency on this platform, the applicant refiles with
   * it in one step: the number and access code prove who asks; the description may be edited.
   */
  @RateLimited('public', 'lookup')
  @Post('status/refile')
  async refile(@Body() body: Record<string, unknown>, @Res() res: Response): Promise<void> {
    const trackingNumber = typeof body.trackingNumber === 'string' ? normaliseTrackingNumber(body.trackingNumber) : '';
    const accessCode = typeof body.accessCode === 'string' ? normaliseAccessCode(body.accessCode) : '';
    const submissionToken = typeof body.submissionToken === 'string' ? body.submissionToken.slice(0, 100) : undefined;
    try {
      const request = await this.queries.findByAccessCode(trackingNumber, accessCode);
      try {
        const result = await this.idempotency.run<PublicSubmission & { agencyName: string }>('form:public-refile', submissionToken, { trackingNumber, description: body.description ?? null }, async () => ({
          status: 201,
          body: await this.refiles.refile(request, body.description),
        }));
        res.status(201).render('public/filed', { title: '申请已提交', ...result.body, filedWith: result.body.agencyName, agencyName: result.body.agencyName, repeated: result.replayed, refiledFrom: trackingNumber });
      } catch (e) {
        if (!(e instanceof DomainError) || e.code === 'NOT_FOUND') throw e;
        const { refile, refiled } = await this.refiles.statusOf(request);
        renderStatus(res, statusOf(e), await this.queries.publicStatus(request), accessCode, {
          ...(await this.agencyOf(request)),
          error: Object.values(e.fields).length ? `${e.message}${Object.values(e.fields).join('')}` : e.message,
          refile: refile ? { ...refile, description: typeof body.description === 'string' ? body.description : refile.description } : null,
          refiled,
          submissionToken: randomUUID(),
        });
      }
    } catch (e) {
      if (e instanceof DomainError && e.code === 'NOT_FOUND') {
        res.status(404).render('public/status-lookup', { title: '查询申请进度', trackingNumber, message: e.message });
        return;
      }
      throw e;
    }
  }

  /**
   * D19: the applicant withdraws from the status page. The first post asks for confirmation, the
   * second (confirm=yes) withdraws. The access code travels in the POST body with the CSRF token,
   * never in a URL; the pages that carry it are not cached.
   */
  @RateLimited('public', 'lookup')
  @Post('status/withdraw')
  async withdraw(@Body() body: Record<string, unknown>, @Res() res: Response): Promise<void> {
    const trackingNumber = typeof body.trackingNumber === 'string' ? normaliseTrackingNumber(body.trackingNumber) : '';
    const accessCode = typeof body.accessCode === 'string' ? normaliseAccessCode(body.accessCode) : '';
    try {
      if (body.confirm !== 'yes') {
        const request = await this.queries.findByAccessCode(trackingNumber, accessCode);
        const status = await this.queries.publicStatus(request);
        renderStatus(res, 200, status, accessCode, { ...(await this.agencyOf(request)), confirmWithdrawal: status.canWithdraw });
        return;
      }
      const status = await this.steps.withdrawPublic(trackingNumber, accessCode);
      const agency = await this.agencyOf(await this.queries.findByAccessCode(trackingNumber, accessCode));
      const message = status.withdrawal?.beforeReceipt
        ? `您已撤回本申请。${agency.agencyWord}尚未确认收到该申请，撤回后不再办理，也不计入政府信息公开申请的统计。`
        : `您已撤回本申请。${agency.agencyWord}终止办理，不再作出答复。`;
      renderStatus(res, 200, status, accessCode, { ...agency, message });
    } catch (e) {
      if (e instanceof DomainError && e.code === 'NOT_FOUND') {
        res.status(404).render('public/status-lookup', { title: '查询申请进度', trackingNumber, message: e.message });
        return;
      }
      if (e instanceof DomainError && (e.code === 'INVALID_TRANSITION' || e.code === 'CONFLICT')) {
        const request = await this.queries.findByAccessCode(trackingNumber, accessCode);
        renderStatus(res, 409, await this.queries.publicStatus(request), accessCode, { ...(await this.agencyOf(request)), error: e.message });
        return;
      }
      throw e;
    }
  }
}

/** D22, D23: on the status page, the agency that handles the request and the transfers that brought it there. */
interface StatusAgency {
  agencyName: string;
  /** How the page's sentences name it: 本机关 while the platform has one agency, else its name. */
  agencyWord: string;
  transfers: Array<{ on: string; from: string; to: string }>;
}

/** The status page; it carries the access code in its withdrawal form, so no cache may keep it. */
function renderStatus(
  res: Response,
  code: number,
  status: PublicStatusView,
  accessCode: string,
  extra: StatusAgency & {
    confirmWithdrawal?: boolean; message?: string; error?: string; attachments?: PublicAttachmentView[]; refile?: RefileOffer | null; refiled?: RefiledAs | null;
    submissionToken?: string;
  },
): void {
  res.setHeader('Cache-Control', 'no-store');
  res.status(code).render('public/status', {
    title: '申请进度',
    status,
    accessCode,
    withdrawNote:
      status.status === 'awaiting_confirmation'
        ? `${extra.agencyWord}尚未确认收到您的申请。撤回后，本申请不再办理，也不计入${extra.agencyWord === '本机关' ? '本机关' : '该机关'}政府信息公开申请的统计。`
        : `${extra.agencyWord}已收到您的申请并正在办理。撤回后，${extra.agencyWord === '本机关' ? '本机关' : '该机关'}将终止办理，不再作出答复（按“其他处理”办结）。`,
    ...extra,
  });
}
