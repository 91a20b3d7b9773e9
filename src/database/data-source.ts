import { dirname } from 'node:path';
import sqlite3 from 'sqlite3';
import { DataSource, DataSourceOptions } from 'typeorm';
import { InitialSchema1795760000000 } from '../../migrations/1795760000000-InitialSchema';
import { StaffEmailAndJobRuns1795760100000 } from '../../migrations/1795760100000-StaffEmailAndJobRuns';
import { ReportsAndReviewCases1795760200000 } from '../../migrations/1795760200000-ReportsAndReviewCases';
import { PersonalDataAccessAndErasure1795760300000 } from '../../migrations/1795760300000-PersonalDataAccessAndErasure';
import { SignInClientsAndServerSecret1795760400000 } from '../../migrations/1795760400000-SignInClientsAndServerSecret';
import { SealedAccessCodes1795760600000 } from '../../migrations/1795760600000-SealedAccessCodes';
import { ReportPublications1795760700000 } from '../../migrations/1795760700000-ReportPublications';
import { ServerSecretEntity } from '../auth/entities/server-secret.entity';
import { StaffLoginClientEntity } from '../auth/entities/staff-login-client.entity';
import { LedgerImports1795760500000 } from '../../migrations/1795760500000-LedgerImports';
import { LedgerImportEntity, LedgerImportRequestEntity } from '../import/entities/ledger-import.entity';
import { ListIndexesAndSearch1795761000000 } from '../../migrations/1795761000000-ListIndexesAndSearch';
import { RequestTallies1795761100000 } from '../../migrations/1795761100000-RequestTallies';
import { LapsedWaitIndexes1795761200000 } from '../../migrations/1795761200000-LapsedWaitIndexes';
import { ReportCellTallies1795761300000 } from '../../migrations/1795761300000-ReportCellTallies';
import { SearchIndexMerging1795761400000 } from '../../migrations/1795761400000-SearchIndexMerging';
import { RequestAttachments1795762000000 } from '../../migrations/1795762000000-RequestAttachments';
import { ShortTermSearchGrams1795762100000 } from '../../migrations/1795762100000-ShortTermSearchGrams';
import { AttachmentDownloadEntity, AttachmentEntity } from '../attachments/entities/attachment.entity';
import { Agencies1795763000000 } from '../../migrations/1795763000000-Agencies';
import { AgencyTallies1795763100000 } from '../../migrations/1795763100000-AgencyTallies';
import { RollupsAndSupervision1795763500000 } from '../../migrations/1795763500000-RollupsAndSupervision';
import { SearchIndexesOffTheRequestRow1795763700000 } from '../../migrations/1795763700000-SearchIndexesOffTheRequestRow';
import { RollupPublicationFrozen1795764000000 } from '../../migrations/1795764000000-RollupPublicationFrozen';
import { RefilesAndMailSenders1795764500000 } from '../../migrations/1795764500000-RefilesAndMailSenders';
import { SearchDocumentsCarryListOrder1795765000000 } from '../../migrations/1795765000000-SearchDocumentsCarryListOrder';
import { WaitingRequestsByNumber1795765100000 } from '../../migrations/1795765100000-WaitingRequestsByNumber';
import { RollupPublicationEntity } from '../rollups/entities/rollup-publication.entity';
import { SupervisionNoteEntity } from '../supervision/entities/supervision-note.entity';
import { AgencyEntity } from '../agencies/entities/agency.entity';
import { PersonalDataAccessEntity } from '../requests/entities/personal-data-access.entity';
import { AgencySettingEntity } from '../reports/entities/agency-setting.entity';
import { ReportPublicationEntity, ReportPublicationEntryEntity } from '../reports/entities/report-publication.entity';
import { ReviewCaseEntity } from '../review-cases/entities/review-case.entity';
import { StaffSessionEntity } from '../auth/entities/staff-session.entity';
import { StaffUserEntity } from '../auth/entities/staff-user.entity';
import { CalendarYearEntity } from '../calendar/entities/calendar-year.entity';
import { IdempotencyRecordEntity } from '../common/entities/idempotency-record.entity';
import { JobRunEntity } from '../common/entities/job-run.entity';
import { AppConfig, loadConfigOrExit } from '../config/app-config';
import { MailOutboxEntity } from '../notifications/entities/mail-outbox.entity';
import { makePrivateDir, makePrivateFile, makeSqliteFilesPrivate } from './private-files';
import { ApplicantEntity } from '../requests/entities/applicant.entity';
import { InformationRequestEntity } from '../requests/entities/information-request.entity';
import { RequestEventEntity } from '../requests/entities/request-event.entity';
import { RequestItemEntity } from '../requests/entities/request-item.entity';
import { RequestRefileEntity } from '../requests/entities/request-refile.entity';
import { TrackingSequenceEntity } from '../requests/entities/tracking-sequence.entity';

export const ENTITIES = [
  ApplicantEntity,
  InformationRequestEntity,
  RequestItemEntity,
  RequestEventEntity,
  TrackingSequenceEntity,
  StaffUserEntity,
  StaffSessionEntity,
  MailOutboxEntity,
  CalendarYearEntity,
  IdempotencyRecordEntity,
  JobRunEntity,
  ReviewCaseEntity,
  AgencySettingEntity,
  ReportPublicationEntity,
  ReportPublicationEntryEntity,
  PersonalDataAccessEntity,
  StaffLoginClientEntity,
  ServerSecretEntity,
  LedgerImportEntity,
  LedgerImportRequestEntity,
  AttachmentEntity,
  AttachmentDownloadEntity,
  AgencyEntity,
  RollupPublicationEntity,
  SupervisionNoteEntity,
  RequestRefileEntity,
];

export const MIGRATIONS = [
  InitialSchema1795760000000,
  StaffEmailAndJobRuns1795760100000,
  ReportsAndReviewCases1795760200000,
  PersonalDataAccessAndErasure1795760300000,
  SignInClientsAndServerSecret1795760400000,
  LedgerImports1795760500000,
  SealedAccessCodes1795760600000,
  ReportPublications1795760700000,
  ListIndexesAndSearch1795761000000,
  RequestTallies1795761100000,
  LapsedWaitIndexes1795761200000,
  ReportCellTallies1795761300000,
  SearchIndexMerging1795761400000,
  RequestAttachments1795762000000,
  ShortTermSearchGrams1795762100000,
  Agencies1795763000000,
  AgencyTallies1795763100000,
  RollupsAndSupervision1795763500000,
  SearchIndexesOffTheRequestRow1795763700000,
  RollupPublicationFrozen1795764000000,
  RefilesAndMailSenders1795764500000,
  SearchDocumentsCarryListOrder1795765000000,
  WaitingRequestsByNumber1795765100000,
];

/** The options shared by the app (TypeOrmModule) and the TypeORM CLI. Never synchronize. */
export function buildDataSourceOptions(config: AppConfig): DataSourceOptions {
  const common = {
    entities: ENTITIES,
    migrations: MIGRATIONS,
    synchronize: false,
    migrationsRun: false,
    logging: false,
  } as const;
  if (config.databaseKind === 'postgres') {
    return { ...common, type: 'postgres', url: config.databaseUrl, extra: { max: 10 } };
  }
  if (config.sqlitePath && config.sqlitePath !== ':memory:') {
    try {
      makePrivateDir(dirname(config.sqlitePath));
    } catch {
      // Reported clearly by the start-up storage check (src/database/storage-check.ts).
    }
  }
  return { ...common, type: 'sqlite', driver: quietSqlite3(), database: config.sqlitePath!, enableWAL: true, busyTimeout: config.busyTimeoutMs };
}

/**
 * The sqlite3 module as TypeORM's driver, minus `verbose()`. TypeORM calls `sqlite3.verbose()`,
 * whose long stack traces capture a stack and `util.inspect` every bound parameter on every
 * call: about a tenth of the CPU time of a registration, for debugging aid we do not use.
 */
function quietSqlite3(): unknown {
  // The database file is created 0600 before SQLite opens it, so its -wal and -shm get the same mode.
  function PrivateDatabase(file: string, ...rest: unknown[]): object {
    if (file && file !== ':memory:' && !file.startsWith('file:')) {
      makePrivateFile(file);
      makeSqliteFilesPrivate(file);
    }
    return oneStatementAtATime(new (sqlite3.Database as new (file: string, ...rest: unknown[]) => object)(file, ...rest));
  }
  const driver = Object.assign(Object.create(sqlite3) as object, { Database: PrivateDatabase });
  return Object.assign(driver, { verbose: () => driver });
}

type Callback = (this: unknown, ...args: unknown[]) => void;
type Method = (this: object, ...args: unknown[]) => object;

/**
 * A connection's statements, one after another. node-sqlite3 runs statements on worker threads
 * but finalizes each on the main thread, under the connection's mutex: a statement finalized while
 * a long one ran on the same connection held the whole event loop until that one's step ended
 * (723 ms for a 700 ms query, in a probe). SQLite runs one statement per connection at a time in
 * any case, so queueing them here costs nothing; the next starts after the previous is finalized.
 */
function oneStatementAtATime<T extends object>(db: T): T {
  let tail: Promise<void> = Promise.resolve();
  for (const name of ['run', 'all', 'get', 'exec'] as const) {
    const original = (db as unknown as Record<string, Method>)[name];
    Object.defineProperty(db, name, {
      value(this: object, ...args: unknown[]): object {
        const at = args.findIndex((a) => typeof a === 'function');
        const callback = at >= 0 ? (args[at] as Callback) : null;
        let done!: () => void;
        const turn = tail;
        tail = new Promise<void>((resolve) => (done = resolve));
        const release = () => setImmediate(done);
        const wrapped: Callback = function (this: unknown, ...results: unknown[]) {
          release();
          callback?.apply(this, results);
        };
        if (at >= 0) args[at] = wrapped;
        else args.push(wrapped);
        void turn.then(() => {
          try {
            original.apply(this, args);
          } catch (e) {
            // Refused before it was queued in the driver: the callback will never come.
            wrapped.call(this, e);
          }
        });
        return this;
      },
    });
  }
  return db;
}

/** Used by the TypeORM CLI: `typeorm -d dist/src/database/data-source.js …`. */
export const dataSource = new DataSource(buildDataSourceOptions(loadConfigOrExit()));
