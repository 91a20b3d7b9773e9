import { Injectable } from '@nestjs/common';
import { CalendarService } from '../calendar/calendar.service';
import { Clock } from '../common/clock';
import { DomainError } from '../domain/errors';
import { Actor, RequestsService } from '../requests/requests.service';
import { LedgerError, validateLedger } from './ledger-import';

export class LedgerInvalidError extends DomainError {
  constructor(readonly errors: LedgerError[]) {
    super('VALIDATION_FAILED', `台账有 ${errors.length} 行有误，未导入任何记录。`, Object.fromEntries(errors.slice(0, 200).map((e) => [`line ${e.line}`, e.message])));
  }
}

export const MAX_LEDGER_BYTES = 50 * 1024 * 1024;

@Injectable()
export class ImportService {
  constructor(
    private readonly requests: RequestsService,
    private readonly calendars: CalendarService,
    private readonly clock: Clock,
  ) {}

  /** All or nothing: every row is validated first; one bad row and nothing is written. */
  async importLedger(text: string, actor: Actor, onProgress?: (done: number, total: number) => void): Promise<{ imported: number; first: string | null; last: string | null }> {
    const { rows, errors } = validateLedger(text, await this.calendars.current(), this.clock.today());
    if (errors.length) throw new LedgerInvalidError(errors);
    if (!rows.length) throw new LedgerInvalidError([{ line: 2, message: '没有数据行。' }]);
    const numbers = await this.requests.importLedger(rows, actor, onProgress);
    return { imported: numbers.length, first: numbers[0] ?? null, last: numbers.at(-1) ?? null };
  }
}
