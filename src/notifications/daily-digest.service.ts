import { runForAgency } from '../agencies/agency-scope';
import { AgenciesService } from '../agencies/agencies.service';
import { insertRows } from '../common/insert-rows';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { Cron } from '@nestjs/schedule';
import { AuthService } from '../auth/auth.service';
import { CalendarService } from '../calendar/calendar.service';
import { Clock } from '../common/clock';
import { isUniqueViolation } from '../common/db-errors';
import { JobRunEntity } from '../common/entities/job-run.entity';
import { UnitOfWork } from '../common/unit-of-work';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { RequestQueriesService } from '../requests/request-queries.service';
import { openDueBy } from '../requests/request-list-query';
import { toListItemView } from '../requests/request-views';
import { DataSource } from 'typeorm';
import { AwaitingConfirmationService } from '../requests/awaiting-confirmation.service';
import { CONFIRMATION_WORKING_DAYS } from '../domain/lifecycle';
import { addDays } from '../domain/calendar';
import { MailOutboxService, PreparedMail } from './mail-outbox.service';
import { InjectJobReadDataSource } from '../database/read-data-source';
import { markNotesDigested, pendingSupervisionNotes } from '../supervision/supervision-notes';

export const DIGEST_JOB = 'daily-digest';

/** Lines per list in a digest message; the rest are counted and linked. */
export const DIGEST_LIST_MAX = 100;

export interface DigestResult {
  ran: boolean;
  recipients: number;
  overdue: number;
  dueSoon: number;
  lapsed: number;
  /** D19: submissions awaiting confirmation for more than CONFIRMATION_WORKING_DAYS working days. */
  awaitingLate: number;
}

/**
 * Every working-day morning, staff get a digest of requests overdue or due within three working
 * days, of lapsed corrections and fees, and of submissions left unconfirmed too long (D19). The (job, day) row makes it run once per day, however
 * many instances are running. The digest carries tracking numbers and dates, no applicant data.
 */
@Injectable()
export class DailyDigestService {
  private readonly logger = new Logger('DailyDigest');

  constructor(
    private readonly queries: RequestQueriesService,
    private readonly awaiting: AwaitingConfirmationService,
    private readonly auth: AuthService,
    private readonly calendars: CalendarService,
    private readonly outbox: MailOutboxService,
    private readonly unitOfWork: UnitOfWork,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    /** The digest's long reads: on the jobs' own read connection (src/database/read-data-source.ts). */
    @InjectJobReadDataSource() private readonly dataSource: DataSource,
    private readonly agencies: AgenciesService,
  ) {}

  @Cron('0 30 8 * * *', { name: DIGEST_JOB, timeZone: 'Asia/Shanghai' })
  async scheduled(): Promise<void> {
    const today = this.clock.today();
    if (!(await this.calendars.current()).isWorkingDay(today)) return;
    const result = await this.sendDailyDigest();
    if (result.ran) this.logger.log(`digest: ${result.recipients} recipients, ${result.overdue} overdue, ${result.dueSoon} due soon, ${result.lapsed} lapsed`);
  }

  async sendDailyDigest(): Promise<DigestResult> {
    const today = this.clock.today();
    const none = { ran: false, recipients: 0, overdue: 0, dueSoon: 0, lapsed: 0, awaitingLate: 0 };
    try {
      await this.unitOfWork.run((m) => insertRows(m, JobRunEntity, { job: DIGEST_JOB, runOn: today, startedAt: this.clock.nowIso(), result: null }));
    } catch (e) {
      if (isUniqueViolation(e)) return none;
      throw e;
    }
    // One digest per agency, to that agency's staff, of that agency's requests (D22).
    const total: DigestResult = { ran: true, recipients: 0, overdue: 0, dueSoon: 0, lapsed: 0, awaitingLate: 0 };
    const mails: PreparedMail[] = [];
    const notesCarried: string[] = [];
    for (const agency of await this.agencies.all()) {
      const part = await runForAgency(agency.id, () => this.agencyDigest(agency.id, agency.name, today, mails, notesCarried));
      for (const k of ['recipients', 'overdue', 'dueSoon', 'lapsed', 'awaitingLate'] as const) total[k] += part[k];
    }
    await this.unitOfWork.run(async (m) => {
      await this.outbox.insertPrepared(m, mails);
      await markNotesDigested(m, notesCarried, today);
      await m.update(JobRunEntity, { job: DIGEST_JOB, runOn: today }, { result: `${total.recipients} recipients` });
    });
    return total;
  }

  /** One agency's digest messages, rendered into `mails`; run inside the agency's scope. */
  private async agencyDigest(agencyId: number, agencyName: string, today: string, mails: PreparedMail[], notesCarried: string[]): Promise<Omit<DigestResult, 'ran'>> {
    const [open, lapsed, awaitingLate, recipients] = await Promise.all([
      this.openItems(),
      this.queries.findLapsed(undefined, this.dataSource.manager),
      this.awaiting.late(this.dataSource.manager),
      this.auth.digestRecipients(agencyId),
    ]);
    // 督办意见 since the last digest (D22): carried once, then marked with this digest's day.
    const notes = recipients.length ? await pendingSupervisionNotes(this.dataSource.manager, agencyId) : [];
    notesCarried.push(...notes.map((n) => n.id));
    const overdue = open.filter((i) => i.overdue);
    const dueSoon = open.filter((i) => i.dueSoon);
    if (!recipients.length) return { recipients: 0, overdue: overdue.length, dueSoon: dueSoon.length, lapsed: lapsed.length, awaitingLate: awaitingLate.length };
    const base = this.config.publicBaseUrl;
    // Each recipient's long message is rendered before the transaction, yielding between them: the
    // write lock is then held only to insert the rows, not while thousands of lines are rendered.
    const soon = addDays((await this.calendars.current()).addWorkingDays(today, 3).date, 1);
    // Each list shows its first DIGEST_LIST_MAX lines and links to the full list: a message of
    // thousands of lines helps no one, and rendering it held the event loop (issue 15).
    const capped = <T>(items: T[], link: string) => ({ items: items.slice(0, DIGEST_LIST_MAX), total: items.length, more: Math.max(0, items.length - DIGEST_LIST_MAX), link });
    const lists = {
      overdue: capped(
        overdue.map((i) => ({ trackingNumber: i.trackingNumber, dueOn: i.dueOn, statusLabel: i.statusLabel, link: `${base}/staff/requests/${i.id}` })),
        `${base}/staff/requests?status=open&overdue=true`,
      ),
      dueSoon: capped(
        dueSoon.map((i) => ({ trackingNumber: i.trackingNumber, dueOn: i.dueOn, statusLabel: i.statusLabel, link: `${base}/staff/requests/${i.id}` })),
        `${base}/staff/requests?status=open&dueBefore=${soon}`,
      ),
      awaitingLate: capped(
        awaitingLate.map((a) => ({ trackingNumber: a.trackingNumber, submittedOn: a.submittedOn, link: `${base}/staff/requests/${a.id}` })),
        `${base}/staff/awaiting`,
      ),
      awaiting: `${base}/staff/awaiting`,
      confirmationWorkingDays: CONFIRMATION_WORKING_DAYS,
      lapsed: capped(
        lapsed.map((l) => ({ trackingNumber: l.trackingNumber, deadline: l.deadline, label: l.kind === 'correction' ? '补正期限已过' : '缴费期限已过', link: `${base}/staff` })),
        `${base}/staff`,
      ),
      dashboard: `${base}/staff`,
      supervisionNotes: notes.map((n) => ({ trackingNumber: n.trackingNumber, note: n.note, by: n.createdBy, link: `${base}/staff/requests/${n.requestId}` })),
    };
    for (const r of recipients) {
      await new Promise((resolve) => setImmediate(resolve));
      mails.push(
        this.outbox.prepare({
          kind: 'digest',
          to: r.email,
          subject: `【${agencyName}】政府信息公开申请每日提醒（${today}）：逾期 ${overdue.length} 件，3个工作日内到期 ${dueSoon.length} 件${awaitingLate.length ? `，超时未确认收到 ${awaitingLate.length} 件` : ''}${notes.length ? `，督办意见 ${notes.length} 条` : ''}`,
          requestId: null,
          context: {
            agencyName,
            today,
            name: r.displayName,
            ...lists,
          },
        }),
      );
    }
    return { recipients: recipients.length, overdue: overdue.length, dueSoon: dueSoon.length, lapsed: lapsed.length, awaitingLate: awaitingLate.length };
  }

  /** Open requests overdue or due within 3 working days, in list order: one read of the open-list index. */
  private async openItems() {
    const today = this.clock.today();
    const soon = (await this.calendars.current()).addWorkingDays(today, 3).date;
    const rows = await openDueBy(this.dataSource.manager, soon);
    return rows.map((r) => toListItemView(r, { name: '', idDocumentNumberMasked: null, phoneMasked: null }, today, soon));
  }
}
