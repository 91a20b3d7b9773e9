import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { StaffPrincipal } from '../auth/roles';
import { CalendarService } from '../calendar/calendar.service';
import { Clock } from '../common/clock';
import { isUniqueViolation } from '../common/db-errors';
import { maskTail } from '../common/masking';
import { UnitOfWork } from '../common/unit-of-work';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { IsoDate, WorkingCalendar, yearOf } from '../domain/calendar';
import { ConflictError, NotFoundError, ValidationFailedError } from '../domain/errors';
import {
  allowedSteps,
  applyEvent,
  APPLICANT_TYPES,
  computeDue,
  DueResult,
  EVENT_BASIS,
  LifecycleEvent,
  replay,
  RequestState,
  STATUSES,
} from '../domain/lifecycle';
import { MailOutboxService } from '../notifications/mail-outbox.service';
import { CreateRequestDto, ListRequestsQueryDto, PublicRequestDto, RecordEventDto } from './dto/request.dto';
import { ApplicantEntity } from './entities/applicant.entity';
import { InformationRequestEntity } from './entities/information-request.entity';
import { RequestEventEntity } from './entities/request-event.entity';
import { RequestItemEntity } from './entities/request-item.entity';
import { accessCodeMatches, allocateTrackingNumber, generateAccessCode, hashAccessCode } from './tracking-number';
import { toDetailView, toListItemView, toPublicStatusView, RequestDetailView, RequestListItemView, PublicStatusView } from './request-views';

export interface Actor {
  id: string | null;
  label: string;
}

export const PUBLIC_ACTOR: Actor = { id: null, label: '申请人（网上提交）' };

export function staffActor(staff: StaffPrincipal): Actor {
  return { id: staff.id, label: staff.displayName };
}

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

const PAGE_SIZE = 20;

@Injectable()
export class RequestsService {
  private readonly logger = new Logger('Requests');

  constructor(
    private readonly unitOfWork: UnitOfWork,
    private readonly calendars: CalendarService,
    private readonly clock: Clock,
    private readonly outbox: MailOutboxService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  /** Staff registration of a request that arrived in person, by mail or by fax (Art. 31). */
  async registerRequest(dto: CreateRequestDto, actor: Actor): Promise<RegisteredRequest> {
    const calendar = await this.calendars.current();
    const today = this.clock.today();
    const created = await this.unitOfWork.run(async (m) => {
      const { request, state, accessCode } = await this.createRequest(m, dto, { type: 'registered', on: dto.receivedOn, data: { channel: dto.channel } }, actor, calendar, today);
      if (dto.applicant.email) {
        await this.outbox.enqueue(m, this.receiptNotice(request, dto.applicant.email, accessCode));
      }
      return { request, state };
    });
    this.logger.log(`registered request ${created.request.id}`);
    return {
      id: created.request.id,
      trackingNumber: created.request.trackingNumber,
      status: created.request.status,
      receivedOn: created.request.receivedOn,
      dueOn: created.request.dueOn,
      dueIsProvisional: created.request.dueIsProvisional,
    };
  }

  /** Citizen filing: not yet received until staff confirm it (Art. 31). */
  async submitPublicRequest(dto: PublicRequestDto): Promise<PublicSubmission> {
    requireArticle29(dto);
    const calendar = await this.calendars.current();
    const today = this.clock.today();
    const { request, accessCode } = await this.unitOfWork.run(async (m) => {
      const made = await this.createRequest(m, dto, { type: 'submitted', on: today, data: { channel: 'online' } }, PUBLIC_ACTOR, calendar, today);
      if (dto.applicant.email) {
        await this.outbox.enqueue(m, {
          kind: 'acknowledgement',
          to: dto.applicant.email,
          subject: `【${this.config.agencyName}】已收到您在网上提交的政府信息公开申请（${made.request.trackingNumber}）`,
          requestId: made.request.id,
          context: { trackingNumber: made.request.trackingNumber, accessCode: made.accessCode, submittedOn: today },
        });
      }
      return made;
    });
    this.logger.log(`public submission ${request.id}`);
    return { trackingNumber: request.trackingNumber, accessCode, status: request.status };
  }

  private async createRequest(
    m: EntityManager,
    dto: PublicRequestDto & { channel?: string },
    first: LifecycleEvent,
    actor: Actor,
    calendar: WorkingCalendar,
    today: IsoDate,
  ): Promise<{ request: InformationRequestEntity; state: RequestState; accessCode: string }> {
    const items = dto.items?.length ? dto.items.map((i) => i.description) : [dto.description];
    const state = applyEvent(replay([], { calendar, today, itemCount: items.length }), first, { calendar, today, itemCount: items.length });
    const due = computeDue(state, calendar, today);
    const now = this.clock.nowIso();
    const applicant = Object.assign(new ApplicantEntity(), {
      id: randomUUID(),
      type: dto.applicant.type,
      name: dto.applicant.name,
      idDocumentType: dto.applicant.idDocumentType ?? (dto.applicant.idDocumentNumber ? 'resident_id' : null),
      idDocumentNumber: dto.applicant.idDocumentNumber ?? null,
      organisationCode: dto.applicant.organisationCode ?? null,
      phone: dto.applicant.phone ?? null,
      email: dto.applicant.email ?? null,
      address: dto.applicant.address ?? null,
      createdAt: now,
    });
    await m.insert(ApplicantEntity, applicant);
    const trackingNumber = await allocateTrackingNumber(m, yearOf(today));
    const accessCode = generateAccessCode();
    const request = Object.assign(new InformationRequestEntity(), {
      id: randomUUID(),
      trackingNumber,
      accessCodeHash: hashAccessCode(trackingNumber, accessCode),
      applicantId: applicant.id,
      applicantType: applicant.type,
      channel: state.channel!,
      submittedAt: now,
      receivedOn: state.receivedOn,
      status: state.status!,
      description: dto.description,
      deliveryMethod: dto.deliveryMethod ?? 'electronic',
      dueOn: due.dueOn,
      dueIsProvisional: due.provisional,
      outcome: null,
      concludedOn: null,
      assigneeId: null,
      version: 1,
      createdAt: now,
      updatedAt: now,
    });
    await m.insert(InformationRequestEntity, request);
    await m.insert(
      RequestItemEntity,
      items.map((description, position) => ({ id: randomUUID(), requestId: request.id, position, description, outcome: null })),
    );
    await this.appendEvent(m, request.id, 1, first, actor);
    return { request, state, accessCode };
  }

  private async appendEvent(m: EntityManager, requestId: string, seq: number, event: LifecycleEvent, actor: Actor): Promise<void> {
    const basis = event.type === 'decided' && typeof event.data.basis === 'string' ? event.data.basis : EVENT_BASIS[event.type];
    await m.insert(RequestEventEntity, {
      id: randomUUID(),
      requestId,
      seq,
      type: event.type,
      occurredOn: event.on,
      recordedAt: this.clock.nowIso(),
      actorId: actor.id,
      actorLabel: actor.label.slice(0, 100),
      basis: basis.slice(0, 200),
      payload: JSON.stringify(event.data),
    });
  }

  /** Appends one lifecycle step; the request's cached state is recomputed from all events. */
  async recordEvent(id: string, dto: RecordEventDto, actor: Actor): Promise<RequestDetailView> {
    const calendar = await this.calendars.current();
    const today = this.clock.today();
    try {
      await this.unitOfWork.run(async (m) => {
        const { request, items, events, applicant } = await this.load(m, id);
        if (dto.expectedVersion !== undefined && dto.expectedVersion !== request.version) {
          throw new ConflictError('该申请已被他人更新，请刷新后再操作。');
        }
        const ctx = { calendar, today, itemCount: items.length };
        const state = replay(events.map(toLifecycleEvent), ctx);
        const { type, on, expectedVersion: _v, ...rest } = dto;
        const data: Record<string, unknown> = JSON.parse(JSON.stringify(rest));
        if (type === 'fee_notice_issued') data.pausesClock = this.config.feePausesClock;
        const event: LifecycleEvent = { type, on, data };
        const next = applyEvent(state, event, ctx);
        const due = computeDue(next, calendar, today);
        const updated = await m
          .createQueryBuilder()
          .update(InformationRequestEntity)
          .set({
            status: next.status!,
            receivedOn: next.receivedOn,
            dueOn: due.dueOn,
            dueIsProvisional: due.provisional,
            outcome: next.outcome,
            concludedOn: next.concludedOn,
            version: request.version + 1,
            updatedAt: this.clock.nowIso(),
          })
          .where('id = :id AND version = :version', { id, version: request.version })
          .execute();
        if (updated.affected !== 1) throw new ConflictError('该申请已被他人更新，请刷新后再操作。');
        if (type === 'decided' && next.itemOutcomes) {
          for (const [position, outcome] of next.itemOutcomes.entries()) {
            await m.update(RequestItemEntity, { requestId: id, position }, { outcome });
          }
        }
        await this.appendEvent(m, id, events.length + 1, event, actor);
        if (type === 'receipt_confirmed' && applicant.email) {
          await this.outbox.enqueue(m, this.receiptNotice({ ...request, receivedOn: next.receivedOn, dueOn: due.dueOn, dueIsProvisional: due.provisional }, applicant.email, null));
        }
      });
    } catch (e) {
      if (isUniqueViolation(e)) throw new ConflictError('该申请已被他人同时更新，请刷新后再操作。');
      throw e;
    }
    this.logger.log(`request ${id}: ${dto.type}`);
    return this.getRequest(id);
  }

  private receiptNotice(request: Pick<InformationRequestEntity, 'id' | 'trackingNumber' | 'receivedOn' | 'dueOn' | 'dueIsProvisional'>, email: string, accessCode: string | null) {
    return {
      kind: 'receipt-notice' as const,
      to: email,
      subject: `【${this.config.agencyName}】政府信息公开申请登记回执（${request.trackingNumber}）`,
      requestId: request.id,
      context: {
        trackingNumber: request.trackingNumber,
        receivedOn: request.receivedOn,
        dueOn: request.dueOn,
        dueIsProvisional: request.dueIsProvisional,
        accessCode,
      },
    };
  }

  private async load(m: EntityManager, id: string) {
    const request = await m.findOneBy(InformationRequestEntity, { id: String(id) });
    if (!request) throw new NotFoundError('未找到该申请。');
    const [items, events, applicant] = await Promise.all([
      m.find(RequestItemEntity, { where: { requestId: id }, order: { position: 'ASC' } }),
      m.find(RequestEventEntity, { where: { requestId: id }, order: { seq: 'ASC' } }),
      m.findOneByOrFail(ApplicantEntity, { id: request.applicantId }),
    ]);
    return { request, items, events, applicant };
  }

  async getRequest(id: string): Promise<RequestDetailView> {
    if (!/^[0-9a-f-]{36}$/i.test(id)) throw new NotFoundError('未找到该申请。');
    const calendar = await this.calendars.current();
    const today = this.clock.today();
    const { request, items, events, applicant } = await this.load(this.dataSource.manager, id);
    const state = replay(events.map(toLifecycleEvent), { calendar, today, itemCount: items.length });
    const due = computeDue(state, calendar, today);
    return toDetailView({ request, items, events, applicant, state, due, allowed: allowedSteps(state) });
  }

  async listRequests(query: ListRequestsQueryDto): Promise<{ items: RequestListItemView[]; total: number; page: number; pageSize: number }> {
    const fields: Record<string, string> = {};
    if (query.status && !(STATUSES as readonly string[]).includes(query.status) && query.status !== 'open') fields.status = '状态无效。';
    if (Object.keys(fields).length) throw new ValidationFailedError(fields);
    const today = this.clock.today();
    const page = Math.max(1, Number(query.page ?? 1));
    const qb = this.dataSource
      .createQueryBuilder(InformationRequestEntity, 'r')
      .innerJoin(ApplicantEntity, 'a', 'a.id = r.applicant_id')
      .select('r')
      .addSelect(['a.name', 'a.idDocumentNumber', 'a.phone']);
    if (query.status === 'open') qb.andWhere("r.status NOT IN ('concluded', 'awaiting_confirmation')");
    else if (query.status) qb.andWhere('r.status = :status', { status: query.status });
    if (query.channel) qb.andWhere('r.channel = :channel', { channel: query.channel });
    if (query.applicantType) qb.andWhere('r.applicant_type = :type', { type: query.applicantType });
    if (query.overdue === 'true') qb.andWhere("r.status NOT IN ('concluded', 'awaiting_confirmation') AND r.due_on < :today", { today });
    if (query.overdue === 'false') qb.andWhere("NOT (r.status NOT IN ('concluded', 'awaiting_confirmation') AND r.due_on IS NOT NULL AND r.due_on < :today)", { today });
    if (query.dueBefore) qb.andWhere('r.due_on IS NOT NULL AND r.due_on < :dueBefore', { dueBefore: query.dueBefore });
    if (query.q) {
      const like = `%${query.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      qb.andWhere("(r.tracking_number LIKE :like ESCAPE '\\' OR r.description LIKE :like ESCAPE '\\' OR a.name LIKE :like ESCAPE '\\')", { like });
    }
    qb.orderBy('CASE WHEN r.due_on IS NULL THEN 1 ELSE 0 END', 'ASC')
      .addOrderBy('r.due_on', 'ASC')
      .addOrderBy('r.submitted_at', 'DESC')
      .offset((page - 1) * PAGE_SIZE)
      .limit(PAGE_SIZE);
    const [{ entities, raw }, total] = await Promise.all([qb.getRawAndEntities(), qb.getCount()]);
    const items = entities.map((r, i) => {
      const row = raw[i] as Record<string, string | null>;
      return toListItemView(r, { name: row.a_name ?? '', idDocumentNumberMasked: maskTail(row.a_id_document_number), phoneMasked: maskTail(row.a_phone) }, today);
    });
    return { items, total, page, pageSize: PAGE_SIZE };
  }

  /** A wrong access code and an unknown number answer exactly alike. */
  async lookupPublic(trackingNumber: string, accessCode: string): Promise<PublicStatusView> {
    const notFound = new NotFoundError('未找到该申请，请核对申请编号和查询码。');
    if (typeof trackingNumber !== 'string' || typeof accessCode !== 'string' || trackingNumber.length > 20 || accessCode.length > 20) throw notFound;
    const request = await this.dataSource.manager.findOneBy(InformationRequestEntity, { trackingNumber: trackingNumber.trim() });
    const hash = request?.accessCodeHash ?? '0'.repeat(64);
    if (!accessCodeMatches(trackingNumber.trim(), accessCode, hash) || !request) throw notFound;
    const calendar = await this.calendars.current();
    const today = this.clock.today();
    const events = await this.dataSource.manager.find(RequestEventEntity, { where: { requestId: request.id }, order: { seq: 'ASC' } });
    const itemCount = await this.dataSource.manager.countBy(RequestItemEntity, { requestId: request.id });
    const state = replay(events.map(toLifecycleEvent), { calendar, today, itemCount });
    return toPublicStatusView(request, state, computeDue(state, calendar, today));
  }
}

export function toLifecycleEvent(e: RequestEventEntity): LifecycleEvent {
  return { type: e.type as LifecycleEvent['type'], on: e.occurredOn, data: JSON.parse(e.payload) as Record<string, unknown> };
}

/** Art. 29: identity proof and a way to reach the applicant. */
function requireArticle29(dto: PublicRequestDto): void {
  const fields: Record<string, string> = {};
  const a = dto.applicant;
  if (a.type === 'natural_person' && !a.idDocumentNumber) fields['applicant.idDocumentNumber'] = '请填写身份证明号码（《条例》第二十九条）。';
  if (a.type !== 'natural_person' && APPLICANT_TYPES.includes(a.type) && !a.organisationCode && !a.idDocumentNumber) {
    fields['applicant.organisationCode'] = '请填写统一社会信用代码（《条例》第二十九条）。';
  }
  if (!a.phone && !a.email && !a.address) fields['applicant.phone'] = '请至少填写一种联系方式：电话、电子邮箱或通信地址。';
  if (Object.keys(fields).length) throw new ValidationFailedError(fields);
}

export type { DueResult };
