import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager, In, LessThan } from 'typeorm';
import { Permission } from '../auth/permissions';
import { CalendarService } from '../calendar/calendar.service';
import { Clock } from '../common/clock';
import { insertChunks } from '../common/insert-rows';
import { UnitOfWork } from '../common/unit-of-work';
import { MailOutboxEntity } from '../notifications/entities/mail-outbox.entity';
import { ApplicantEntity } from '../requests/entities/applicant.entity';
import { InformationRequestEntity } from '../requests/entities/information-request.entity';
import { PersonalDataAccessEntity } from '../requests/entities/personal-data-access.entity';
import { RequestEventEntity } from '../requests/entities/request-event.entity';
import { RequestItemEntity } from '../requests/entities/request-item.entity';
import { currentAgencyId } from '../agencies/agency-scope';
import { Actor } from '../auth/actor';
import { RequestIntakeService } from '../requests/request-intake.service';
import { LedgerImportEntity, LedgerImportRequestEntity } from './entities/ledger-import.entity';
import { checkLedgerHeader, LedgerError, LedgerRow, LedgerRowChecker } from './ledger-import';
import { ImportJobView, ImportProgress, ImportResult, LedgerForbiddenError, LedgerInvalidError } from './import-outcomes';
import { detectEncoding, LedgerEncoding, LedgerFormatError, LedgerSource, Pacer, readLedgerRecords } from './ledger-reader';

/** Bad lines listed at most (all are counted). */
const MAX_LISTED_ERRORS = 500;
/**
 * Rows per write transaction. Building and binding a chunk's rows runs without a break, so it
 * is kept to a few milliseconds of work (on a busy machine that work may take several times as
 * long in wall time); other writers wait for one chunk at most.
 */
const CHUNK_ROWS = 50;
/** An import that has not moved for this long was interrupted (its process died). */
const STALE_MS = 2 * 60 * 1000;
/** How often progress is saved. */
const PROGRESS_MS = 300;

class ImportAbortedError extends Error {}

/**
 * Ledger back-entry (D4), all or nothing, without stalling anyone else:
 *  1. the file is streamed through csv-parse and every row checked (text, lifecycle, the
 *     importing account's permissions) with nothing kept but the errors; one bad row and
 *     nothing is written;
 *  2. it is streamed again and written in chunks of CHUNK_ROWS rows, one transaction each.
 *     Both passes hand the event loop back after every 5 ms of work (the Pacer), so other
 *     users' requests wait that long at most, and their writes (which queue behind a
 *     transaction on SQLite) one chunk at most. Each chunk records
 *     which requests it wrote; if writing fails, or the process dies and a later start finds
 *     the import stale, those requests are removed again.
 */
@Injectable()
export class ImportService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('Import');
  private readonly running = new Map<string, { aborted: boolean; done: Promise<void> }>();

  constructor(
    private readonly intake: RequestIntakeService,
    private readonly calendars: CalendarService,
    private readonly clock: Clock,
    private readonly unitOfWork: UnitOfWork,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.recoverInterrupted();
  }

  /** On shutdown a running import stops at its next chunk and is undone. */
  async onModuleDestroy(): Promise<void> {
    for (const job of this.running.values()) job.aborted = true;
    await Promise.all([...this.running.values()].map((j) => j.done));
  }

  /** Starts an import in the background; `done` settles when it has finished either way. */
  async start(source: LedgerSource, actor: Actor): Promise<{ id: string; done: Promise<void> }> {
    await this.recoverInterrupted();
    const job = await this.createJob(actor);
    const done = this.launch(job, source, actor).then(
      () => undefined,
      () => undefined,
    );
    return { id: job.id, done };
  }

  /** Runs an import to the end (command line); throws LedgerInvalidError, LedgerForbiddenError, LedgerFormatError. */
  async importLedger(source: LedgerSource, actor: Actor, onProgress?: (progress: ImportProgress) => void): Promise<ImportResult> {
    await this.recoverInterrupted();
    return this.launch(await this.createJob(actor), source, actor, onProgress);
  }

  private launch(job: LedgerImportEntity, source: LedgerSource, actor: Actor, onProgress?: (progress: ImportProgress) => void): Promise<ImportResult> {
    const state = { aborted: false, done: Promise.resolve() };
    const run = this.execute(job, source, actor, state, onProgress);
    state.done = run
      .then(
        () => undefined,
        () => undefined,
      )
      .finally(() => this.running.delete(job.id));
    this.running.set(job.id, state);
    return run;
  }

  /** An import as its own account sees it (its bad lines may quote cells); another account's is not found. */
  async job(id: string, actorId: string | null): Promise<ImportJobView | null> {
    if (!/^[0-9a-f-]{36}$/i.test(id)) return null;
    const job = await this.dataSource.manager.findOneBy(LedgerImportEntity, { id });
    if (!job || job.actorId !== actorId) return null;
    const errors = job.errors ? (JSON.parse(job.errors) as LedgerError[]) : [];
    const running = job.status === 'validating' || job.status === 'writing';
    const percent = job.status === 'completed' ? 100 : job.status === 'writing' ? Math.floor((job.writtenRows / Math.max(job.totalRows, 1)) * 100) : null;
    return {
      id: job.id,
      status: job.status,
      running,
      encoding: job.encoding,
      totalRows: job.totalRows,
      checkedRows: job.checkedRows,
      writtenRows: job.writtenRows,
      percent,
      result: job.status === 'completed' ? { imported: job.writtenRows, first: job.firstTrackingNumber, last: job.lastTrackingNumber } : null,
      message: job.message,
      code: job.status === 'refused' ? (job.errorCode === 'FORBIDDEN' ? 'FORBIDDEN' : 'VALIDATION_FAILED') : null,
      errors,
      more: Math.max(0, job.errorCount - errors.length),
    };
  }

  private async createJob(actor: Actor): Promise<LedgerImportEntity> {
    const now = this.clock.nowIso();
    const job = Object.assign(new LedgerImportEntity(), {
      id: randomUUID(),
      agencyId: currentAgencyId(),
      status: 'validating' as const,
      actorId: actor.id,
      actorLabel: actor.label.slice(0, 100),
      encoding: null,
      totalRows: 0,
      checkedRows: 0,
      writtenRows: 0,
      firstTrackingNumber: null,
      lastTrackingNumber: null,
      message: null,
      errorCount: 0,
      errorCode: null,
      errors: null,
      createdAt: now,
      updatedAt: now,
    });
    await this.unitOfWork.run((m) => m.insert(LedgerImportEntity, job));
    return job;
  }

  private save(id: string, changes: Partial<LedgerImportEntity>, m?: EntityManager): Promise<unknown> {
    const values = { ...changes, updatedAt: this.clock.nowIso() };
    return m ? m.update(LedgerImportEntity, { id }, values) : this.unitOfWork.run((tx) => tx.update(LedgerImportEntity, { id }, values));
  }

  private async execute(job: LedgerImportEntity, source: LedgerSource, actor: Actor, state: { aborted: boolean }, onProgress?: (p: ImportProgress) => void): Promise<ImportResult> {
    const pacer = new Pacer();
    const calendar = await this.calendars.current();
    const today = this.clock.today();
    let checked: { encoding: LedgerEncoding; rows: number };
    try {
      checked = await this.checkAll(job.id, source, actor, calendar, today, pacer, state, onProgress);
    } catch (e) {
      await this.refuse(job.id, e);
      throw e;
    }
    const written: { count: number; first: string | null; last: string | null } = { count: 0, first: null, last: null };
    try {
      await this.save(job.id, { status: 'writing', totalRows: checked.rows });
      await this.writeAll(job.id, job.agencyId, source, checked.encoding, actor, calendar, today, pacer, state, written, checked.rows, onProgress);
      await this.save(job.id, { status: 'completed' });
    } catch (e) {
      const reason = e instanceof ImportAbortedError ? '服务停止' : '写入时出错';
      // Name and code only: a database message may quote the values of a row.
      this.logger.error(
        `import ${job.id} failed after ${written.count} rows: ${e instanceof Error ? e.name : 'error'} ${typeof (e as { code?: unknown }).code === 'string' ? (e as { code: string }).code : ''}`,
      );
      const undone = await this.undo(job.id).catch(() => null);
      await this.save(job.id, {
        status: 'failed',
        message: undone === null ? `${reason}，导入未完成；已写入的 ${written.count} 件将在系统下次启动时撤销。` : `${reason}，导入未完成，已撤销写入的 ${undone} 件，未留下任何记录。请稍后重试。`,
      }).catch(() => undefined);
      throw e;
    }
    this.logger.log(`import ${job.id}: ${written.count} requests`);
    return { imported: written.count, first: written.first, last: written.last };
  }

  /** Pass 1: every row checked, nothing kept but the errors. */
  private async checkAll(
    id: string,
    source: LedgerSource,
    actor: Actor,
    calendar: Awaited<ReturnType<CalendarService['current']>>,
    today: string,
    pacer: Pacer,
    state: { aborted: boolean },
    onProgress?: (p: ImportProgress) => void,
  ): Promise<{ encoding: LedgerEncoding; rows: number }> {
    const encoding = await detectEncoding(source, pacer);
    await this.save(id, { encoding });
    const errors: LedgerError[] = [];
    let errorCount = 0;
    const missing = new Map<Permission, { lines: number[]; count: number }>();
    let forbiddenRows = 0;
    let checker: LedgerRowChecker | null = null;
    let rows = 0;
    let saved = Date.now();
    await readLedgerRecords(source, encoding, pacer, async (cells, line) => {
      if (state.aborted) throw new ImportAbortedError();
      if (!checker) {
        const header = checkLedgerHeader(cells);
        if (header.error !== null) throw new LedgerInvalidError([{ line, message: header.error }]);
        checker = new LedgerRowChecker(header.header, calendar, today, actor.roles ?? null, header.titles);
        return;
      }
      rows++;
      const result = checker.check(cells, line);
      if (result.error) {
        errorCount++;
        if (errors.length < MAX_LISTED_ERRORS) errors.push(result.error);
      }
      if (result.missing.length) forbiddenRows++;
      for (const permission of result.missing) {
        const entry = missing.get(permission) ?? { lines: [], count: 0 };
        entry.count++;
        if (entry.lines.length < 50) entry.lines.push(line);
        missing.set(permission, entry);
      }
      if (Date.now() - saved > PROGRESS_MS) {
        saved = Date.now();
        onProgress?.({ phase: 'checking', done: rows, total: 0 });
        await this.save(id, { checkedRows: rows });
      }
    });
    if (!checker) throw new LedgerInvalidError([{ line: 1, message: '文件为空。' }]);
    if (missing.size)
      throw new LedgerForbiddenError(
        [...missing].map(([permission, m]) => ({ permission, ...m })),
        forbiddenRows,
      );
    if (errorCount) throw new LedgerInvalidError(errors, errorCount);
    if (!rows) throw new LedgerInvalidError([{ line: 2, message: '没有数据行。' }]);
    await this.save(id, { checkedRows: rows });
    return { encoding, rows };
  }

  /** Pass 2: the same rows, checked again on the way, written CHUNK_ROWS at a time. */
  private async writeAll(
    id: string,
    agencyId: number,
    source: LedgerSource,
    encoding: LedgerEncoding,
    actor: Actor,
    calendar: Awaited<ReturnType<CalendarService['current']>>,
    today: string,
    pacer: Pacer,
    state: { aborted: boolean },
    written: { count: number; first: string | null; last: string | null },
    total: number,
    onProgress?: (p: ImportProgress) => void,
  ): Promise<void> {
    let checker: LedgerRowChecker | null = null;
    let chunk: LedgerRow[] = [];
    let saved = 0;
    const flush = async () => {
      if (state.aborted) throw new ImportAbortedError();
      const rows = chunk;
      chunk = [];
      await this.intake.importLedger(rows, actor, agencyId, async (m, done) => {
        await insertChunks(
          m,
          LedgerImportRequestEntity,
          done.map((d) => ({ importId: id, requestId: d.id })),
        );
        written.count += done.length;
        written.first ??= done[0]?.trackingNumber ?? null;
        written.last = done.at(-1)?.trackingNumber ?? written.last;
        if (Date.now() - saved > PROGRESS_MS || written.count === total) {
          saved = Date.now();
          await this.save(id, { writtenRows: written.count, firstTrackingNumber: written.first, lastTrackingNumber: written.last }, m);
        }
      });
      onProgress?.({ phase: 'writing', done: written.count, total });
      await pacer.pace();
    };
    await readLedgerRecords(source, encoding, pacer, async (cells, line) => {
      if (!checker) {
        const header = checkLedgerHeader(cells);
        checker = new LedgerRowChecker(header.header!, calendar, today, actor.roles ?? null, header.titles!);
        return;
      }
      const result = checker.check(cells, line, source.stable);
      // The file was checked a moment ago: a row that fails now means the file changed under us.
      if (!result.row || result.missing.length) throw new Error(`ledger changed between passes at line ${line}`);
      chunk.push(result.row);
      if (chunk.length >= CHUNK_ROWS) await flush();
    });
    if (chunk.length) await flush();
    if (written.count !== total) throw new Error(`ledger changed between passes: ${written.count} of ${total} rows`);
  }

  private async refuse(id: string, e: unknown): Promise<void> {
    if (e instanceof LedgerInvalidError || e instanceof LedgerForbiddenError) {
      await this.save(id, {
        status: 'refused',
        errorCode: e.code,
        message: e.message,
        errors: JSON.stringify(e.errors.slice(0, MAX_LISTED_ERRORS)),
        errorCount: e instanceof LedgerInvalidError ? e.errorCount : e.errors.length,
      });
    } else if (e instanceof LedgerFormatError) {
      await this.save(id, { status: 'refused', errorCode: e.code, message: e.message.slice(0, 500), errorCount: 0 });
    } else {
      await this.save(id, { status: 'failed', message: e instanceof ImportAbortedError ? '服务停止，导入未完成，未写入任何记录。' : '检查台账时出错，未写入任何记录。' }).catch(() => undefined);
    }
  }

  /** Removes what an import wrote, a chunk per transaction; returns how many requests. */
  private async undo(id: string): Promise<number> {
    let removed = 0;
    for (;;) {
      const links = await this.dataSource.manager.find(LedgerImportRequestEntity, { where: { importId: id }, take: 500 });
      if (!links.length) return removed;
      const ids = links.map((l) => l.requestId);
      await this.unitOfWork.run(async (m) => {
        const requests = await m.find(InformationRequestEntity, { select: { id: true, applicantId: true }, where: { id: In(ids) } });
        await m.delete(RequestEventEntity, { requestId: In(ids) });
        await m.delete(RequestItemEntity, { requestId: In(ids) });
        await m.delete(PersonalDataAccessEntity, { requestId: In(ids) });
        await m.delete(MailOutboxEntity, { requestId: In(ids) });
        await m.delete(InformationRequestEntity, { id: In(ids) });
        if (requests.length) await m.delete(ApplicantEntity, { id: In(requests.map((r) => r.applicantId)) });
        await m.delete(LedgerImportRequestEntity, { importId: id, requestId: In(ids) });
      });
      removed += ids.length;
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }

  /**
   * Imports whose process died: nothing moved for STALE_MS. One that was checking wrote
   * nothing; one that was writing is undone, so no import is ever left half-written.
   */
  async recoverInterrupted(): Promise<void> {
    const cutoff = new Date(this.clock.now().getTime() - STALE_MS).toISOString();
    const stale = await this.dataSource.manager.find(LedgerImportEntity, {
      where: [
        { status: 'validating', updatedAt: LessThan(cutoff) },
        { status: 'writing', updatedAt: LessThan(cutoff) },
      ],
    });
    for (const job of stale) {
      if (this.running.has(job.id)) continue;
      const undone = job.status === 'writing' ? await this.undo(job.id) : 0;
      await this.save(job.id, {
        status: 'failed',
        message: job.status === 'writing' ? `导入中断（服务停止），已撤销写入的 ${undone} 件，未留下任何记录。请重新导入。` : '导入中断（服务停止），未写入任何记录。请重新导入。',
      });
      this.logger.warn(`import ${job.id} was interrupted; undone ${undone} requests`);
    }
  }
}
