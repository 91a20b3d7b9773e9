import { AgenciesService } from '../agencies/agencies.service';
import { feePausesClockOf } from '../agencies/agency-settings';
import { scopedAgencyId } from '../agencies/agency-scope';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { Actor, APPLICANT_WITHDRAWAL_ACTOR, Viewer } from '../auth/actor';
import { can, permissionForEvent, refusalFor } from '../auth/permissions';
import { CalendarService } from '../calendar/calendar.service';
import { Clock } from '../common/clock';
import { isUniqueViolation } from '../common/db-errors';
import { UnitOfWork } from '../common/unit-of-work';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { ConflictError, DomainError, InvalidTransitionError, UnprocessableError, ValidationFailedError } from '../domain/errors';
import { applyEvent, computeDue, LifecycleEvent, replay } from '../domain/lifecycle';
import { buildNotice, eventNamesRemedyBodies, MAILED_NOTICE_KINDS, noticeEventIndex, noticeKindForEvent, noticeText } from '../domain/notices';
import { MailOutboxService } from '../notifications/mail-outbox.service';
import { RemedySettingsService } from '../notices/remedy-settings.service';
import { RecordEventDto } from './dto/request.dto';
import { InformationRequestEntity } from './entities/information-request.entity';
import { RequestEventEntity } from './entities/request-event.entity';
import { RequestItemEntity } from './entities/request-item.entity';
import { RequestNoticesService } from './request-notices.service';
import { RequestQueriesService } from './request-queries.service';
import { RequestStore, toLifecycleEvent } from './request-store';
import { PublicStatusView, RequestDetailView } from './request-views';

export interface PreparedStep {
  calendar: Awaited<ReturnType<CalendarService['current']>>;
  today: string;
  remedyBodies: Awaited<ReturnType<RemedySettingsService['current']>>;
}

/** The lifecycle steps of a request (Art. 30–36, D15–D21): each one checked, recorded and mailed in one transaction. */
@Injectable()
export class RequestStepsService {
  private readonly logger = new Logger('Requests');

  constructor(
    private readonly unitOfWork: UnitOfWork,
    private readonly calendars: CalendarService,
    private readonly clock: Clock,
    private readonly outbox: MailOutboxService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly remedySettings: RemedySettingsService,
    private readonly store: RequestStore,
    private readonly notices: RequestNoticesService,
    private readonly queries: RequestQueriesService,
    private readonly agencies: AgenciesService,
  ) {}

  /** Appends one lifecycle step; the request's cached state is recomputed from all events. */
  async recordEvent(id: string, dto: RecordEventDto, actor: Actor, viewer?: Viewer): Promise<RequestDetailView> {
    const prepared = await this.prepareStep(dto, actor);
    try {
      await this.unitOfWork.run((m) => this.recordEventWithin(m, id, dto, actor, prepared));
    } catch (e) {
      if (isUniqueViolation(e)) throw new ConflictError('该申请已被他人同时更新，请刷新后再操作。');
      throw e;
    }
    this.logger.log(`request ${id}: ${dto.type}`);
    return this.queries.getRequest(id, viewer);
  }

  /** What a step needs read before its transaction: the actor's permission checked, the calendar and settings in force. */
  async prepareStep(dto: RecordEventDto, actor: Actor): Promise<PreparedStep> {
    const needed = permissionForEvent(dto.type, dto.outcome, dto.itemOutcomes);
    if (actor.roles && !can(actor.roles, needed)) throw new DomainError('FORBIDDEN', refusalFor(needed));
    return { calendar: await this.calendars.current(), today: this.clock.today(), remedyBodies: await this.remedySettings.current() };
  }

  /** Records one step inside the caller's transaction (a download that delivers the reply logs itself in the same one). */
  async recordEventWithin(m: EntityManager, id: string, dto: RecordEventDto, actor: Actor, prepared: PreparedStep): Promise<void> {
    const { calendar, today } = prepared;
    const { request, items, events, applicant } = await this.store.load(m, id);
    const agencyName = await this.agencies.nameOf(request.agencyId, m);
    // D16 as the request's agency names them: a step recorded outside its agency's scope (the
    // applicant's withdrawal, a delivery) would otherwise have read the root agency's.
    const remedyBodies = scopedAgencyId() === request.agencyId ? prepared.remedyBodies : await this.remedySettings.current(request.agencyId, m);
    if (dto.expectedVersion !== undefined && dto.expectedVersion !== request.version) {
      throw new ConflictError('该申请已被他人更新，请刷新后再操作。');
    }
    const ctx = { calendar, today, itemCount: items.length };
    const state = replay(events.map(toLifecycleEvent), ctx);
    const { type, on, expectedVersion: _v, ...rest } = dto;
    const data: Record<string, unknown> = JSON.parse(JSON.stringify(rest));
    // D6 as the request's agency sets it.
    if (type === 'fee_notice_issued') data.pausesClock = await feePausesClockOf(m, request.agencyId, this.config.feePausesClock);
    // The approving account is the signed-in one; the typed name is only what the notice prints.
    if (type === 'extension_granted') data.approvedByAccount = { id: actor.id, name: actor.label };
    // D16: the names the notice prints are kept with the step, so a reprint reads as the letter sent.
    if (eventNamesRemedyBodies(type)) data.remedyBodies = remedyBodies;
    if (type === 'decided' && data.repeatOf !== undefined) data.repeatOf = await this.earlierReply(m, request, dto);
    if (type === 'decided') await this.checkReferAgency(m, request, data);
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
    await this.store.appendEvent(m, id, events.length + 1, event, actor);
    // D19: withdrawn before receipt, there is no application to reply to: an acknowledgement instead of the reply notice.
    const withdrawnUnreceived = next.status === 'withdrawn';
    if (withdrawnUnreceived && applicant.email) {
      await this.outbox.enqueue(m, {
        kind: 'withdrawal',
        to: applicant.email,
        subject: `【${agencyName}】您已撤回政府信息公开申请（${request.trackingNumber}）`,
        requestId: id,
        context: { trackingNumber: request.trackingNumber, withdrawnOn: on, agencyName },
      });
    }
    const source = () =>
      this.notices.source(
        request,
        applicant,
        items.map((i) => i.description),
        next,
        event,
        calendar,
        remedyBodies,
        agencyName,
      );
    if (type === 'receipt_confirmed' && applicant.email) {
      await this.outbox.enqueue(m, this.notices.receiptMail(buildNotice('receipt', source()), applicant.email, id, null));
    }
    // The applicant's own notices go out by e-mail too, word for word as printed (MAILED_NOTICE_KINDS).
    const kind = noticeKindForEvent(type);
    if (kind && MAILED_NOTICE_KINDS.includes(kind) && !withdrawnUnreceived && applicant.email && noticeEventIndex(kind, [...events, event]) === events.length) {
      const notice = buildNotice(kind, source());
      await this.outbox.enqueue(m, {
        kind: 'notice',
        to: applicant.email,
        subject: `【${agencyName}】${notice.title}（${request.trackingNumber}）`,
        requestId: id,
        context: { notice, text: noticeText(notice), agencyName },
      });
    }
  }

  /** Records who handles a request; an informational event, allowed until conclusion. */
  async assignRequest(id: string, assignee: { id: string; label: string } | null, actor: Actor): Promise<RequestDetailView> {
    await this.unitOfWork.run(async (m) => {
      // The row and the timeline's length are all this needs; the detail is read once, after.
      const request = await this.store.row(m, id);
      if (request.status === 'concluded') throw new ConflictError('已办结的申请不能再指定承办人。');
      const eventCount = await m.count(RequestEventEntity, { where: { requestId: id } });
      const updated = await m.update(InformationRequestEntity, { id, version: request.version }, { assigneeId: assignee?.id ?? null, version: request.version + 1, updatedAt: this.clock.nowIso() });
      if (updated.affected !== 1) throw new ConflictError('该申请已被他人更新，请刷新后再操作。');
      await this.store.appendEvent(m, id, eventCount + 1, { type: 'assigned', on: this.clock.today(), data: { assigneeId: assignee?.id ?? null, assignee: assignee?.label ?? null } }, actor);
    });
    return this.queries.getRequest(id);
  }

  /**
   * D19: the applicant withdraws with the access code. Before receipt the submission is simply
   * withdrawn and counted nowhere; after receipt it concludes as （六）3 like the staff step (D7).
   */
  async withdrawPublic(trackingNumber: string, accessCode: string): Promise<PublicStatusView> {
    const request = await this.queries.findByAccessCode(trackingNumber, accessCode);
    const before = await this.queries.publicStatus(request);
    if (before.status === 'concluded') throw new InvalidTransitionError(`该申请已于 ${before.concludedOn} 办结，不能再撤回。`);
    if (before.status === 'withdrawn') throw new InvalidTransitionError(`该申请已于 ${before.withdrawnOn} 撤回，无需再次撤回。`);
    await this.recordEvent(request.id, Object.assign(new RecordEventDto(), { type: 'withdrawn' as const, on: this.clock.today() }), APPLICANT_WITHDRAWAL_ACTOR);
    return this.queries.publicStatus(request);
  }

  /**
   * D21: a referral naming an agency on this platform keeps its code (the applicant may refile
   * there from the status page); it must be another existing agency, whose name it prints if
   * none was typed.
   */
  private async checkReferAgency(m: EntityManager, request: InformationRequestEntity, data: Record<string, unknown>): Promise<void> {
    const referTo = data.referTo as { agency?: string; agencyCode?: string } | undefined;
    if (!referTo?.agencyCode) return;
    const agency = await this.agencies.byCode(referTo.agencyCode, m);
    if (!agency || agency.id === request.agencyId) throw new UnprocessableError('所选机关不是本平台上的另一个机关。', { 'referTo.agencyCode': '请选择本平台上的另一个机关。' });
    referTo.agencyCode = agency.code;
    if (!referTo.agency?.trim()) referTo.agency = agency.name;
  }

  /** Art. 36(六): the earlier reply a repeat request refers to, checked and kept with the step. */
  private async earlierReply(m: EntityManager, request: InformationRequestEntity, dto: RecordEventDto): Promise<{ trackingNumber: string; concludedOn: string | null }> {
    const number = typeof dto.repeatOf === 'string' ? dto.repeatOf.trim() : '';
    const outcomes = [dto.outcome, ...(dto.itemOutcomes ?? []).map((i) => i.outcome)];
    if (!outcomes.includes('not_processed_repeat')) throw new ValidationFailedError({ repeatOf: '只有“重复申请”的答复才引用此前的答复（《条例》第三十六条第（六）项）。' });
    const earlier = number ? await m.findOneBy(InformationRequestEntity, { trackingNumber: number, agencyId: request.agencyId }) : null;
    if (!earlier || earlier.id === request.id) throw new ValidationFailedError({ repeatOf: '请填写此前已答复的申请编号。' });
    if (earlier.status !== 'concluded' || !earlier.concludedOn || earlier.concludedOn > dto.on) {
      throw new ValidationFailedError({ repeatOf: `申请 ${number} 在本次答复之日前尚未答复，不能作为重复申请引用。` });
    }
    return { trackingNumber: earlier.trackingNumber, concludedOn: earlier.concludedOn };
  }
}
