import { Injectable, Logger } from '@nestjs/common';
import { AgenciesService } from '../agencies/agencies.service';
import { Actor } from '../auth/actor';
import { Clock } from '../common/clock';
import { UnitOfWork } from '../common/unit-of-work';
import { shanghaiDateOf } from '../domain/calendar';
import { chineseDate } from '../domain/notices';
import { ConflictError, InvalidTransitionError, UnprocessableError } from '../domain/errors';
import { MailOutboxService } from '../notifications/mail-outbox.service';
import { ApplicantEntity } from './entities/applicant.entity';
import { InformationRequestEntity } from './entities/information-request.entity';
import { RequestEventEntity } from './entities/request-event.entity';
import { RequestStore } from './request-store';

export const TRANSFER_NOTE_MAX = 500;

/**
 * D23: a submission filed with the wrong agency on this platform, not yet confirmed, is forwarded
 * to the right one. The first agency never received it (Art. 31), so no count moves: the request
 * changes agency, keeps its number and access code, and the applicant is told.
 */
@Injectable()
export class RequestTransferService {
  private readonly logger = new Logger('Requests');

  constructor(
    private readonly unitOfWork: UnitOfWork,
    private readonly clock: Clock,
    private readonly store: RequestStore,
    private readonly agencies: AgenciesService,
    private readonly outbox: MailOutboxService,
  ) {}

  async transfer(id: string, input: { agency?: unknown; note?: unknown }, actor: Actor): Promise<void> {
    const code = typeof input.agency === 'string' ? input.agency.trim() : '';
    const note = typeof input.note === 'string' ? input.note.trim() : '';
    if (note.length > TRANSFER_NOTE_MAX) throw new UnprocessableError(`转送说明最多 ${TRANSFER_NOTE_MAX} 个字。`, { note: `最多 ${TRANSFER_NOTE_MAX} 个字。` });
    await this.unitOfWork.run(async (m) => {
      // Another agency's request answers 404, like every other route (the store reads the scope).
      const request = await this.store.row(m, id);
      if (request.status !== 'awaiting_confirmation') {
        throw new InvalidTransitionError('只有尚未确认收到的网上申请才能转送其他机关；确认收到后，请按《条例》第三十六条第（五）项答复并告知申请人向有关机关申请。');
      }
      const target = code ? await this.agencies.byCode(code, m) : null;
      if (!target) throw new UnprocessableError('请选择本平台上的另一个机关。', { agency: code ? '该机关不存在。' : '请选择转送的机关。' });
      if (target.id === request.agencyId) throw new UnprocessableError('申请已在该机关。', { agency: '请选择另一个机关。' });
      const from = await this.agencies.byId(request.agencyId, m);
      const now = this.clock.nowIso();
      const updated = await m.update(
        InformationRequestEntity,
        { id: request.id, version: request.version, status: 'awaiting_confirmation' },
        { agencyId: target.id, version: request.version + 1, updatedAt: now },
      );
      if (updated.affected !== 1) throw new ConflictError('该申请已被他人更新，请刷新后再操作。');
      const seq = await m.count(RequestEventEntity, { where: { requestId: request.id } });
      await this.store.appendEvent(
        m,
        request.id,
        seq + 1,
        { type: 'transferred', on: this.clock.today(), data: { transferFrom: { code: from.code, name: from.name }, transferTo: { code: target.code, name: target.name }, note: note || null } },
        actor,
      );
      const applicant = await m.findOneByOrFail(ApplicantEntity, { id: request.applicantId });
      if (applicant.email) {
        await this.outbox.enqueue(m, {
          kind: 'transfer',
          to: applicant.email,
          subject: `【${from.name}】您的政府信息公开申请已转送${target.name}（${request.trackingNumber}）`,
          requestId: request.id,
          context: {
            agencyName: from.name,
            fromName: from.name,
            toName: target.name,
            trackingNumber: request.trackingNumber,
            submittedOn: chineseDate(shanghaiDateOf(new Date(request.submittedAt))),
            note: note || null,
          },
        });
      }
    });
    this.logger.log(`request ${id} transferred`);
  }

  /** What the transfer answers: the request's number, new agency and status (platform-wide read). */
  async summary(id: string): Promise<Array<{ id: string; trackingNumber: string; agency: string; status: string }>> {
    const r = await this.unitOfWork.run((m) => m.findOneByOrFail(InformationRequestEntity, { id }));
    const agency = await this.agencies.byId(r.agencyId);
    return [{ id: r.id, trackingNumber: r.trackingNumber, agency: agency.code, status: r.status }];
  }
}
