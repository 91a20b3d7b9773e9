import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AgenciesService } from '../agencies/agencies.service';
import { CalendarService } from '../calendar/calendar.service';
import { Clock } from '../common/clock';
import { validateInput } from '../common/validation';
import { InvalidTransitionError, ValidationFailedError } from '../domain/errors';
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

/**
 * D21, D23: after a concluded request's reply named another agency on this platform as holding
 * the information, the applicant refiles with it in one step from the status page: a new
 * application with its own number and access code, the applicant's data copied, the description
 * as the applicant confirms it. The first request is not changed.
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

  /** The offer for a request already found by its access code, or null. */
  async offerFor(request: InformationRequestEntity): Promise<RefileOffer | null> {
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
    const offer = await this.offerFor(request);
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
    return { ...(await this.intake.submitPublicRequest(checked.value)), agencyName: offer.agencyName };
  }
}
