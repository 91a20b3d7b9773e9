import { inAgencyScope } from '../agencies/agency-scope';
import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { eraseIdentifyingAttachments } from '../attachments/attachment-chunks';
import { Actor, Viewer } from '../auth/actor';
import { can } from '../auth/permissions';
import { Clock } from '../common/clock';
import { insertRows } from '../common/insert-rows';
import { maskTail } from '../common/masking';
import { UnitOfWork } from '../common/unit-of-work';
import { IsoDate } from '../domain/calendar';
import { retentionCutoff } from '../domain/lifecycle';
import { MailOutboxService } from '../notifications/mail-outbox.service';
import { ApplicantEntity } from './entities/applicant.entity';
import { InformationRequestEntity } from './entities/information-request.entity';
import { PersonalDataAccessEntity } from './entities/personal-data-access.entity';
import { RequestEventEntity } from './entities/request-event.entity';
import { RequestStore } from './request-store';
import { RequestDetailView } from './request-views';

/** Applicants' personal data: who may see it (each view recorded), and its erasure after the retention period. */
@Injectable()
export class ApplicantPrivacyService {
  private readonly logger = new Logger('Requests');

  constructor(
    private readonly unitOfWork: UnitOfWork,
    private readonly clock: Clock,
    private readonly outbox: MailOutboxService,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly store: RequestStore,
  ) {}

  /** Full identity and contact data only to roles that need them, and each such view is recorded. */
  async forViewer(view: RequestDetailView, viewer: Viewer): Promise<RequestDetailView> {
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
        insertRows(m, PersonalDataAccessEntity, {
          id: randomUUID(),
          staffId: viewer.staff.id,
          staffName: viewer.staff.displayName,
          requestId: view.id,
          accessedAt: this.clock.nowIso(),
          via: viewer.via,
        }),
      );
    }
    return view;
  }

  async personalDataAccessLog(requestId: string): Promise<Array<{ staffName: string; accessedAt: string; via: string }>> {
    const rows = await this.dataSource.manager.find(PersonalDataAccessEntity, { where: { requestId }, order: { accessedAt: 'DESC' }, take: 50 });
    return rows.map((r) => ({ staffName: r.staffName, accessedAt: r.accessedAt, via: r.via }));
  }

  /** Requests concluded at least `years` years ago whose applicant data is still held. */
  async erasableCount(years: number): Promise<{ count: number; cutoff: IsoDate }> {
    const cutoff = retentionCutoff(this.clock.today(), years);
    const qb = this.dataSource
      .createQueryBuilder(InformationRequestEntity, 'r')
      .innerJoin(ApplicantEntity, 'a', 'a.id = r.applicant_id')
      .where("r.status = 'concluded' AND r.concluded_on <= :cutoff AND a.erased_at IS NULL", { cutoff });
    const count = await inAgencyScope(qb, 'r').getCount();
    return { count, cutoff };
  }

  /**
   * Retention: erase applicant identity and contact data of requests concluded at least `years`
   * years ago. The request rows, their applicant type, dates and outcomes stay, so the
   * statistics do not change. Sent mail to those applicants is deleted with it, and so are the
   * files that identify them (the reply, internal papers).
   */
  async erasePersonalData(years: number, actor: Actor): Promise<number> {
    const { cutoff } = await this.erasableCount(years);
    const today = this.clock.today();
    const erasedMail: string[] = [];
    const erased = await this.unitOfWork.run(async (m) => {
      const erasable = m
        .createQueryBuilder(InformationRequestEntity, 'r')
        .innerJoin(ApplicantEntity, 'a', 'a.id = r.applicant_id')
        .where("r.status = 'concluded' AND r.concluded_on <= :cutoff AND a.erased_at IS NULL", { cutoff });
      // An agency's administrator erases its own agency's applicants (D22).
      const rows = await inAgencyScope(erasable, 'r').getMany();
      const now = this.clock.nowIso();
      for (const r of rows) {
        await m.update(
          ApplicantEntity,
          { id: r.applicantId },
          { name: '（已依保存期限清除）', idDocumentNumber: null, organisationCode: null, phone: null, email: null, address: null, erasedAt: now },
        );
        erasedMail.push(...(await this.outbox.deleteForRequest(m, r.id)));
        // The reply and internal papers name the applicant (src/attachments): their bytes go too.
        await eraseIdentifyingAttachments(m, r.id, now);
        const seq = await m.count(RequestEventEntity, { where: { requestId: r.id } });
        await this.store.appendEvent(m, r.id, seq + 1, { type: 'personal_data_erased', on: today, data: { retentionYears: years } }, actor);
      }
      return rows.length;
    });
    // Copies outside the rows: the mail files, and the old values in SQLite's WAL.
    this.outbox.deleteMailFiles(erasedMail);
    if (!(await this.unitOfWork.checkpoint()))
      this.logger.warn('retention erasure: the WAL checkpoint did not complete (a reader held it); erased values may stay in the -wal file until the next full checkpoint');
    return erased;
  }
}
