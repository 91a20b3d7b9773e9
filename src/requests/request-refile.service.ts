import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AgenciesService } from '../agencies/agencies.service';
import { CalendarService } from '../calendar/calendar.service';
import { Clock } from '../common/clock';
import { validateInput } from '../common/validation';
import { isUniqueViolation } from '../common/db-errors';
import { ConflictError, InvalidTransitionError, ValidationFailedError } from '../domain/errors';
import { RequestRefileEntity } from './entities/request-refile.entity';
import { PublicRequestDto } from './dto/request.dto';
import { ApplicantEntity } from './entities/applicant.entity';
import { InformationRequestEntity } from './entities/information-request.entity';
import { PublicSubmission, RequestIntakeService } from './request-intake.service';
import { RequestStore } from './request-store';

/** What the status page offers after a referral reply naming an agency on this platform. */
export interface RefileOffer {
  agencyCode: string;
  agencyName: string;
  description: string;
}

/** The application already filed from a request's referral reply. */
export interface RefiledAs {
  trackingNumber: string;
  agencyName: string;
}

/**
 * D21, D23: after a concluded request's reply named another agency on this platform as holding
 * the information, the applicant refiles with it in one step from the status page: a new
 * application with its own number and access code, the applicant's data copied, the description
 * as the applicant confirms it, once per request (request_refile, keyed by the first request,
 * written in the new application's transaction). The first request is not changed.
 */
@Injectable()
export class RequestRefileService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly calendars: CalendarService,
    private readonly clock: Clock,
    private readonly store: RequestStore,
    private readonly agencies: AgenciesService,
    private readonly intake: RequestIntakeService,
  ) {}

  /** The application already refiled from this request, or null. */
  async refiledAs(request: InformationRequestEntity): Promise<RefiledAs | null> {
    const done = await this.dataSource.manager.findOneBy(RequestRefileEntity, { requestId: request.id });
    if (!done) return null;
    return { trackingNumber: done.refiledTrackingNumber, agencyName: (await this.agencies.byId(done.refiledAgencyId)).name };
  }

  /** What the status page shows of refiling: the application already refiled, or else the offer (each may be null). One look-up of request_refile. */
  async statusOf(request: InformationRequestEntity): Promise<{ refile: RefileOffer | null; refiled: RefiledAs | null }> {
    const refiled = await this.refiledAs(request);
    return { refiled, refile: refiled ? null : await this.offer(request) };
  }

  /** The offer for a request not yet refiled, or null (no agency of this platform named). */
  private async offer(request: InformationRequestEntity): Promise<RefileOffer | null> {
    if (request.status !== 'concluded') return null;
    const { state } = await this.store.currentState(this.dataSource.manager, request.id, await this.calendars.current(), this.clock.today());
    const code = state.referTo?.agencyCode;
    if (!code) return null;
    const agency = await this.agencies.byCode(code);
    if (!agency || agency.id === request.agencyId) return null;
    const applicant = await this.dataSource.manager.findOneBy(ApplicantEntity, { id: request.applicantId });
    if (!applicant || applicant.erasedAt) return null;
    return { agencyCode: agency.code, agencyName: agency.name, description: request.description };
  }

  /** Files the new application with the named agency (request found by its access code). */
  async refile(request: InformationRequestEntity, description: unknown): Promise<PublicSubmission & { agencyName: string }> {
    const { refiled, refile: offer } = await this.statusOf(request);
    if (refiled) throw this.already(refiled);
    if (!offer) throw new InvalidTransitionError('本申请的答复没有告知本平台上的其他机关，不能在此改向其他机关申请。');
    const applicant = await this.dataSource.manager.findOneByOrFail(ApplicantEntity, { id: request.applicantId });
    const text = typeof description === 'string' && description.trim() ? description : offer.description;
    const body = {
      agency: offer.agencyCode,
      description: text,
      deliveryMethod: request.deliveryMethod,
      applicant: Object.fromEntries(
        Object.entries({
          type: applicant.type,
          name: applicant.name,
          idDocumentType: applicant.idDocumentType,
          idDocumentNumber: applicant.idDocumentNumber,
          organisationCode: applicant.organisationCode,
          phone: applicant.phone,
          email: applicant.email,
          address: applicant.address,
        }).filter(([, v]) => v !== null && v !== undefined && v !== ''),
      ),
    };
    const checked = validateInput(PublicRequestDto, body);
    if (checked.fields) throw new ValidationFailedError(checked.fields);
    try {
      const submitted = await this.intake.submitPublicRequest(checked.value, async (m, fresh) => {
        await m.insert(RequestRefileEntity, {
          requestId: request.id,
          agencyId: request.agencyId,
          refiledRequestId: fresh.id,
          refiledTrackingNumber: fresh.trackingNumber,
          refiledAgencyId: fresh.agencyId,
          createdAt: this.clock.nowIso(),
        });
      });
      return { ...submitted, agencyName: offer.agencyName };
    } catch (e) {
      // Two attempts at once: the first request's row was written by the other; nothing of this one stays.
      if (isUniqueViolation(e)) {
        const other = await this.refiledAs(request);
        if (other) throw this.already(other);
      }
      throw e;
    }
  }

  private already(done: RefiledAs): ConflictError {
    return new ConflictError(`您已改向${done.agencyName}提出申请（编号 ${done.trackingNumber}），每份答复只能据此改向申请一次。如需查询进度，请使用新的申请编号和查询码。`);
  }
}
