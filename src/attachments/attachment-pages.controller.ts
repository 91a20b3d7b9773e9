import { Body, Controller, Get, Param, Post, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { staffActor } from '../auth/actor';
import { CurrentStaff } from '../auth/current-staff.decorator';
import { RequirePermission } from '../auth/permissions';
import { Public } from '../auth/public.decorator';
import type { StaffPrincipal } from '../auth/roles';
import { statusOf } from '../common/http-error.filter';
import { RateLimited } from '../common/rate-limit';
import { normaliseAccessCode, normaliseTrackingNumber } from '../domain/applicants';
import { DomainError } from '../domain/errors';
import { AttachmentDeliveryService } from './attachment-delivery.service';
import { drain, sendAttachment } from './attachment-http';
import { AttachmentsService } from './attachments.service';

/** Staff: the upload form, downloads, withdrawal and e-mail delivery on the request page. */
@ApiExcludeController()
@Controller('staff/requests/:id/attachments')
export class AttachmentPagesController {
  constructor(
    private readonly attachments: AttachmentsService,
    private readonly delivery: AttachmentDeliveryService,
  ) {}

  @RequirePermission('requests.process')
  @Post()
  async upload(@Param('id') id: string, @Req() req: Request, @CurrentStaff() staff: StaffPrincipal, @Res() res: Response): Promise<void> {
    try {
      await this.attachments.upload(id, req, staffActor(staff));
      res.redirect(303, `/staff/requests/${id}?done=attachment_added#attachments`);
    } catch (e) {
      drain(req);
      refused(res, id, e, '文件未上传');
    }
  }

  @RequirePermission('requests.process')
  @Post('email')
  async email(@Param('id') id: string, @Res() res: Response): Promise<void> {
    try {
      await this.delivery.sendByEmail(id);
      res.redirect(303, `/staff/requests/${id}?done=attachments_mailed#attachments`);
    } catch (e) {
      refused(res, id, e, '未能发送');
    }
  }

  @RequirePermission('requests.process')
  @Post(':attachmentId/withdraw')
  async withdraw(@Param('id') id: string, @Param('attachmentId') attachmentId: string, @CurrentStaff() staff: StaffPrincipal, @Res() res: Response): Promise<void> {
    try {
      await this.attachments.withdraw(id, attachmentId, staffActor(staff));
      res.redirect(303, `/staff/requests/${id}?done=attachment_withdrawn#attachments`);
    } catch (e) {
      refused(res, id, e, '文件未撤回');
    }
  }

  @RequirePermission('requests.view')
  @Get(':attachmentId')
  async download(@Param('id') id: string, @Param('attachmentId') attachmentId: string, @CurrentStaff() staff: StaffPrincipal, @Res() res: Response): Promise<void> {
    await sendAttachment(res, await this.attachments.openForStaff(id, attachmentId, staffActor(staff)));
  }
}

/** A refusal as a page with the reason and the way back; 404 and the rest go to the error filter. */
function refused(res: Response, id: string, e: unknown, title: string): void {
  if (!(e instanceof DomainError) || e.code === 'NOT_FOUND' || e.code === 'UNAUTHORIZED') throw e;
  const details = Object.values(e.fields).filter((f) => f !== e.message);
  res.status(statusOf(e)).render('attachments/refused', { title, message: e.message, details, backHref: `/staff/requests/${id}#attachments` });
}

/**
 * The applicant downloads from the status page: the access code travels in the POST body with the
 * CSRF token, never in a URL. Under the same per-number look-up limit as the status page.
 */
@ApiExcludeController()
@Public()
@Controller('status/attachments')
export class PublicAttachmentPagesController {
  constructor(private readonly delivery: AttachmentDeliveryService) {}

  @RateLimited('public', 'lookup')
  @Post(':attachmentId')
  async download(@Param('attachmentId') attachmentId: string, @Body() body: Record<string, unknown>, @Res() res: Response): Promise<void> {
    const trackingNumber = typeof body.trackingNumber === 'string' ? normaliseTrackingNumber(body.trackingNumber) : '';
    const accessCode = typeof body.accessCode === 'string' ? normaliseAccessCode(body.accessCode) : '';
    try {
      await sendAttachment(res, await this.delivery.openForApplicant(trackingNumber, accessCode, attachmentId));
    } catch (e) {
      if (e instanceof DomainError && e.code === 'NOT_FOUND') {
        res.status(404).render('public/status-lookup', { title: '查询申请进度', trackingNumber, message: '未找到该文件，请核对申请编号和查询码后重新查询。' });
        return;
      }
      throw e;
    }
  }
}
