import { Controller, Delete, Get, Headers, HttpCode, Param, Post, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiHeader, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { staffActor } from '../auth/actor';
import { CurrentStaff } from '../auth/current-staff.decorator';
import { RequirePermission } from '../auth/permissions';
import { Public } from '../auth/public.decorator';
import type { StaffPrincipal } from '../auth/roles';
import { RateLimited } from '../common/rate-limit';
import { normaliseAccessCode, normaliseTrackingNumber } from '../domain/applicants';
import { AttachmentDeliveryService } from './attachment-delivery.service';
import { drain, sendAttachment } from './attachment-http';
import { AttachmentView, PublicAttachmentView, UploadedAttachment } from './attachment-views';
import { AttachmentsService } from './attachments.service';

const UPLOAD_BODY = {
  schema: {
    type: 'object',
    required: ['file', 'kind', 'visibleToApplicant'],
    properties: {
      file: { type: 'string', format: 'binary', description: 'PDF、图片、Office 文档、OFD 或 ZIP；类型按内容判断' },
      title: { type: 'string', maxLength: 200, description: '缺省为文件名' },
      kind: { type: 'string', enum: ['reply', 'released', 'internal'] },
      visibleToApplicant: { type: 'string', enum: ['true', 'false'] },
    },
  },
};

@ApiTags('attachments')
@ApiBearerAuth()
@Controller('api/v1/requests/:id/attachments')
export class AttachmentsApiController {
  constructor(
    private readonly attachments: AttachmentsService,
    private readonly delivery: AttachmentDeliveryService,
  ) {}

  /** Uploads one file, streamed into the database; 413 over a size limit, 400 when its content is refused. Same permission as recording a reply. */
  @RequirePermission('requests.process')
  @Post()
  @HttpCode(201)
  @ApiConsumes('multipart/form-data')
  @ApiBody(UPLOAD_BODY)
  @ApiHeader({ name: 'Idempotency-Key', required: false })
  async upload(@Param('id') id: string, @Req() req: Request, @CurrentStaff() staff: StaffPrincipal, @Headers('idempotency-key') key: string | undefined): Promise<UploadedAttachment> {
    try {
      return await this.attachments.upload(id, req, staffActor(staff), key);
    } catch (e) {
      drain(req);
      throw e;
    }
  }

  @RequirePermission('requests.view')
  @Get()
  async list(@Param('id') id: string): Promise<{ items: AttachmentView[] }> {
    return { items: await this.attachments.list(id) };
  }

  /** Sends the reply and the visible files to the applicant's e-mail (through the outbox); `delivered` (email) is recorded when the SMTP server accepts it. */
  @RequirePermission('requests.process')
  @Post('email')
  @HttpCode(201)
  sendByEmail(@Param('id') id: string): Promise<{ attached: string[]; linked: string[] }> {
    return this.delivery.sendByEmail(id);
  }

  @RequirePermission('requests.view')
  @Get(':attachmentId')
  @ApiProduces('application/octet-stream')
  async download(@Param('id') id: string, @Param('attachmentId') attachmentId: string, @CurrentStaff() staff: StaffPrincipal, @Res() res: Response): Promise<void> {
    await sendAttachment(res, await this.attachments.openForStaff(id, attachmentId, staffActor(staff)));
  }

  /** Withdraws a file uploaded by mistake; 409 once the applicant has it. */
  @RequirePermission('requests.process')
  @Delete(':attachmentId')
  withdraw(@Param('id') id: string, @Param('attachmentId') attachmentId: string, @CurrentStaff() staff: StaffPrincipal): Promise<AttachmentView> {
    return this.attachments.withdraw(id, attachmentId, staffActor(staff));
  }
}

/** The applicant's files, with the access code; under the same per-number look-up limit as the status. */
@ApiTags('public')
@Controller('api/v1/public/requests/:trackingNumber/attachments')
export class PublicAttachmentsApiController {
  constructor(private readonly delivery: AttachmentDeliveryService) {}

  @Public()
  @RateLimited('public', 'lookup')
  @Get()
  @ApiHeader({ name: 'X-Access-Code', required: true })
  async list(@Param('trackingNumber') trackingNumber: string, @Headers('x-access-code') accessCode: string | undefined): Promise<{ items: PublicAttachmentView[] }> {
    return { items: await this.delivery.publicList(normaliseTrackingNumber(trackingNumber), normaliseAccessCode(accessCode ?? '')) };
  }

  /** The file; the first download of the reply records its delivery (D17, online). */
  @Public()
  @RateLimited('public', 'lookup')
  @Get(':attachmentId')
  @ApiHeader({ name: 'X-Access-Code', required: true })
  @ApiProduces('application/octet-stream')
  async download(
    @Param('trackingNumber') trackingNumber: string,
    @Param('attachmentId') attachmentId: string,
    @Headers('x-access-code') accessCode: string | undefined,
    @Res() res: Response,
  ): Promise<void> {
    await sendAttachment(res, await this.delivery.openForApplicant(normaliseTrackingNumber(trackingNumber), normaliseAccessCode(accessCode ?? ''), attachmentId));
  }
}
