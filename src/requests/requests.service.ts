import { insertRows } from '../common/insert-rows';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager, In } from 'typeorm';
import { article29Gaps, isPossibleRepeat, NOT_ANSWERED_OUTCOMES, textSimilarity } from '../domain/applicants';
import { Actor, APPLICANT_WITHDRAWAL_ACTOR, PUBLIC_ACTOR, Viewer } from '../auth/actor';
import { can, permissionForEvent } from '../auth/permissions';
import { PersonalDataAccessEntity } from './entities/personal-data-access.entity';
import { DomainError } from '../domain/errors';
import { CalendarService } from '../calendar/calendar.service';
import { Clock } from '../common/clock';
import { isUniqueViolation } from '../common/db-errors';
import { maskTail } from '../common/masking';
import { UnitOfWork } from '../common/unit-of-work';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { IsoDate, WorkingCalendar, yearOf } from '../domain/calendar';
import { ConflictError, InvalidTransitionError, NotFoundError, ValidationFailedError } from '../domain/errors';
import {
  allowedSteps,
  applyEvent,
  FINAL_STATUSES,
  INITIAL_STATE,
  dueSoonBy,
  lapsedDeadline,
  retentionCutoff,
  computeDue,
  DueResult,
  EVENT_BASIS,
  LifecycleEvent,
  replay,
  RequestState,
  Outcome,
  outcomeLabel,
} from '../domain/lifecycle';
import { MailOutboxService } from '../notifications/mail-outbox.service';
import { buildNotice, chineseDate, eventNamesRemedyBodies, MAILED_NOTICE_KINDS, NO_REMEDY_BODIES, NoticeKind, noticeEventIndex, noticeKindForEvent, noticeText, NoticeView, RemedyBodies } from '../domain/notices';
import { RemedySettingsService } from '../notices/remedy-settings.service';
import { DELIVERY_METHOD_LABELS, DeliveryMethod } from '../domain/lifecycle';
import { CreateRequestDto, ListRequestsQueryDto, PublicRequestDto, RecordEventDto } from './dto/request.dto';
import { ApplicantEntity } from './entities/applicant.entity';
import { InformationRequestEntity } from './entities/information-request.entity';
import { RequestEventEntity } from './entities/request-event.entity';
import { RequestItemEntity } from './entities/request-item.entity';
import { IntakeDraft, IntakeWriter } from './intake-writer';
import { accessCodeMatches, generateAccessCode } from './tracking-number';
import type { LedgerRow } from '../import/ledger-import';
import { applyListFilter, validateListFilter } from './request-list-filter';
import { PossibleRepeat, toDetailView, toListItemView, toPublicStatusView, RequestDetailView, RequestListItemView, PublicStatusView } from './request-views';

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
    private readonly intake: IntakeWriter,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly remedySettings: RemedySettingsService,
  ) {}

  /** Staff registration of a request that arrived in person, by mail or by fax (Art. 31). */
  async registerRequest(dto: CreateRequestDto, actor: Actor): Promise<RegisteredRequest> {
    const calendar = await this.calendars.current();
    const today = this.clock.today();
    const first: LifecycleEvent = { type: 'registered', on: dto.receivedOn, data: { channel: dto.channel } };
    const draft = this.draftRequest(dto, first, actor, calendar, today);
    const email = dto.applicant.email;
    if (email) {
      const state = applyEvent(INITIAL_STATE, first, { calendar, today, itemCount: 1 });
      const items = dto.items?.length ? dto.items.map((i) => i.description) : [dto.description];
      draft.mail = (trackingNumber) => {
        const source = this.noticeSource({ ...draft.request, trackingNumber }, { name: dto.applicant.name }, items, state, first, calendar, NO_REMEDY_BODIES);
        return this.receiptMail(buildNotice('receipt', source), email, draft.request.id, draft.accessCode);
      };
    }
    const trackingNumber = await this.intake.write(draft);
    const { request } = draft;
    this.logger.log(`registered request ${request.id}`);
    return { id: request.id, trackingNumber, status: request.status, receivedOn: request.receivedOn, dueOn: request.dueOn, dueIsProvisional: request.dueIsProvisional };
  }

  /** Citizen filing: not yet received until staff confirm it (Art. 31). */
  async submitPublicRequest(dto: PublicRequestDto): Promise<PublicSubmission> {
    const gaps = article29Gaps(dto.applicant);
    if (Object.keys(gaps).length) throw new ValidationFailedError(gaps);
    const calendar = await this.calendars.current();
    const today = this.clock.today();
    const draft = this.draftRequest(dto, { type: 'submitted', on: today, data: { channel: 'online' } }, PUBLIC_ACTOR, calendar, today);
    const email = dto.applicant.email;
    if (email) {
      draft.mail = (trackingNumber) => ({
        kind: 'acknowledgement',
        to: email,
        subject: `【${this.config.agencyName}】已收到您在网上提交的政府信息公开申请（${trackingNumber}）`,
        requestId: draft.request.id,
        context: { trackingNumber, accessCode: draft.accessCode, submittedOn: chineseDate(today) },
      });
    }
    const trackingNumber = await this.intake.write(draft);
    this.logger.log(`public submission ${draft.request.id}`);
    return { trackingNumber, accessCode: draft.accessCode, status: draft.request.status };
  }

  /** A new request from its first lifecycle event; written by the IntakeWriter. */
  private draftRequest(dto: PublicRequestDto & { channel?: string }, first: LifecycleEvent, actor: Actor, calendar: WorkingCalendar, today: IsoDate): IntakeDraft {
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
    });
  }

  /** Every row of a new request: its applicant, the request with the state its events lead to, its items and events. */
  private newRequestDraft(p: {
    applicant: { type: string; name: string; idDocumentType?: string | null; idDocumentNumber?: string | null; organisationCode?: string | null; phone?: string | null; email?: string | null; address?: string | null };
    description: string;
    deliveryMethod: string;
    items: Array<{ description: string; outcome: string | null }>;
    events: LifecycleEvent[];
    state: RequestState;
    actor: Actor;
    calendar: WorkingCalendar;
    today: IsoDate;
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
      events: p.events.map((event, i) => this.eventRow(requestId, i + 1, event, p.actor)),
    };
  }

  private async appendEvent(m: EntityManager, requestId: string, seq: number, event: LifecycleEvent, actor: Actor): Promise<void> {
    await insertRows(m, RequestEventEntity, this.eventRow(requestId, seq, event, actor));
  }

  private eventRow(requestId: string, seq: number, event: LifecycleEvent, actor: Actor): RequestEventEntity {
    const basis = event.type === 'decided' && typeof event.data.basis === 'string' ? event.data.basis : EVENT_BASIS[event.type];
    return Object.assign(new RequestEventEntity(), {
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
  async recordEvent(id: string, dto: RecordEventDto, actor: Actor, viewer?: Viewer): Promise<RequestDetailView> {
    if (actor.roles && !can(actor.roles, permissionForEvent(dto.type, dto.outcome, dto.itemOutcomes))) {
      throw new DomainError('FORBIDDEN', dto.type === 'receipt_confirmed' ? '确认收到须由登记人员办理。' : '该步骤须由审核人员办理（批准延期、签发不予公开或部分公开的答复）。');
    }
    const calendar = await this.calendars.current();
    const today = this.clock.today();
    const remedyBodies = await this.remedySettings.current();
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
        // The approving account is the signed-in one; the typed name is only what the notice prints.
        if (type === 'extension_granted') data.approvedByAccount = { id: actor.id, name: actor.label };
        // D16: the names the notice prints are kept with the step, so a reprint reads as the letter sent.
        if (eventNamesRemedyBodies(type)) data.remedyBodies = remedyBodies;
        if (type === 'decided' && data.repeatOf !== undefined) data.repeatOf = await this.earlierReply(m, request, dto);
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
        // D19: withdrawn before receipt, there is no application to reply to: an acknowledgement instead of the reply notice.
        const withdrawnUnreceived = next.status === 'withdrawn';
        if (withdrawnUnreceived && applicant.email) {
          await this.outbox.enqueue(m, {
            kind: 'withdrawal',
            to: applicant.email,
            subject: `【${this.config.agencyName}】您已撤回政府信息公开申请（${request.trackingNumber}）`,
            requestId: id,
            context: { trackingNumber: request.trackingNumber, withdrawnOn: on },
          });
        }
        const source = () => this.noticeSource(request, applicant, items.map((i) => i.description), next, event, calendar, remedyBodies);
        if (type === 'receipt_confirmed' && applicant.email) {
          await this.outbox.enqueue(m, this.receiptMail(buildNotice('receipt', source()), applicant.email, id, null));
        }
        // The applicant's own notices go out by e-mail too, word for word as printed (MAILED_NOTICE_KINDS).
        const kind = noticeKindForEvent(type);
        if (kind && MAILED_NOTICE_KINDS.includes(kind) && !withdrawnUnreceived && applicant.email && noticeEventIndex(kind, [...events, event]) === events.length) {
          const notice = buildNotice(kind, source());
          await this.outbox.enqueue(m, {
            kind: 'notice',
            to: applicant.email,
            subject: `【${this.config.agencyName}】${notice.title}（${request.trackingNumber}）`,
            requestId: id,
            context: { notice, text: noticeText(notice) },
          });
        }
      });
    } catch (e) {
      if (isUniqueViolation(e)) throw new ConflictError('该申请已被他人同时更新，请刷新后再操作。');
      throw e;
    }
    this.logger.log(`request ${id}: ${dto.type}`);
    return this.getRequest(id, viewer);
  }

  /**
   * After the holiday calendar changed: recompute the deadline of every open request and
   * note each change in its timeline (D11). Runs inside the caller's transaction.
   */
  async recomputeOpenDeadlines(m: EntityManager, calendar: WorkingCalendar, reason: string, actor: Actor): Promise<number> {
    const today = this.clock.today();
    const open = await m.createQueryBuilder(InformationRequestEntity, 'r').where('r.status NOT IN (:...final)', { final: FINAL_STATUSES }).orderBy('r.tracking_number').getMany();
    const states = await this.currentStates(m, open.map((r) => r.id), calendar, today);
    let changed = 0;
    for (const request of open) {
      const { events, state } = states.get(request.id)!;
      const due = computeDue(state, calendar, today);
      if (due.dueOn === request.dueOn && due.provisional === request.dueIsProvisional) continue;
      await m.update(InformationRequestEntity, { id: request.id }, { dueOn: due.dueOn, dueIsProvisional: due.provisional, version: request.version + 1, updatedAt: this.clock.nowIso() });
      await this.appendEvent(m, request.id, events.length + 1, {
        type: 'due_recomputed',
        on: today,
        data: { fromDueOn: request.dueOn, toDueOn: due.dueOn, fromProvisional: request.dueIsProvisional, toProvisional: due.provisional, reason },
      }, actor);
      changed++;
    }
    return changed;
  }

  /**
   * Back-entry of historical requests (D4): rows already validated, written in one transaction
   * with their full event history, so every number stays traceable. `within` runs in the same
   * transaction (the importer records what it wrote); a ledger import calls this once per chunk.
   */
  async importLedger(rows: LedgerRow[], actor: Actor, within?: (m: EntityManager, written: Array<{ id: string; trackingNumber: string }>) => Promise<void>): Promise<string[]> {
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
      }),
      year: yearOf(row.state.receivedOn ?? today),
    }));
    return this.unitOfWork.run(async (m) => {
      const numbers = await this.intake.insertGroup(m, drafts);
      await within?.(m, drafts.map((d, i) => ({ id: d.request.id, trackingNumber: numbers[i] })));
      return numbers;
    });
  }

  /** Records who handles a request; an informational event, allowed until conclusion. */
  async assignRequest(id: string, assignee: { id: string; label: string } | null, actor: Actor): Promise<RequestDetailView> {
    await this.unitOfWork.run(async (m) => {
      const { request, events } = await this.load(m, id);
      if (request.status === 'concluded') throw new ConflictError('已办结的申请不能再指定承办人。');
      const updated = await m.update(InformationRequestEntity, { id, version: request.version }, { assigneeId: assignee?.id ?? null, version: request.version + 1, updatedAt: this.clock.nowIso() });
      if (updated.affected !== 1) throw new ConflictError('该申请已被他人更新，请刷新后再操作。');
      await this.appendEvent(m, id, events.length + 1, { type: 'assigned', on: this.clock.today(), data: { assigneeId: assignee?.id ?? null, assignee: assignee?.label ?? null } }, actor);
    });
    return this.getRequest(id);
  }

  /** What a notice is written from: the state right after its step, and the names kept with the step (D16). */
  private noticeSource(
    request: Pick<InformationRequestEntity, 'trackingNumber' | 'deliveryMethod'>,
    applicant: Pick<ApplicantEntity, 'name'>,
    items: string[],
    state: RequestState,
    event: LifecycleEvent,
    calendar: WorkingCalendar,
    remedyBodies: RemedyBodies,
  ) {
    return {
      agencyName: this.config.agencyName,
      trackingNumber: request.trackingNumber,
      applicantName: applicant.name,
      deliveryMethodLabel: DELIVERY_METHOD_LABELS[request.deliveryMethod as DeliveryMethod] ?? request.deliveryMethod,
      items,
      state,
      event,
      calendar,
      remedyBodies,
    };
  }

  /** The printable notice of one kind, written from the latest event of that kind; 404 when there is none yet. */
  async noticeFor(id: string, kind: NoticeKind): Promise<NoticeView> {
    if (!/^[0-9a-f-]{36}$/i.test(id)) throw new NotFoundError('未找到该申请。');
    const calendar = await this.calendars.current();
    const today = this.clock.today();
    const { request, items, events, applicant } = await this.load(this.dataSource.manager, id);
    const lifecycle = events.map(toLifecycleEvent);
    const index = noticeEventIndex(kind, lifecycle);
    if (index < 0) throw new NotFoundError('该申请还没有可出具的此类文书。');
    // The state as it stood right after that step: a later step must not rewrite an old letter.
    const state = replay(lifecycle.slice(0, index + 1), { calendar, today, itemCount: items.length });
    const source = this.noticeSource(request, applicant, items.map((i) => i.description), state, lifecycle[index], calendar, await this.remedySettings.current());
    return buildNotice(kind, source);
  }

  /** Art. 36(六): the earlier reply a repeat request refers to, checked and kept with the step. */
  private async earlierReply(m: EntityManager, request: InformationRequestEntity, dto: RecordEventDto): Promise<{ trackingNumber: string; concludedOn: string | null }> {
    const number = typeof dto.repeatOf === 'string' ? dto.repeatOf.trim() : '';
    const outcomes = [dto.outcome, ...(dto.itemOutcomes ?? []).map((i) => i.outcome)];
    if (!outcomes.includes('not_processed_repeat')) throw new ValidationFailedError({ repeatOf: '只有“重复申请”的答复才引用此前的答复（《条例》第三十六条第（六）项）。' });
    const earlier = number ? await m.findOneBy(InformationRequestEntity, { trackingNumber: number }) : null;
    if (!earlier || earlier.id === request.id) throw new ValidationFailedError({ repeatOf: '请填写此前已答复的申请编号。' });
    if (earlier.status !== 'concluded' || !earlier.concludedOn || earlier.concludedOn > dto.on) {
      throw new ValidationFailedError({ repeatOf: `申请 ${number} 在本次答复之日前尚未答复，不能作为重复申请引用。` });
    }
    return { trackingNumber: earlier.trackingNumber, concludedOn: earlier.concludedOn };
  }

  /** The receipt notice by e-mail, with the access code when the applicant has one to learn. */
  private receiptMail(notice: NoticeView, email: string, requestId: string, accessCode: string | null) {
    return {
      kind: 'receipt-notice' as const,
      to: email,
      subject: `【${this.config.agencyName}】${notice.title}（${notice.trackingNumber}）`,
      requestId,
      context: { notice, text: noticeText(notice), accessCode },
    };
  }

  private async load(m: EntityManager, id: string) {
    const request = await m.findOneBy(InformationRequestEntity, { id: String(id) });
    if (!request) throw new NotFoundError('未找到该申请。');
    // Sequential: inside a transaction all queries share one connection.
    const items = await m.find(RequestItemEntity, { where: { requestId: id }, order: { position: 'ASC' } });
    const events = await m.find(RequestEventEntity, { where: { requestId: id }, order: { seq: 'ASC' } });
    const applicant = await m.findOneByOrFail(ApplicantEntity, { id: request.applicantId });
    return { request, items, events, applicant };
  }

  async getRequest(id: string, viewer?: Viewer): Promise<RequestDetailView> {
    if (!/^[0-9a-f-]{36}$/i.test(id)) throw new NotFoundError('未找到该申请。');
    const calendar = await this.calendars.current();
    const today = this.clock.today();
    const { request, items, events, applicant } = await this.load(this.dataSource.manager, id);
    const state = replay(events.map(toLifecycleEvent), { calendar, today, itemCount: items.length });
    const due = computeDue(state, calendar, today);
    const possibleRepeats = state.status === 'concluded' ? [] : await this.findPossibleRepeats(request, applicant);
    const view = toDetailView({ request, items, events, applicant, state, due, allowed: allowedSteps(state), possibleRepeats });
    return viewer ? this.forViewer(view, viewer) : view;
  }

  /** Full identity and contact data only to roles that need them, and each such view is recorded. */
  private async forViewer(view: RequestDetailView, viewer: Viewer): Promise<RequestDetailView> {
    const a = view.applicant;
    if (!can(viewer.staff.roles, 'requests.personal_data')) {
      return {
        ...view,
        applicant: { ...a, idDocumentNumber: maskTail(a.idDocumentNumber), phone: maskTail(a.phone), email: a.email ? '（已隐藏）' : null, address: a.address ? '（已隐藏）' : null },
        personalDataMasked: true,
      };
    }
    if (a.idDocumentNumber || a.phone || a.email || a.address) {
      await this.unitOfWork.run((m) =>
        insertRows(m, PersonalDataAccessEntity, { id: randomUUID(), staffId: viewer.staff.id, staffName: viewer.staff.displayName, requestId: view.id, accessedAt: this.clock.nowIso(), via: viewer.via }),
      );
    }
    return view;
  }

  async trackingNumbers(ids: string[]): Promise<Array<{ id: string; trackingNumber: string }>> {
    if (!ids.length) return [];
    return this.dataSource.manager.createQueryBuilder(InformationRequestEntity, 'r').select(['r.id', 'r.trackingNumber']).where('r.id IN (:...ids)', { ids }).getMany();
  }

  async personalDataAccessLog(requestId: string): Promise<Array<{ staffName: string; accessedAt: string; via: string }>> {
    const rows = await this.dataSource.manager.find(PersonalDataAccessEntity, { where: { requestId }, order: { accessedAt: 'DESC' }, take: 50 });
    return rows.map((r) => ({ staffName: r.staffName, accessedAt: r.accessedAt, via: r.via }));
  }

  /** Requests concluded at least `years` years ago whose applicant data is still held. */
  async erasableCount(years: number): Promise<{ count: number; cutoff: IsoDate }> {
    const cutoff = retentionCutoff(this.clock.today(), years);
    const count = await this.dataSource
      .createQueryBuilder(InformationRequestEntity, 'r')
      .innerJoin(ApplicantEntity, 'a', 'a.id = r.applicant_id')
      .where("r.status = 'concluded' AND r.concluded_on <= :cutoff AND a.erased_at IS NULL", { cutoff })
      .getCount();
    return { count, cutoff };
  }

  /**
   * Retention: erase applicant identity and contact data of requests concluded at least `years`
   * years ago. The request rows, their applicant type, dates and outcomes stay, so the
   * statistics do not change. Sent mail to those applicants is deleted with it.
   */
  async erasePersonalData(years: number, actor: Actor): Promise<number> {
    const { cutoff } = await this.erasableCount(years);
    const today = this.clock.today();
    const erasedMail: string[] = [];
    const erased = await this.unitOfWork.run(async (m) => {
      const rows = await m
        .createQueryBuilder(InformationRequestEntity, 'r')
        .innerJoin(ApplicantEntity, 'a', 'a.id = r.applicant_id')
        .where("r.status = 'concluded' AND r.concluded_on <= :cutoff AND a.erased_at IS NULL", { cutoff })
        .getMany();
      const now = this.clock.nowIso();
      for (const r of rows) {
        await m.update(ApplicantEntity, { id: r.applicantId }, { name: '（已依保存期限清除）', idDocumentNumber: null, organisationCode: null, phone: null, email: null, address: null, erasedAt: now });
        erasedMail.push(...(await this.outbox.deleteForRequest(m, r.id)));
        const seq = await m.count(RequestEventEntity, { where: { requestId: r.id } });
        await this.appendEvent(m, r.id, seq + 1, { type: 'personal_data_erased', on: today, data: { retentionYears: years } }, actor);
      }
      return rows.length;
    });
    // Copies outside the rows: the mail files, and the old values in SQLite's WAL.
    this.outbox.deleteMailFiles(erasedMail);
    if (!(await this.unitOfWork.checkpoint())) this.logger.warn('retention erasure: the WAL checkpoint did not complete (a reader held it); erased values may stay in the -wal file until the next full checkpoint');
    return erased;
  }

  /**
   * Art. 36(六): an earlier, answered request of the same applicant for the same information.
   * Same applicant = same identity number or credit code, or same name with the same phone or e-mail.
   */
  async findPossibleRepeats(request: InformationRequestEntity, applicant: ApplicantEntity): Promise<PossibleRepeat[]> {
    const qb = this.dataSource
      .createQueryBuilder(InformationRequestEntity, 'r')
      .innerJoin(ApplicantEntity, 'a', 'a.id = r.applicant_id')
      .where('r.id <> :id', { id: request.id })
      .andWhere("r.status = 'concluded'")
      .andWhere('r.outcome NOT IN (:...notAnswered)', { notAnswered: NOT_ANSWERED_OUTCOMES });
    const same: string[] = [];
    const params: Record<string, string> = {};
    if (applicant.idDocumentNumber) (same.push('a.id_document_number = :idn'), (params.idn = applicant.idDocumentNumber));
    if (applicant.organisationCode) (same.push('a.organisation_code = :org'), (params.org = applicant.organisationCode));
    if (applicant.phone) (same.push('(a.name = :name AND a.phone = :phone)'), (params.phone = applicant.phone), (params.name = applicant.name));
    if (applicant.email) (same.push('(a.name = :name AND a.email = :email)'), (params.email = applicant.email), (params.name = applicant.name));
    if (!same.length) return [];
    const earlier = await qb.andWhere(`(${same.join(' OR ')})`, params).orderBy('r.concluded_on', 'DESC').limit(50).getMany();
    return earlier
      .map((r) => ({ id: r.id, trackingNumber: r.trackingNumber, concludedOn: r.concludedOn!, outcomeLabel: outcomeLabel(r.outcome as Outcome), similarity: textSimilarity(r.description, request.description) }))
      .filter((r) => isPossibleRepeat(r.similarity))
      .sort((a, b) => b.similarity - a.similarity);
  }

  /** Corrections and fees whose deadline has passed: ready to be concluded with one click. */
  async findLapsed(): Promise<Array<{ id: string; trackingNumber: string; kind: 'correction' | 'fee'; deadline: IsoDate; eventType: 'correction_lapsed' | 'fee_lapsed' }>> {
    const calendar = await this.calendars.current();
    const today = this.clock.today();
    const waiting = await this.dataSource.manager.find(InformationRequestEntity, { where: [{ status: 'awaiting_correction' }, { status: 'awaiting_fee' }], order: { trackingNumber: 'ASC' } });
    const states = await this.currentStates(this.dataSource.manager, waiting.map((r) => r.id), calendar, today);
    const lapsed = [];
    for (const r of waiting) {
      const lapse = lapsedDeadline(states.get(r.id)!.state, today);
      if (lapse) lapsed.push({ id: r.id, trackingNumber: r.trackingNumber, ...lapse });
    }
    return lapsed;
  }

  async listRequests(query: ListRequestsQueryDto): Promise<{ items: RequestListItemView[]; total: number; page: number; pageSize: number }> {
    validateListFilter(query);
    const today = this.clock.today();
    const page = Math.max(1, Number(query.page ?? 1));
    const qb = this.dataSource
      .createQueryBuilder(InformationRequestEntity, 'r')
      .innerJoin(ApplicantEntity, 'a', 'a.id = r.applicant_id')
      .select('r')
      .addSelect(['a.name', 'a.idDocumentNumber', 'a.phone']);
    applyListFilter(qb, query, today);
    qb.orderBy('CASE WHEN r.due_on IS NULL THEN 1 ELSE 0 END', 'ASC')
      .addOrderBy('r.due_on', 'ASC')
      .addOrderBy('r.submitted_at', 'DESC')
      .offset((page - 1) * PAGE_SIZE)
      .limit(PAGE_SIZE);
    const [{ entities, raw }, total] = await Promise.all([qb.getRawAndEntities(), qb.getCount()]);
    const soon = dueSoonBy(today, await this.calendars.current());
    const items = entities.map((r, i) => {
      const row = raw[i] as Record<string, string | null>;
      return toListItemView(r, { name: row.a_name ?? '', idDocumentNumberMasked: maskTail(row.a_id_document_number), phoneMasked: maskTail(row.a_phone) }, today, soon);
    });
    return { items, total, page, pageSize: PAGE_SIZE };
  }

  /** A wrong access code and an unknown number answer exactly alike. */
  async lookupPublic(trackingNumber: string, accessCode: string): Promise<PublicStatusView> {
    return this.publicStatus(await this.findByAccessCode(trackingNumber, accessCode));
  }

  /** The request behind a tracking number and its access code; a wrong code and an unknown number answer alike. */
  private async findByAccessCode(trackingNumber: string, accessCode: string): Promise<InformationRequestEntity> {
    const notFound = new NotFoundError('未找到该申请，请核对申请编号和查询码。');
    if (typeof trackingNumber !== 'string' || typeof accessCode !== 'string' || trackingNumber.length > 20 || accessCode.length > 20) throw notFound;
    const request = await this.dataSource.manager.findOneBy(InformationRequestEntity, { trackingNumber: trackingNumber.trim() });
    const hash = request?.accessCodeHash ?? '0'.repeat(64);
    if (!accessCodeMatches(trackingNumber.trim(), accessCode, hash) || !request) throw notFound;
    return request;
  }

  private async publicStatus(request: InformationRequestEntity): Promise<PublicStatusView> {
    const calendar = await this.calendars.current();
    const today = this.clock.today();
    const { events, state } = await this.currentState(this.dataSource.manager, request.id, calendar, today);
    return toPublicStatusView(request, state, computeDue(state, calendar, today), events.map(toLifecycleEvent));
  }

  /**
   * D19: the applicant withdraws with the access code. Before receipt the submission is simply
   * withdrawn and counted nowhere; after receipt it concludes as （六）3 like the staff step (D7).
   */
  async withdrawPublic(trackingNumber: string, accessCode: string): Promise<PublicStatusView> {
    const request = await this.findByAccessCode(trackingNumber, accessCode);
    const before = await this.publicStatus(request);
    if (before.status === 'concluded') throw new InvalidTransitionError(`该申请已于 ${before.concludedOn} 办结，不能再撤回。`);
    if (before.status === 'withdrawn') throw new InvalidTransitionError(`该申请已于 ${before.withdrawnOn} 撤回，无需再次撤回。`);
    await this.recordEvent(request.id, { type: 'withdrawn', on: this.clock.today() } as RecordEventDto, APPLICANT_WITHDRAWAL_ACTOR);
    return this.publicStatus(request);
  }

  /** A request's state, folded from its recorded events. */
  private async currentState(m: EntityManager, requestId: string, calendar: WorkingCalendar, today: IsoDate): Promise<{ events: RequestEventEntity[]; state: RequestState }> {
    return (await this.currentStates(m, [requestId], calendar, today)).get(requestId)!;
  }

  /** The state of many requests from their events: two queries per 500 requests, not two per request. */
  async currentStates(m: EntityManager, requestIds: string[], calendar: WorkingCalendar, today: IsoDate): Promise<Map<string, { events: RequestEventEntity[]; state: RequestState }>> {
    const events = new Map(requestIds.map((id) => [id, [] as RequestEventEntity[]]));
    const itemCounts = new Map<string, number>();
    for (let i = 0; i < requestIds.length; i += 500) {
      const ids = requestIds.slice(i, i + 500);
      for (const e of await m.find(RequestEventEntity, { where: { requestId: In(ids) }, order: { seq: 'ASC' } })) events.get(e.requestId)!.push(e);
      const counts: Array<{ id: string; n: number | string }> = await m
        .createQueryBuilder(RequestItemEntity, 'i')
        .select('i.request_id', 'id')
        .addSelect('COUNT(*)', 'n')
        .where('i.request_id IN (:...ids)', { ids })
        .groupBy('i.request_id')
        .getRawMany();
      for (const c of counts) itemCounts.set(c.id, Number(c.n));
    }
    return new Map(
      requestIds.map((id) => {
        const list = events.get(id)!;
        return [id, { events: list, state: replay(list.map(toLifecycleEvent), { calendar, today, itemCount: itemCounts.get(id) ?? 0 }) }];
      }),
    );
  }

}

export function toLifecycleEvent(e: RequestEventEntity): LifecycleEvent {
  return { type: e.type as LifecycleEvent['type'], on: e.occurredOn, data: JSON.parse(e.payload) as Record<string, unknown> };
}

export type { DueResult };
