import { AgenciesService } from '../agencies/agencies.service';
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { CalendarService } from '../calendar/calendar.service';
import { Clock } from '../common/clock';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { WorkingCalendar } from '../domain/calendar';
import { NotFoundError } from '../domain/errors';
import { DELIVERY_METHOD_LABELS, DeliveryMethod, LifecycleEvent, replay, RequestState } from '../domain/lifecycle';
import { buildNotice, NoticeKind, noticeEventIndex, noticeText, NoticeView, RemedyBodies } from '../domain/notices';
import { RemedySettingsService } from '../notices/remedy-settings.service';
import { ApplicantEntity } from './entities/applicant.entity';
import { InformationRequestEntity } from './entities/information-request.entity';
import { RequestStore, toLifecycleEvent } from './request-store';

/** The notices a request's steps produce: printed from the record, and mailed (D16, D17). */
@Injectable()
export class RequestNoticesService {
  constructor(
    private readonly calendars: CalendarService,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly remedySettings: RemedySettingsService,
    private readonly store: RequestStore,
    private readonly agencies: AgenciesService,
  ) {}

  /** What a notice is written from: the state right after its step, and the names kept with the step (D16). */
  source(
    request: Pick<InformationRequestEntity, 'trackingNumber' | 'deliveryMethod'>,
    applicant: Pick<ApplicantEntity, 'name'>,
    items: string[],
    state: RequestState,
    event: LifecycleEvent,
    calendar: WorkingCalendar,
    remedyBodies: RemedyBodies,
    /** The request's agency's name (D22). */
    agencyName: string,
  ) {
    return {
      agencyName,
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

  /** The receipt notice by e-mail, with the access code when the applicant has one to learn. */
  receiptMail(notice: NoticeView, email: string, requestId: string, accessCode: string | null) {
    return {
      kind: 'receipt-notice' as const,
      to: email,
      subject: `【${notice.agencyName}】${notice.title}（${notice.trackingNumber}）`,
      requestId,
      context: { notice, text: noticeText(notice), accessCode, agencyName: notice.agencyName },
    };
  }

  /** The printable notice of one kind, written from the latest event of that kind; 404 when there is none yet. */
  async noticeFor(id: string, kind: NoticeKind): Promise<NoticeView> {
    if (!/^[0-9a-f-]{36}$/i.test(id)) throw new NotFoundError('未找到该申请。');
    const calendar = await this.calendars.current();
    const today = this.clock.today();
    const { request, items, events, applicant } = await this.store.load(this.dataSource.manager, id);
    const lifecycle = events.map(toLifecycleEvent);
    const index = noticeEventIndex(kind, lifecycle);
    if (index < 0) throw new NotFoundError('该申请还没有可出具的此类文书。');
    // The state as it stood right after that step: a later step must not rewrite an old letter.
    const state = replay(lifecycle.slice(0, index + 1), { calendar, today, itemCount: items.length });
    const source = this.source(
      request,
      applicant,
      items.map((i) => i.description),
      state,
      lifecycle[index],
      calendar,
      await this.remedySettings.current(request.agencyId),
      await this.agencies.nameOf(request.agencyId),
    );
    return buildNotice(kind, source);
  }
}
