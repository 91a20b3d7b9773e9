import { Inject, Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { EntityManager } from 'typeorm';
import { currentAgencyId } from '../agencies/agency-scope';
import { AgenciesService } from '../agencies/agencies.service';
import { AgencyEntity, ROOT_AGENCY_ID } from '../agencies/entities/agency.entity';
import { Actor, PUBLIC_ACTOR } from '../auth/actor';
import { CalendarService } from '../calendar/calendar.service';
import { Clock } from '../common/clock';
import { UnitOfWork } from '../common/unit-of-work';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { article29Gaps } from '../domain/applicants';
import { IsoDate, WorkingCalendar, yearOf } from '../domain/calendar';
import { UnprocessableError, ValidationFailedError } from '../domain/errors';
import { applyEvent, computeDue, INITIAL_STATE, LifecycleEvent, replay, RequestState } from '../domain/lifecycle';
import { buildNotice, chineseDate, NO_REMEDY_BODIES } from '../domain/notices';
import type { LedgerRow } from '../import/ledger-import';
import { CreateRequestDto, PublicRequestDto } from './dto/request.dto';
import { ApplicantEntity } from './entities/applicant.entity';
import { RequestItemEntity } from './entities/request-item.entity';
import { IntakeDraft, IntakeWriter } from './intake-writer';
import { RequestNoticesService } from './request-notices.service';
import { RequestStore } from './request-store';
import { generateAccessCode } from './tracking-number';

export interface RegisteredRequest {
  id: string;
  trackingNumber: string;
  status: string;
  receivedOn: string | null;
  dueOn: string | null;
  dueIsProvisional: boolean;
}

export interface PublicSubmission {
  trackingNumber: string;
  accessCode: string;
  status: string;
}

/** New requests: registered by staff, filed online, or back-entered from a ledger. */
@Injectable()
export class RequestIntakeService {
  private readonly logger = new Logger('Requests');

  constructor(
    private readonly unitOfWork: UnitOfWork,
    private readonly calendars: CalendarService,
    private readonly clock: Clock,
    private readonly intake: IntakeWriter,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly notices: RequestNoticesService,
    private readonly store: RequestStore,
    private readonly agencies: AgenciesService,
  ) {}

  /** Staff registration of a request that arrived in person, by mail or by fax (Art. 31). */
  async registerRequest(dto: CreateRequestDto, actor: Actor): Promise<RegisteredRequest> {
    const calendar = await this.calendars.current();
    const today = this.clock.today();
    const first: LifecycleEvent = { type: 'registered', on: dto.receivedOn, data: { channel: dto.channel } };
    const agency = await this.agencies.byId(currentAgencyId());
    const draft = this.draftRequest(dto, first, actor, calendar, today, agency.id);
    const email = dto.applicant.email;
    if (email) {
      const state = applyEvent(INITIAL_STATE, first, { calendar, today, itemCount: 1 });
      const items = dto.items?.length ? dto.items.map((i) => i.description) : [dto.description];
      draft.mail = (trackingNumber) => {
        const source = this.notices.source({ ...draft.request, trackingNumber }, { name: dto.applicant.name }, items, state, first, calendar, NO_REMEDY_BODIES, agency.name);
        return this.notices.receiptMail(buildNotice('receipt', source), email, draft.request.id, draft.accessCode);
      };
    }
    const trackingNumber = await this.intake.write(draft);
    const { request } = draft;
    this.logger.log(`registered request ${request.id}`);
    return { id: request.id, trackingNumber, status: request.status, receivedOn: request.receivedOn, dueOn: request.dueOn, dueIsProvisional: request.dueIsProvisional };
  }

  /** Citizen filing: not yet received until staff confirm it (Art. 31). */
  async submitPublicRequest(dto: PublicRequestDto, alsoWrite?: (m: EntityManager, request: { id: string; agencyId: number; trackingNumber: string }) => Promise<void>): Promise<PublicSubmission> {
    const gaps = article29Gaps(dto.applicant);
    if (Object.keys(gaps).length) throw new ValidationFailedError(gaps);
    const calendar = await this.calendars.current();
    const today = this.clock.today();
    const agency = await this.filingAgency(dto.agency);
    const draft = this.draftRequest(dto, { type: 'submitted', on: today, data: { channel: 'online' } }, PUBLIC_ACTOR, calendar, today, agency.id);
    const email = dto.applicant.email;
    if (email) {
      draft.mail = (trackingNumber) => ({
        kind: 'acknowledgement',
        to: email,
        subject: `【${agency.name}】已收到您在网上提交的政府信息公开申请（${trackingNumber}）`,
        requestId: draft.request.id,
        context: { trackingNumber, accessCode: draft.accessCode, submittedOn: chineseDate(today), agencyName: agency.name },
      });
    }
    if (alsoWrite) draft.alsoWrite = (m, trackingNumber) => alsoWrite(m, { id: draft.request.id, agencyId: agency.id, trackingNumber });
    const trackingNumber = await this.intake.write(draft);
    this.logger.log(`public submission ${draft.request.id}`);
    return { trackingNumber, accessCode: draft.accessCode, status: draft.request.status };
  }

  /**
   * The agency a citizen files with: named by its code, required once the platform has more
   * than one agency (missing: 400 naming the field, as any required field; unknown: 422), the
   * root while it is the only one.
   */
  async filingAgency(code: string | undefined | null): Promise<AgencyEntity> {
    const given = typeof code === 'string' && code.trim() !== '';
    if (given) {
      const agency = await this.agencies.byCode(code);
      if (!agency) throw new UnprocessableError('所选机关不存在。', { agency: '所选机关不存在，请重新选择。' });
      return agency;
    }
    if ((await this.agencies.count()) > 1) throw new ValidationFailedError({ agency: '请选择受理申请的机关（行政机关）。' }, '请选择受理申请的机关。');
    return this.agencies.byId(ROOT_AGENCY_ID);
  }

  /** A new request from its first lifecycle event; written by the IntakeWriter. */
  private draftRequest(dto: PublicRequestDto & { channel?: string }, first: LifecycleEvent, actor: Actor, calendar: WorkingCalendar, today: IsoDate, agencyId: number): IntakeDraft {
    const items = dto.items?.length ? dto.items.map((i) => i.description) : [dto.description];
    const ctx = { calendar, today, itemCount: items.length };
    return this.newRequestDraft({
      applicant: dto.applicant,
      description: dto.description,
      deliveryMethod: dto.deliveryMethod ?? 'electronic',
      items: items.map((description) => ({ description, outcome: null })),
      events: [first],
      state: applyEvent(replay([], ctx), first, ctx),
      actor,
      calendar,
      today,
      agencyId,
    });
  }

  /** Every row of a new request: its applicant, the request with the state its events lead to, its items and events. */
  private newRequestDraft(p: {
    applicant: {
      type: string;
      name: string;
      idDocumentType?: string | null;
      idDocumentNumber?: string | null;
      organisationCode?: string | null;
      phone?: string | null;
      email?: string | null;
      address?: string | null;
    };
    description: string;
    deliveryMethod: string;
    items: Array<{ description: string; outcome: string | null }>;
    events: LifecycleEvent[];
    state: RequestState;
    actor: Actor;
    calendar: WorkingCalendar;
    today: IsoDate;
    agencyId: number;
  }): IntakeDraft {
    const due = computeDue(p.state, p.calendar, p.today);
    const now = this.clock.nowIso();
    const applicant = Object.assign(new ApplicantEntity(), {
      id: randomUUID(),
      type: p.applicant.type,
      name: p.applicant.name,
      idDocumentType: p.applicant.idDocumentType ?? (p.applicant.idDocumentNumber ? 'resident_id' : null),
      idDocumentNumber: p.applicant.idDocumentNumber ?? null,
      organisationCode: p.applicant.organisationCode ?? null,
      phone: p.applicant.phone ?? null,
      email: p.applicant.email ?? null,
      address: p.applicant.address ?? null,
      createdAt: now,
      erasedAt: null,
    });
    const requestId = randomUUID();
    return {
      year: yearOf(p.today),
      accessCode: generateAccessCode(),
      applicant,
      request: {
        id: requestId,
        agencyId: p.agencyId,
        applicantId: applicant.id,
        applicantType: applicant.type,
        channel: p.state.channel!,
        submittedAt: now,
        receivedOn: p.state.receivedOn,
        status: p.state.status!,
        description: p.description,
        deliveryMethod: p.deliveryMethod,
        dueOn: due.dueOn,
        dueIsProvisional: due.provisional,
        outcome: p.state.outcome,
        concludedOn: p.state.concludedOn,
        assigneeId: null,
        version: 1,
        createdAt: now,
        updatedAt: now,
      },
      items: p.items.map((item, position) => Object.assign(new RequestItemEntity(), { id: randomUUID(), requestId, position, ...item })),
      events: p.events.map((event, i) => this.store.eventRow(requestId, i + 1, event, p.actor)),
    };
  }

  /**
   * Back-entry of historical requests (D4): rows already validated, written in one transaction
   * with their full event history, so every number stays traceable. `within` runs in the same
   * transaction (the importer records what it wrote); a ledger import calls this once per chunk.
   */
  async importLedger(rows: LedgerRow[], actor: Actor, agencyId: number, within?: (m: EntityManager, written: Array<{ id: string; trackingNumber: string }>) => Promise<void>): Promise<string[]> {
    const calendar = await this.calendars.current();
    const today = this.clock.today();
    // A back-entered request is numbered in the year it was received (a 2025 receipt gets 2025-…).
    const drafts = rows.map((row) => ({
      ...this.newRequestDraft({
        applicant: row.applicant,
        description: row.description,
        deliveryMethod: row.deliveryMethod,
        items: [{ description: row.description, outcome: row.state.itemOutcomes?.[0] ?? null }],
        events: row.events,
        state: row.state,
        actor: { ...actor, label: `${actor.label}（批量补录，第 ${row.line} 行）` },
        calendar,
        today,
        agencyId,
      }),
      year: yearOf(row.state.receivedOn ?? today),
    }));
    return this.unitOfWork.run(async (m) => {
      const numbers = await this.intake.insertGroup(m, drafts);
      await within?.(
        m,
        drafts.map((d, i) => ({ id: d.request.id, trackingNumber: numbers[i] })),
      );
      return numbers;
    });
  }
}
