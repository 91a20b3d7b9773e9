import { RequirePermission } from '../auth/permissions';
import { Body, Controller, Get, Headers, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { CurrentStaff } from '../auth/current-staff.decorator';
import { Public } from '../auth/public.decorator';
import { RateLimited } from '../common/rate-limit';
import type { StaffPrincipal } from '../auth/roles';
import { IdempotencyService } from '../common/idempotency.service';
import { AssignRequestDto, CreateRequestDto, ListRequestsQueryDto, PublicRequestDto, RecordEventDto, TransferRequestDto } from './dto/request.dto';
import { RequestTransferService } from './request-transfer.service';
import { AuthService } from '../auth/auth.service';
import { normaliseAccessCode, normaliseTrackingNumber } from '../domain/applicants';
import { ValidationFailedError } from '../domain/errors';
import { PublicStatusView, RequestDetailView } from './request-views';
import { RegisteredRequest } from './request-intake.service';
import { RequestIntakeService } from './request-intake.service';
import { RequestQueriesService } from './request-queries.service';
import { RequestStepsService } from './request-steps.service';
import { staffActor } from '../auth/actor';
import { LedgerExportQueryDto } from './dto/ledger-export.dto';
import { sendLedger } from './ledger-http';
import { LEDGER_MIME } from './ledger-writers';
import { RequestLedgerService } from './request-ledger.service';

@ApiTags('public')
@Controller('api/v1/public/requests')
export class PublicRequestsApiController {
  constructor(
    private readonly intake: RequestIntakeService,
    private readonly queries: RequestQueriesService,
    private readonly steps: RequestStepsService,
    private readonly idempotency: IdempotencyService,
  ) {}

  @Public()
  @RateLimited('public')
  @Post()
  @ApiHeader({ name: 'Idempotency-Key', required: false })
  async submit(@Body() body: PublicRequestDto, @Headers('idempotency-key') key: string | undefined, @Res({ passthrough: true }) res: Response) {
    const result = await this.idempotency.run('api:public-requests', key, body, async () => ({ status: 201, body: await this.intake.submitPublicRequest(body) }));
    res.status(result.status);
    return result.body;
  }

  @Public()
  @RateLimited('public', 'lookup')
  @Get(':trackingNumber')
  @ApiHeader({ name: 'X-Access-Code', required: true })
  lookup(@Param('trackingNumber') trackingNumber: string, @Headers('x-access-code') accessCode: string | undefined): Promise<PublicStatusView> {
    return this.queries.lookupPublic(normaliseTrackingNumber(trackingNumber), normaliseAccessCode(accessCode ?? ''));
  }

  /** D19: the applicant withdraws; a wrong code answers 404 exactly like the look-up, a concluded request 409. */
  @Public()
  @RateLimited('public', 'lookup')
  @Post(':trackingNumber/withdrawal')
  @ApiHeader({ name: 'X-Access-Code', required: true })
  @ApiHeader({ name: 'Idempotency-Key', required: false })
  async withdraw(
    @Param('trackingNumber') trackingNumber: string,
    @Headers('x-access-code') accessCode: string | undefined,
    @Headers('idempotency-key') key: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ): Promise<PublicStatusView> {
    const number = normaliseTrackingNumber(trackingNumber);
    const code = normaliseAccessCode(accessCode ?? '');
    // The code first: a replayed key must never answer for someone without it.
    await this.queries.lookupPublic(number, code);
    const result = await this.idempotency.run(`api:public-withdrawal:${number.toUpperCase()}`, key, {}, async () => ({
      status: 201,
      body: await this.steps.withdrawPublic(number, code),
    }));
    res.status(result.status);
    return result.body;
  }
}

@ApiTags('requests')
@ApiBearerAuth()
@Controller('api/v1/requests')
export class RequestsApiController {
  constructor(
    private readonly intake: RequestIntakeService,
    private readonly queries: RequestQueriesService,
    private readonly steps: RequestStepsService,
    private readonly idempotency: IdempotencyService,
    private readonly auth: AuthService,
    private readonly ledger: RequestLedgerService,
    private readonly transfers: RequestTransferService,
  ) {}

  @RequirePermission('requests.register')
  @Post()
  @ApiHeader({ name: 'Idempotency-Key', required: false })
  async register(
    @Body() body: CreateRequestDto,
    @CurrentStaff() staff: StaffPrincipal,
    @Headers('idempotency-key') key: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ): Promise<RegisteredRequest> {
    const result = await this.idempotency.run(`api:requests:${staff.id}`, key, body, async () => ({
      status: 201,
      body: await this.intake.registerRequest(body, staffActor(staff)),
    }));
    res.status(result.status);
    return result.body;
  }

  @RequirePermission('requests.view')
  @Get()
  list(@Query() query: ListRequestsQueryDto) {
    return this.queries.listRequests(query).then(({ items, total }) => ({ items, total }));
  }

  /**
   * The request ledger (依申请公开台账) of the applications received in `year`, as CSV or XLSX.
   * requests.view, like the list: it shows the same names and nothing more of the applicant.
   */
  @RequirePermission('requests.view')
  @Get('export')
  @ApiProduces(LEDGER_MIME.csv, LEDGER_MIME.xlsx)
  async exportLedger(@Query() query: LedgerExportQueryDto, @CurrentStaff() staff: StaffPrincipal, @Res() res: Response): Promise<void> {
    const { year, format = 'csv', ...filter } = query;
    await sendLedger(res, this.ledger, { query: { ...filter, year }, format, fileName: String(year), staffId: staff.id });
  }

  @RequirePermission('requests.view')
  @Get(':id')
  get(@Param('id') id: string, @CurrentStaff() staff: StaffPrincipal): Promise<RequestDetailView> {
    return this.queries.getRequest(id, { staff, via: 'api' });
  }

  @RequirePermission('requests.process')
  @Post(':id/assignment')
  @HttpCode(200)
  async assign(@Param('id') id: string, @Body() body: AssignRequestDto, @CurrentStaff() staff: StaffPrincipal): Promise<RequestDetailView> {
    const assignee = body.assigneeId ? await this.auth.findStaff(body.assigneeId) : null;
    if (body.assigneeId && !assignee) throw new ValidationFailedError({ assigneeId: '承办人无效。' });
    await this.steps.assignRequest(id, assignee ? { id: assignee.id, label: assignee.displayName } : null, staffActor(staff));
    return this.queries.getRequest(id, { staff, via: 'api' });
  }

  /** D23: forwards a submission awaiting confirmation to the right agency on this platform. */
  @RequirePermission('requests.confirm')
  @Post(':id/transfer')
  @HttpCode(200)
  async transfer(@Param('id') id: string, @Body() body: TransferRequestDto, @CurrentStaff() staff: StaffPrincipal): Promise<{ id: string; trackingNumber: string; agency: string; status: string }> {
    await this.transfers.transfer(id, body, staffActor(staff));
    // Now another agency's: answered from the row, not from this agency's detail view.
    const [row] = await this.transfers.summary(id);
    return row;
  }

  @RequirePermission('requests.view')
  @Post(':id/events')
  @HttpCode(201)
  recordEvent(@Param('id') id: string, @Body() body: RecordEventDto, @CurrentStaff() staff: StaffPrincipal): Promise<RequestDetailView> {
    return this.steps.recordEvent(id, body, staffActor(staff), { staff, via: 'api' });
  }
}
