import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { Interval } from '@nestjs/schedule';
import { OPEN_STATUS_SQL, WAITING_STATUS_SQL } from './request-list-query';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { UnitOfWork } from '../common/unit-of-work';

/**
 * The SQLite search documents and the list indexes of migration 1795761000000 (led by the agency
 * since migration 1795763100000), as they stand now.
 *
 * TypeORM changes a SQLite table by copying it into a new one: the copy has none of the old
 * table's triggers, and its indexes are rebuilt without their DESC columns. A later migration
 * that adds a column to `information_request` or `applicant` would thus silently stop the
 * search documents from following the writes (erasure included) and the lists from reading in
 * order. At start-up this puts back what is missing and brings the documents up to date; the
 * state check (`npm run state:verify`) compares every document (its text and its list keys,
 * migration 1795765000000) with its request.
 */
const DOC_OF_REQUEST = (r: string) =>
  `${r}.tracking_number || char(1) || ${r}.description || char(1) || coalesce((SELECT a.name || char(1) || coalesce(a.id_document_number, '') || char(1) || coalesce(a.organisation_code, '') FROM applicant a WHERE a.id = ${r}.applicant_id), '') || char(1)`;

const ORDER = 'due_on, submitted_at DESC, id';

const SQLITE_INDEXES: Array<[string, string]> = [
  ['IDX_information_request_list', `CREATE INDEX "IDX_information_request_list" ON "information_request" (agency_id, ${ORDER}, status, received_on, concluded_on, outcome)`],
  ['IDX_information_request_status_list', `CREATE INDEX "IDX_information_request_status_list" ON "information_request" (agency_id, status, ${ORDER})`],
  ['IDX_information_request_open_list', `CREATE INDEX "IDX_information_request_open_list" ON "information_request" (agency_id, ${ORDER}) WHERE status IN ${OPEN_STATUS_SQL}`],
  ['IDX_information_request_type_list', `CREATE INDEX "IDX_information_request_type_list" ON "information_request" (agency_id, applicant_type, ${ORDER})`],
  ['IDX_information_request_channel_list', `CREATE INDEX "IDX_information_request_channel_list" ON "information_request" (agency_id, channel, ${ORDER})`],
  ['IDX_information_request_assignee_list', `CREATE INDEX "IDX_information_request_assignee_list" ON "information_request" (agency_id, assignee_id, ${ORDER})`],
  [
    'IDX_information_request_concluded',
    `CREATE INDEX "IDX_information_request_concluded" ON "information_request" (agency_id, concluded_on, received_on, outcome, applicant_type, due_on, tracking_number, status) WHERE concluded_on IS NOT NULL`,
  ],
  ['IDX_information_request_waiting', `CREATE INDEX "IDX_information_request_waiting" ON "information_request" (agency_id, tracking_number) WHERE status IN ${WAITING_STATUS_SQL}`],
  [
    'IDX_information_request_outcome',
    `CREATE INDEX "IDX_information_request_outcome" ON "information_request" (agency_id, outcome, concluded_on, received_on, due_on, applicant_type, tracking_number) WHERE outcome IS NOT NULL`,
  ],
];

export const SQLITE_SEARCH_TRIGGERS: Array<[string, string]> = [
  [
    'trg_information_request_search_ai',
    `CREATE TRIGGER "trg_information_request_search_ai" AFTER INSERT ON "information_request" BEGIN INSERT INTO "request_search_doc" ("request_id", "body", "agency_id", "due_on", "submitted_at") VALUES (new.id, ${DOC_OF_REQUEST('new')}, new.agency_id, new.due_on, new.submitted_at); END`,
  ],
  [
    'trg_information_request_search_keys_au',
    `CREATE TRIGGER "trg_information_request_search_keys_au" AFTER UPDATE OF agency_id, due_on, submitted_at ON "information_request" WHEN old.agency_id IS NOT new.agency_id OR old.due_on IS NOT new.due_on OR old.submitted_at IS NOT new.submitted_at BEGIN UPDATE "request_search_doc" SET "agency_id" = new.agency_id, "due_on" = new.due_on, "submitted_at" = new.submitted_at WHERE "request_id" = new.id; END`,
  ],
  [
    'trg_information_request_search_au',
    `CREATE TRIGGER "trg_information_request_search_au" AFTER UPDATE OF tracking_number, description, applicant_id ON "information_request" BEGIN UPDATE "request_search_doc" SET "body" = ${DOC_OF_REQUEST('new')} WHERE "request_id" = new.id; END`,
  ],
  [
    'trg_information_request_search_ad',
    `CREATE TRIGGER "trg_information_request_search_ad" AFTER DELETE ON "information_request" BEGIN DELETE FROM "request_search_doc" WHERE "request_id" = old.id; END`,
  ],
  [
    'trg_applicant_search_au',
    `CREATE TRIGGER "trg_applicant_search_au" AFTER UPDATE OF name, id_document_number, organisation_code ON "applicant" BEGIN UPDATE "request_search_doc" SET "body" = (SELECT ${DOC_OF_REQUEST('r')} FROM "information_request" r WHERE r.id = "request_search_doc"."request_id") WHERE "request_id" IN (SELECT id FROM "information_request" WHERE applicant_id = new.id); END`,
  ],
];

/** A document whose text or list keys (migration 1795765000000) differ from its request's. */
const STALE = (d: string) => `(${d}.body IS NOT ${DOC_OF_REQUEST('r')} OR ${d}.agency_id IS NOT r.agency_id OR ${d}.due_on IS NOT r.due_on OR ${d}.submitted_at IS NOT r.submitted_at)`;
const STALE_DOCS = `SELECT COUNT(*) AS n FROM information_request r LEFT JOIN request_search_doc d ON d.request_id = r.id WHERE ${STALE('d')}`;
const ORPHAN_DOCS = 'SELECT COUNT(*) AS n FROM request_search_doc d WHERE NOT EXISTS (SELECT 1 FROM information_request r WHERE r.id = d.request_id)';

/** The name of the merge's timer (mergeSome), for the scheduler's registry. */
export const SEARCH_MERGE_TIMER = 'search-index-merge';

export interface SearchIndexReport {
  /** Requests whose search document is missing or out of date, and documents without a request. */
  mismatched: number;
  repaired: number;
}

@Injectable()
export class SearchIndexService implements OnModuleInit {
  private readonly logger = new Logger('SearchIndex');

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly unitOfWork: UnitOfWork,
  ) {}

  private get sqliteWithSearch(): Promise<boolean> {
    if (this.dataSource.options.type !== 'sqlite') return Promise.resolve(false);
    return this.dataSource.query("SELECT COUNT(*) AS n FROM sqlite_master WHERE name = 'request_search_doc'").then((r: Array<{ n: number }>) => r[0].n > 0);
  }

  /**
   * SQLite: a little of the FTS5 index's segment merging (200 pages, some milliseconds) every two
   * seconds, in its own short transaction, so that no insert has to do a large "crisis merge"
   * while other requests wait (migration 1795761400000). Nothing to merge costs nothing.
   */
  private hasSearchIndex: boolean | undefined;

  @Interval(SEARCH_MERGE_TIMER, 2000)
  async mergeSome(): Promise<void> {
    // Asked of sqlite_master once, not every two seconds: migrations do not run while the app does.
    this.hasSearchIndex ??= await this.sqliteWithSearch;
    if (!this.hasSearchIndex) return;
    await this.unitOfWork
      .run((m) => m.query(`INSERT INTO "request_search" ("request_search", "rank") VALUES ('merge', 200)`))
      .catch((e: Error) => this.logger.warn(`search index merge failed: ${e.message}`));
  }

  async onModuleInit(): Promise<void> {
    if (!(await this.sqliteWithSearch)) return;
    const present = new Map(
      (await this.dataSource.query<Array<{ name: string; sql: string | null }>>("SELECT name, sql FROM sqlite_master WHERE type IN ('index', 'trigger')")).map((r) => [r.name, r.sql]),
    );
    const same = (a: string | null | undefined, b: string) => (a ?? '').replace(/\s+/g, ' ') === b.replace(/\s+/g, ' ');
    const indexes = SQLITE_INDEXES.filter(([name, sql]) => !same(present.get(name), sql));
    const triggers = SQLITE_SEARCH_TRIGGERS.filter(([name, sql]) => !same(present.get(name), sql));
    if (!indexes.length && !triggers.length) return;
    // Before the application serves anything, but in the queue all the same: another module's
    // timer may already have started.
    await this.unitOfWork.run(async (m) => {
      for (const [name, sql] of [...indexes, ...triggers]) {
        await m.query(`DROP ${sql.startsWith('CREATE INDEX') ? 'INDEX' : 'TRIGGER'} IF EXISTS "${name}"`);
        await m.query(sql);
      }
      if (triggers.length) await this.resync(m);
    });
    this.logger.warn(`restored ${[...indexes, ...triggers].map(([name]) => name).join(', ')}`);
  }

  /** Every request's search document against its request and applicant; with `repair`, rewrites the ones that differ. */
  async verify(repair: boolean): Promise<SearchIndexReport> {
    if (!(await this.sqliteWithSearch)) return { mismatched: 0, repaired: 0 };
    const count = async (sql: string) => Number((await this.dataSource.query<Array<{ n: number }>>(sql))[0].n);
    const mismatched = (await count(STALE_DOCS)) + (await count(ORPHAN_DOCS));
    if (!repair || !mismatched) return { mismatched, repaired: 0 };
    await this.unitOfWork.run((m) => this.resync(m));
    return { mismatched, repaired: mismatched };
  }

  private async resync(m: EntityManager): Promise<void> {
    await m.query('DELETE FROM request_search_doc WHERE NOT EXISTS (SELECT 1 FROM information_request r WHERE r.id = request_search_doc.request_id)');
    // The text only where it differs: rewriting it rewrites the document's FTS entries.
    await m.query(
      `UPDATE request_search_doc SET body = (SELECT ${DOC_OF_REQUEST('r')} FROM information_request r WHERE r.id = request_search_doc.request_id) WHERE body IS NOT (SELECT ${DOC_OF_REQUEST('r')} FROM information_request r WHERE r.id = request_search_doc.request_id)`,
    );
    await m.query(
      `UPDATE request_search_doc SET (agency_id, due_on, submitted_at) = (SELECT r.agency_id, r.due_on, r.submitted_at FROM information_request r WHERE r.id = request_search_doc.request_id) WHERE EXISTS (SELECT 1 FROM information_request r WHERE r.id = request_search_doc.request_id AND ${STALE('request_search_doc')})`,
    );
    await m.query(
      `INSERT INTO request_search_doc (request_id, body, agency_id, due_on, submitted_at) SELECT r.id, ${DOC_OF_REQUEST('r')}, r.agency_id, r.due_on, r.submitted_at FROM information_request r WHERE NOT EXISTS (SELECT 1 FROM request_search_doc d WHERE d.request_id = r.id)`,
    );
  }
}
