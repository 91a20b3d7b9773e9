import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Writable } from 'node:stream';
import { DataSource } from 'typeorm';
import { CalendarService } from '../calendar/calendar.service';
import { Clock } from '../common/clock';
import { computeDue } from '../domain/lifecycle';
import { ApplicantEntity } from './entities/applicant.entity';
import { InformationRequestEntity } from './entities/information-request.entity';
import { LedgerFormat, writeCsv, writeXlsx } from './ledger-writers';
import { applyListFilter, RequestListFilter, validateListFilter } from './request-list-filter';
import { LEDGER_COLUMNS, ledgerRow } from './request-ledger';
import { RequestStore } from './request-store';

export interface LedgerQuery extends RequestListFilter {
  /** Applications received in this year (D2: the Art. 31 receipt date). */
  year?: number;
}

interface LedgerRecord {
  id: string;
  trackingNumber: string;
  receivedOn: string | null;
  channel: string;
  applicantType: string;
  applicantName: string;
  description: string;
}

export const LEDGER_CHUNK = 1000;

/**
 * The request ledger (依申请公开台账), read in chunks of LEDGER_CHUNK by keyset so that a year of
 * 100k applications never sits in memory at once. Order: by receipt date, then tracking number;
 * submissions not (yet) received last, by number. Only the applicant's name is selected from the
 * applicant: identity numbers and contact details are never read, so they cannot leak into a file.
 */
@Injectable()
export class RequestLedgerService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly calendars: CalendarService,
    private readonly clock: Clock,
    private readonly store: RequestStore,
  ) {}

  /** Checks the filter now (a bad one is a 400 before anything is sent), then yields the rows chunk by chunk. */
  rows(query: LedgerQuery, chunkSize = LEDGER_CHUNK): AsyncIterable<string[][]> {
    validateListFilter(query);
    return this.chunks(query, chunkSize);
  }

  /** Writes the rows as CSV or XLSX to `out` and ends it; returns the number of rows. */
  writeRows(out: Writable, rows: AsyncIterable<string[][]>, format: LedgerFormat): Promise<number> {
    const sheet = { columns: LEDGER_COLUMNS, sheetName: '依申请公开台账' };
    return format === 'xlsx' ? writeXlsx(out, sheet, rows) : writeCsv(out, sheet, rows);
  }

  private async *chunks(query: LedgerQuery, chunkSize: number): AsyncGenerator<string[][]> {
    const calendar = await this.calendars.current();
    const today = this.clock.today();
    for (const received of [true, false]) {
      if (!received && query.year !== undefined) break;
      let after: LedgerRecord | null = null;
      for (;;) {
        const qb = this.dataSource
          .createQueryBuilder(InformationRequestEntity, 'r')
          .innerJoin(ApplicantEntity, 'a', 'a.id = r.applicant_id')
          .select('r.id', 'id')
          .addSelect('r.tracking_number', 'trackingNumber')
          .addSelect('r.received_on', 'receivedOn')
          .addSelect('r.channel', 'channel')
          .addSelect('r.applicant_type', 'applicantType')
          .addSelect('r.description', 'description')
          .addSelect('a.name', 'applicantName');
        applyListFilter(qb, query, today);
        if (query.year !== undefined) qb.andWhere('r.received_on >= :ledgerFrom AND r.received_on <= :ledgerTo', { ledgerFrom: `${query.year}-01-01`, ledgerTo: `${query.year}-12-31` });
        if (received) {
          qb.andWhere('r.received_on IS NOT NULL');
          if (after) qb.andWhere('(r.received_on > :afterOn OR (r.received_on = :afterOn AND r.tracking_number > :afterNumber))', { afterOn: after.receivedOn, afterNumber: after.trackingNumber });
          qb.orderBy('r.received_on', 'ASC').addOrderBy('r.tracking_number', 'ASC');
        } else {
          qb.andWhere('r.received_on IS NULL');
          if (after) qb.andWhere('r.tracking_number > :afterNumber', { afterNumber: after.trackingNumber });
          qb.orderBy('r.tracking_number', 'ASC');
        }
        const records = await qb.limit(chunkSize).getRawMany<LedgerRecord>();
        if (!records.length) break;
        const states = await this.store.currentStates(
          this.dataSource.manager,
          records.map((r) => r.id),
          calendar,
          today,
        );
        yield records.map((r) => {
          const { state } = states.get(r.id)!;
          return ledgerRow({ ...r, state, due: computeDue(state, calendar, today) });
        });
        if (records.length < chunkSize) break;
        after = records[records.length - 1];
      }
    }
  }
}
