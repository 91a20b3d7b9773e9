import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { insertChunks } from '../common/insert-rows';
import { isDatabaseUnavailable } from '../common/db-errors';
import { UnitOfWork } from '../common/unit-of-work';
import { MailOutboxService, OutgoingMail } from '../notifications/mail-outbox.service';
import { ApplicantEntity } from './entities/applicant.entity';
import { InformationRequestEntity } from './entities/information-request.entity';
import { RequestEventEntity } from './entities/request-event.entity';
import { RequestItemEntity } from './entities/request-item.entity';
import { allocateTrackingNumbers, hashAccessCode } from './tracking-number';

/** A new request, complete but for its tracking number (given out when it is written). */
export interface IntakeDraft {
  year: number;
  accessCode: string;
  applicant: ApplicantEntity;
  request: Omit<InformationRequestEntity, 'trackingNumber' | 'accessCodeHash'>;
  items: RequestItemEntity[];
  /** Its lifecycle so far: the first event for a new request, the whole history for a ledger row. */
  events: RequestEventEntity[];
  /** The applicant's acknowledgement, once the number is known. */
  mail?: (trackingNumber: string) => OutgoingMail;
  /** More rows that stand or fall with the request (a refile's record, D21), written in its transaction. */
  alsoWrite?: (m: EntityManager, trackingNumber: string) => Promise<void>;
}

interface Pending {
  draft: IntakeDraft;
  resolve: (trackingNumber: string) => void;
  reject: (error: unknown) => void;
}

/** New requests per transaction at most. */
const MAX_BATCH = 400;
/** Request rows per INSERT: their triggers (search document, tallies) make each row about a millisecond of work. */
const REQUESTS_PER_STATEMENT = 10;

/**
 * Group commit for new requests. While one transaction is being written, the requests that
 * arrive meanwhile wait and are then written together: one transaction, one block of tracking
 * numbers, one multi-row INSERT per table. A request is answered only after its transaction
 * committed. Nothing waits on a timer, so a lone request is written at once.
 *
 * If a group's transaction fails, each of its requests is retried alone, so one request that
 * cannot be written never takes the others with it; each caller gets its own outcome. When the
 * database itself is unavailable (busy, full, unreachable) the whole group fails at once.
 */
@Injectable()
export class IntakeWriter {
  private readonly queue: Pending[] = [];
  private flushing = false;

  constructor(
    private readonly unitOfWork: UnitOfWork,
    private readonly outbox: MailOutboxService,
  ) {}

  /** Resolves with the tracking number once the request is committed. */
  write(draft: IntakeDraft): Promise<string> {
    return new Promise<string>((resolve, reject) => {
      this.queue.push({ draft, resolve, reject });
      if (!this.flushing) void this.flush();
    });
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    try {
      while (this.queue.length) {
        const group = this.queue.splice(0, MAX_BATCH);
        try {
          const numbers = await this.unitOfWork.run((m) =>
            this.insertGroup(
              m,
              group.map((p) => p.draft),
            ),
          );
          group.forEach((p, i) => p.resolve(numbers[i]));
        } catch (error) {
          // Alone, a request fares no better against a busy, full or unreachable database:
          // every caller gets the 503 now instead of waiting out the busy timeout once each.
          if (group.length === 1 || isDatabaseUnavailable(error)) {
            group.forEach((p) => p.reject(error));
            continue;
          }
          for (const p of group) {
            try {
              const [number] = await this.unitOfWork.run((m) => this.insertGroup(m, [p.draft]));
              p.resolve(number);
            } catch (alone) {
              p.reject(alone);
            }
          }
        }
      }
    } finally {
      this.flushing = false;
    }
  }

  /** Writes the drafts inside the caller's transaction; returns their tracking numbers, in order. */
  async insertGroup(m: EntityManager, drafts: IntakeDraft[]): Promise<string[]> {
    const numbers: string[] = new Array<string>(drafts.length);
    // One block of numbers per agency and year: each agency has its own sequences (D22).
    const keys = [...new Set(drafts.map((d) => `${d.request.agencyId}:${d.year}`))].sort();
    for (const key of keys) {
      const indexes = drafts.flatMap((d, i) => (`${d.request.agencyId}:${d.year}` === key ? [i] : []));
      const { agencyId } = drafts[indexes[0]].request;
      const block = await allocateTrackingNumbers(m, drafts[indexes[0]].year, indexes.length, agencyId);
      indexes.forEach((i, k) => (numbers[i] = block[k]));
    }
    const requests = drafts.map((d, i) => Object.assign(new InformationRequestEntity(), d.request, { trackingNumber: numbers[i], accessCodeHash: hashAccessCode(numbers[i], d.accessCode) }));
    await insertChunks(
      m,
      ApplicantEntity,
      drafts.map((d) => d.applicant),
    );
    // Each request row feeds the search index and the tallies by trigger: a few rows per statement.
    await insertChunks(m, InformationRequestEntity, requests, REQUESTS_PER_STATEMENT);
    await insertChunks(
      m,
      RequestItemEntity,
      drafts.flatMap((d) => d.items),
    );
    await insertChunks(
      m,
      RequestEventEntity,
      drafts.flatMap((d) => d.events),
    );
    for (const [i, d] of drafts.entries()) if (d.alsoWrite) await d.alsoWrite(m, numbers[i]);
    const mails = drafts.flatMap((d, i) => (d.mail ? [d.mail(numbers[i])] : []));
    if (mails.length) await this.outbox.enqueueMany(m, mails);
    return numbers;
  }
}
