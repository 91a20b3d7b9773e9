import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { Viewer } from '../auth/actor';
import { CalendarService } from '../calendar/calendar.service';
import { Clock } from '../common/clock';
import { InjectReadDataSource } from '../database/read-data-source';
import { maskTail } from '../common/masking';
import { isPossibleRepeat, NOT_ANSWERED_OUTCOMES, textSimilarity } from '../domain/applicants';
import { addDays, IsoDate } from '../domain/calendar';
import { NotFoundError } from '../domain/errors';
import { allowedSteps, computeDue, dueSoonBy, feeNoticesLapsedBy, lapsedDeadline, Outcome, outcomeLabel, replay } from '../domain/lifecycle';
import { ApplicantPrivacyService } from './applicant-privacy.service';
import { ListRequestsQueryDto } from './dto/request.dto';
import { ApplicantEntity } from './entities/applicant.entity';
import { InformationRequestEntity } from './entities/information-request.entity';
import { RequestEventEntity } from './entities/request-event.entity';
import { validateListFilter } from './request-list-filter';
import { lapsedRequests, listRequestIds, loadListed } from './request-list-query';
import { RequestStore, toLifecycleEvent } from './request-store';
import { PossibleRepeat, PublicStatusView, RequestDetailView, RequestListItemView, toDetailView, toListItemView, toPublicStatusView } from './request-views';
import { accessCodeMatches } from './tracking-number';

const PAGE_SIZE = 20;

/** What staff and applicants read: a request's detail, the lists, the public status, the watch lists. */
@Injectable()
export class RequestQueriesService {
  constructor(
    private readonly calendars: CalendarService,
    private readonly clock: Clock,
    /** Reads outside a transaction never queue behind the writer (src/database/read-data-source.ts). */
    @InjectReadDataSource() private readonly reader: DataSource,
    private readonly store: RequestStore,
    private readonly privacy: ApplicantPrivacyService,
  ) {}

  async getRequest(id: string, viewer?: Viewer): Promise<RequestDetailView> {
    if (!/^[0-9a-f-]{36}$/i.test(id)) throw new NotFoundError('未找到该申请。');
    const calendar = await this.calendars.current();
    const today = this.clock.today();
    const { request, items, events, applicant } = await this.store.load(this.reader.manager, id);
    const state = replay(events.map(toLifecycleEvent), { calendar, today, itemCount: items.length });
    const due = computeDue(state, calendar, today);
    const possibleRepeats = state.status === 'concluded' ? [] : await this.findPossibleRepeats(request, applicant);
    const view = toDetailView({ request, items, events, applicant, state, due, allowed: allowedSteps(state), possibleRepeats });
    return viewer ? this.privacy.forViewer(view, viewer) : view;
  }

  /** A page of the list; `total: false` skips the count (the first page only), `items: false` skips the rows. */
  async listRequests(query: ListRequestsQueryDto, opts: { total?: boolean; items?: boolean } = {}): Promise<{ items: RequestListItemView[]; total: number; page: number; pageSize: number }> {
    validateListFilter(query);
    const today = this.clock.today();
    const page = Math.max(1, Number(query.page ?? 1));
    const { page: _page, ...filters } = query;
    const { ids, total } = await listRequestIds(this.reader.manager, filters, today, (page - 1) * PAGE_SIZE, opts.items === false ? 0 : PAGE_SIZE, opts.total !== false || page > 1);
    const rows = await loadListed(this.reader.manager, ids);
    const soon = dueSoonBy(today, await this.calendars.current());
    const items = rows.map(({ request, applicant }) =>
      toListItemView(request, { name: applicant.name, idDocumentNumberMasked: maskTail(applicant.idDocumentNumber), phoneMasked: maskTail(applicant.phone) }, today, soon),
    );
    return { items, total: total ?? items.length, page, pageSize: PAGE_SIZE };
  }

  /** Open requests due within DUE_SOON_WORKING_DAYS working days and not overdue: all of them, not one page's. */
  async countDueSoon(): Promise<number> {
    const today = this.clock.today();
    const by = dueSoonBy(today, await this.calendars.current());
    const { total } = await this.listRequests(Object.assign(new ListRequestsQueryDto(), { status: 'open', overdue: 'false', dueBefore: addDays(by, 1) }), { items: false });
    return total;
  }

  /** The tracking numbers of the given requests (for links from other records). */
  trackingNumbers(ids: string[]): Promise<Array<{ id: string; trackingNumber: string }>> {
    return this.store.trackingNumbers(ids);
  }

  /** A wrong access code and an unknown number answer exactly alike. */
  async lookupPublic(trackingNumber: string, accessCode: string): Promise<PublicStatusView> {
    return this.publicStatus(await this.findByAccessCode(trackingNumber, accessCode));
  }

  /** D23: a request's transfers before receipt, oldest first, as its status page states them. */
  async transfersOf(requestId: string): Promise<Array<{ on: string; from: string; to: string }>> {
    const rows = await this.reader.manager.find(RequestEventEntity, { where: { requestId, type: 'transferred' }, order: { seq: 'ASC' } });
    return rows.map((e) => {
      const data = JSON.parse(e.payload) as { transferFrom?: { name?: string }; transferTo?: { name?: string } };
      return { on: e.occurredOn, from: data.transferFrom?.name ?? '', to: data.transferTo?.name ?? '' };
    });
  }

  /** The request behind a tracking number and its access code; a wrong code and an unknown number answer alike. */
  async findByAccessCode(trackingNumber: string, accessCode: string): Promise<InformationRequestEntity> {
    const notFound = new NotFoundError('未找到该申请，请核对申请编号和查询码。');
    if (typeof trackingNumber !== 'string' || typeof accessCode !== 'string' || trackingNumber.length > 20 || accessCode.length > 20) throw notFound;
    const request = await this.reader.manager.findOneBy(InformationRequestEntity, { trackingNumber: trackingNumber.trim() });
    const hash = request?.accessCodeHash ?? '0'.repeat(64);
    if (!accessCodeMatches(trackingNumber.trim(), accessCode, hash) || !request) throw notFound;
    return request;
  }

  /** The applicant's status view of a request already found by its access code (findByAccessCode): never call it without. */
  async publicStatus(request: InformationRequestEntity): Promise<PublicStatusView> {
    const calendar = await this.calendars.current();
    const today = this.clock.today();
    const { events, state } = await this.store.currentState(this.reader.manager, request.id, calendar, today);
    return toPublicStatusView(request, state, computeDue(state, calendar, today), events);
  }

  /**
   * Art. 36(六): an earlier, answered request of the same applicant for the same information.
   * Same applicant = same identity number or credit code, or same name with the same phone or e-mail.
   */
  async findPossibleRepeats(request: InformationRequestEntity, applicant: ApplicantEntity): Promise<PossibleRepeat[]> {
    const same: string[] = [];
    const params: Record<string, string> = {};
    const sameIf = (value: string | null, sql: string, values: Record<string, string>) => {
      if (!value) return;
      same.push(sql);
      Object.assign(params, values);
    };
    sameIf(applicant.idDocumentNumber, 'a.id_document_number = :idn', { idn: applicant.idDocumentNumber! });
    sameIf(applicant.organisationCode, 'a.organisation_code = :org', { org: applicant.organisationCode! });
    sameIf(applicant.phone, '(a.name = :name AND a.phone = :phone)', { name: applicant.name, phone: applicant.phone! });
    sameIf(applicant.email, '(a.name = :name AND a.email = :email)', { name: applicant.name, email: applicant.email! });
    if (!same.length) return [];
    // The same applicant is found through the identity indexes first, then their requests.
    const earlier = await this.reader
      .createQueryBuilder(InformationRequestEntity, 'r')
      .where(`r.applicant_id IN (SELECT a.id FROM applicant a WHERE ${same.join(' OR ')})`, params)
      .andWhere('r.id <> :id', { id: request.id })
      // Art. 36(六): a repeat of what this agency answered (D22).
      .andWhere('r.agency_id = :agencyId', { agencyId: request.agencyId })
      .andWhere("r.status = 'concluded'")
      .andWhere('r.outcome NOT IN (:...notAnswered)', { notAnswered: NOT_ANSWERED_OUTCOMES })
      .orderBy('r.concluded_on', 'DESC')
      .limit(50)
      .getMany();
    return earlier
      .map((r) => ({
        id: r.id,
        trackingNumber: r.trackingNumber,
        concludedOn: r.concludedOn!,
        outcomeLabel: outcomeLabel(r.outcome as Outcome),
        similarity: textSimilarity(r.description, request.description),
      }))
      .filter((r) => isPossibleRepeat(r.similarity))
      .sort((a, b) => b.similarity - a.similarity);
  }

  /** Corrections and fees whose deadline has passed: ready to be concluded with one click. At most `limit`, by tracking number. */
  async findLapsed(
    limit?: number,
    m: EntityManager = this.reader.manager,
  ): Promise<Array<{ id: string; trackingNumber: string; kind: 'correction' | 'fee'; deadline: IsoDate; eventType: 'correction_lapsed' | 'fee_lapsed' }>> {
    const calendar = await this.calendars.current();
    const today = this.clock.today();
    const waiting = await lapsedRequests(m, today, feeNoticesLapsedBy(today, calendar), limit);
    const states = await this.store.currentStates(
      m,
      waiting.map((r) => r.id),
      calendar,
      today,
    );
    const lapsed = [];
    for (const r of waiting) {
      const lapse = lapsedDeadline(states.get(r.id)!.state, today);
      if (lapse) lapsed.push({ id: r.id, trackingNumber: r.trackingNumber, ...lapse });
    }
    return lapsed;
  }
}
