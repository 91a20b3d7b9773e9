import { AgenciesService } from '../agencies/agencies.service';
import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, In } from 'typeorm';
import { Actor } from '../auth/actor';
import { Clock } from '../common/clock';
import { isUniqueViolation } from '../common/db-errors';
import { UnitOfWork } from '../common/unit-of-work';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { ConflictError, NotFoundError } from '../domain/errors';
import { MailOutboxService } from '../notifications/mail-outbox.service';
import { MailOutboxEntity } from '../notifications/entities/mail-outbox.entity';
import { MailWorker } from '../notifications/mail-worker';
import { RecordEventDto } from '../requests/dto/request.dto';
import { ApplicantEntity } from '../requests/entities/applicant.entity';
import { InformationRequestEntity } from '../requests/entities/information-request.entity';
import { RequestEventEntity } from '../requests/entities/request-event.entity';
import { RequestQueriesService } from '../requests/request-queries.service';
import { PreparedStep, RequestStepsService } from '../requests/request-steps.service';
import { RequestStore } from '../requests/request-store';
import { chunkStream } from './attachment-chunks';
import { PublicAttachmentView, sizeLabel, toPublicAttachmentView } from './attachment-views';
import { AttachmentsService, OpenedFile } from './attachments.service';
import { AttachmentEntity } from './entities/attachment.entity';

/** The applicant's download with the access code: named in the timeline, no personal data. */
export const APPLICANT_DOWNLOAD_ACTOR: Actor = { id: null, label: '申请人（网上下载）' };
const EMAIL_DELIVERY_ACTOR: Actor = { id: null, label: '系统（邮件服务器已接收）' };
const REPLY_MAIL = 'reply-delivery';

/**
 * The reply reaching the applicant (D17): downloaded with the access code from the status page, or
 * sent by e-mail through the outbox. The first download of the reply, or the SMTP server's
 * acceptance of the mail carrying it, records `delivered` through the lifecycle's own step, in the
 * transaction that logs the download or marks the mail sent.
 */
@Injectable()
export class AttachmentDeliveryService implements OnModuleInit {
  constructor(
    private readonly unitOfWork: UnitOfWork,
    private readonly clock: Clock,
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly queries: RequestQueriesService,
    private readonly steps: RequestStepsService,
    private readonly store: RequestStore,
    private readonly attachments: AttachmentsService,
    private readonly outbox: MailOutboxService,
    private readonly worker: MailWorker,
    private readonly agencies: AgenciesService,
  ) {}

  onModuleInit(): void {
    this.worker.readAttachmentsWith((row) => this.mailAttachments(row));
    this.worker.onSent(REPLY_MAIL, {
      prepare: () => this.steps.prepareStep(this.deliveredStep('email', ''), EMAIL_DELIVERY_ACTOR),
      record: (m, row, prepared) => this.recordMailed(m, row, prepared as PreparedStep),
    });
  }

  /** The files the applicant may download: once the request is answered (concluded), those marked visible. */
  async publicList(trackingNumber: string, accessCode: string): Promise<PublicAttachmentView[]> {
    return this.visibleFor(await this.queries.findByAccessCode(trackingNumber, accessCode));
  }

  async visibleFor(request: InformationRequestEntity): Promise<PublicAttachmentView[]> {
    if (request.status !== 'concluded') return [];
    const rows = await this.dataSource.manager.find(AttachmentEntity, { where: { requestId: request.id, status: 'active', visibleToApplicant: true }, order: { uploadedAt: 'ASC' } });
    return [...rows.filter((r) => r.kind === 'reply'), ...rows.filter((r) => r.kind !== 'reply')].map(toPublicAttachmentView);
  }

  /** The applicant's download: a wrong code, another request's file or a hidden one all answer 404 alike. */
  async openForApplicant(trackingNumber: string, accessCode: string, attachmentId: string): Promise<OpenedFile> {
    const request = await this.queries.findByAccessCode(trackingNumber, accessCode);
    const prepared = await this.steps.prepareStep(this.deliveredStep('online', ''), APPLICANT_DOWNLOAD_ACTOR);
    for (let attempt = 1; ; attempt++) {
      try {
        const attachment = await this.unitOfWork.run(async (m) => {
          const row = await this.store.row(m, request.id);
          const a = /^[0-9a-f-]{36}$/i.test(attachmentId) ? await m.findOneBy(AttachmentEntity, { id: attachmentId, requestId: row.id, status: 'active', visibleToApplicant: true }) : null;
          if (!a || row.status !== 'concluded') throw new NotFoundError('未找到该文件。');
          await this.attachments.logDownload(m, a, 'online', null);
          if (a.kind === 'reply' && !(await this.hasDelivery(m, row.id))) {
            await this.steps.recordEventWithin(m, row.id, this.deliveredStep('online', '申请人网上下载答复告知书'), APPLICANT_DOWNLOAD_ACTOR, prepared);
          }
          return a;
        });
        return { attachment, stream: chunkStream(this.dataSource, attachment.id, attachment.chunkCount) };
      } catch (e) {
        // Two first downloads at once (or a staff step at the same moment): once more, and the second finds the delivery the first recorded.
        if ((isUniqueViolation(e) || (e instanceof ConflictError && attempt === 1)) && attempt < 3) continue;
        throw e;
      }
    }
  }

  /**
   * Sends the reply and the visible files to the applicant's e-mail through the outbox; those past
   * ATTACHMENT_MAIL_MAX_MB in all are named with a link to the status page instead.
   */
  async sendByEmail(requestId: string): Promise<{ attached: string[]; linked: string[] }> {
    return this.unitOfWork.run(async (m) => {
      const request = await this.store.row(m, requestId);
      if (request.status !== 'concluded') throw new ConflictError('申请办结后才能送达答复。');
      const applicant = await m.findOneByOrFail(ApplicantEntity, { id: request.applicantId });
      if (!applicant.email) throw new ConflictError('申请人没有留下电子邮箱，不能通过电子邮件送达。');
      const rows = await m.find(AttachmentEntity, { where: { requestId: request.id, status: 'active', visibleToApplicant: true }, order: { uploadedAt: 'ASC' } });
      const files = [...rows.filter((r) => r.kind === 'reply'), ...rows.filter((r) => r.kind !== 'reply')];
      if (!files.some((f) => f.kind === 'reply')) throw new ConflictError('请先上传申请人可见的答复告知书，再通过电子邮件送达。');
      let room = this.config.attachmentMailMaxBytes;
      const attached: AttachmentEntity[] = [];
      const linked: AttachmentEntity[] = [];
      for (const f of files) {
        if (f.size <= room) {
          attached.push(f);
          room -= f.size;
        } else linked.push(f);
      }
      const agencyName = await this.agencies.nameOf(request.agencyId, m);
      const describe = (f: AttachmentEntity) => ({ title: f.title, fileName: f.fileName, sizeLabel: sizeLabel(f.size) });
      const mail = this.outbox.prepare({
        kind: REPLY_MAIL,
        to: applicant.email,
        subject: `【${agencyName}】政府信息公开申请答复（${request.trackingNumber}）`,
        requestId: request.id,
        context: { agencyName, trackingNumber: request.trackingNumber, attached: attached.map(describe), linked: linked.map(describe), statusUrl: `${this.config.publicBaseUrl}/status` },
      });
      await this.outbox.insertPrepared(m, [Object.assign(mail, { attachments: JSON.stringify(attached.map((f) => f.id)) })]);
      return { attached: attached.map((f) => f.id), linked: linked.map((f) => f.id) };
    });
  }

  /** The files a reply mail carries, as streams; one withdrawn or erased since is left out. */
  private async mailAttachments(row: MailOutboxEntity) {
    const ids = JSON.parse(row.attachments ?? '[]') as string[];
    if (!ids.length) return [];
    const rows = await this.dataSource.manager.find(AttachmentEntity, { where: { id: In(ids), status: 'active' } });
    return ids
      .map((id) => rows.find((r) => r.id === id))
      .filter((r): r is AttachmentEntity => !!r)
      .map((r) => ({ filename: r.fileName, contentType: r.contentType, content: chunkStream(this.dataSource, r.id, r.chunkCount) }));
  }

  /** The SMTP server accepted the reply mail: each file counts as received, and the reply as delivered unless it was already. */
  private async recordMailed(m: EntityManager, row: MailOutboxEntity, prepared: PreparedStep): Promise<void> {
    if (!row.requestId) return;
    const ids = JSON.parse(row.attachments ?? '[]') as string[];
    const files = ids.length ? await m.find(AttachmentEntity, { where: { id: In(ids), status: 'active' } }) : [];
    // Without SMTP_URL the message only became an .eml file under data/mail: nothing reached the applicant.
    if (!this.config.smtpUrl) return;
    for (const f of files) await this.attachments.logDownload(m, f, 'email', null);
    if (files.some((f) => f.kind === 'reply') && !(await this.hasDelivery(m, row.requestId))) {
      await this.steps.recordEventWithin(m, row.requestId, this.deliveredStep('email', `电子邮件 ${row.id.slice(0, 8)}`), EMAIL_DELIVERY_ACTOR, prepared);
    }
  }

  /** Recorded once: a reply already delivered (online, by e-mail, by post or in person) is not delivered again. */
  private async hasDelivery(m: EntityManager, requestId: string): Promise<boolean> {
    // PostgreSQL, READ COMMITTED: the request row is locked first, so a delivery committed by another
    // instance after this check cannot slip in before the step below reloads the request.
    if (m.connection.options.type === 'postgres') await m.query('SELECT 1 FROM information_request WHERE id = $1 FOR UPDATE', [requestId]);
    return (await m.count(RequestEventEntity, { where: { requestId, type: 'delivered' } })) > 0;
  }

  private deliveredStep(method: 'online' | 'email', reference: string): RecordEventDto {
    return Object.assign(new RecordEventDto(), { type: 'delivered' as const, on: this.clock.today(), method, ...(reference ? { reference: reference.slice(0, 100) } : {}) });
  }
}
