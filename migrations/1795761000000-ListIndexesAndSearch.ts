import { MigrationInterface, QueryRunner, TableIndex } from 'typeorm';

/*
 * Every page a clerk opens reads from an index (issue 15). The list indexes end in the list's
 * order (due date, then newest first, then id) so that a page is read in order without a sort;
 * their descending column and the partial "open" index need raw DDL, the plain ones use the
 * Table API. Search: SQLite FTS5 with the trigram tokenizer over one document per request,
 * kept in sync by triggers in the writing transaction; PostgreSQL pg_trgm GIN indexes on the
 * searched columns themselves. The open statuses are written out here as they stand today: a
 * migration does not change afterwards.
 */
const OPEN = `('in_progress', 'awaiting_correction', 'consulting', 'awaiting_fee')`;
const ORDER = 'due_on, submitted_at DESC, id';

const LIST_INDEXES: Array<[string, string]> = [
  ['IDX_information_request_list', `(${ORDER}, status, received_on, concluded_on, outcome)`],
  ['IDX_information_request_status_list', `(status, ${ORDER})`],
  ['IDX_information_request_open_list', `(${ORDER}) WHERE status IN ${OPEN}`],
  ['IDX_information_request_type_list', `(applicant_type, ${ORDER})`],
  ['IDX_information_request_channel_list', `(channel, ${ORDER})`],
  ['IDX_information_request_assignee_list', `(assignee_id, ${ORDER})`],
  // Concluded requests only (open ones, whose due dates move, are not in them): the dashboard's
  // replies of the year (on time, working days) and outcomes, one range per outcome in order;
  // the report's drill-down cells of concluded rows, sorted by number.
  ['IDX_information_request_concluded', `(concluded_on, received_on, outcome, applicant_type, due_on, tracking_number, status) WHERE concluded_on IS NOT NULL`],
  ['IDX_information_request_outcome', `(outcome, concluded_on, received_on, due_on, applicant_type, tracking_number) WHERE outcome IS NOT NULL`],
];

const PLAIN_INDEXES: Array<[string, string, string[]]> = [
  // Dashboard per month and type; drill-down cells of received rows, sorted by number.
  ['information_request', 'IDX_information_request_received', ['received_on', 'applicant_type', 'concluded_on', 'tracking_number', 'due_on']],
  // Art. 36(六): the same applicant by identity number, credit code, name with phone or e-mail.
  ['applicant', 'IDX_applicant_id_document_number', ['id_document_number']],
  ['applicant', 'IDX_applicant_organisation_code', ['organisation_code']],
  ['applicant', 'IDX_applicant_name_phone', ['name', 'phone']],
  ['applicant', 'IDX_applicant_name_email', ['name', 'email']],
];

const REPLACED: Array<[string, string[]]> = [
  ['IDX_information_request_status_due', ['status', 'due_on']],
  ['IDX_information_request_received_on', ['received_on']],
  ['IDX_information_request_concluded_on', ['concluded_on']],
];

// The searchable text of a request: its number, description, applicant name, identity number and
// credit code, separated by a control character no search term contains.
const DOC_OF_REQUEST = (r: string) =>
  `${r}.tracking_number || char(1) || ${r}.description || char(1) || coalesce((SELECT a.name || char(1) || coalesce(a.id_document_number, '') || char(1) || coalesce(a.organisation_code, '') FROM applicant a WHERE a.id = ${r}.applicant_id), '') || char(1)`;

const SQLITE_SEARCH = [
  `CREATE TABLE "request_search_doc" ("seq" integer PRIMARY KEY, "request_id" varchar(36) NOT NULL UNIQUE, "body" text NOT NULL)`,
  `CREATE VIRTUAL TABLE "request_search" USING fts5(body, content='request_search_doc', content_rowid='seq', tokenize='trigram')`,
  // A deleted document's terms leave the index at once: erased names are not kept in it.
  `INSERT INTO "request_search" ("request_search", "rank") VALUES ('secure-delete', 1)`,
  `CREATE TRIGGER "trg_request_search_doc_ai" AFTER INSERT ON "request_search_doc" BEGIN INSERT INTO "request_search" (rowid, body) VALUES (new.seq, new.body); END`,
  `CREATE TRIGGER "trg_request_search_doc_ad" AFTER DELETE ON "request_search_doc" BEGIN INSERT INTO "request_search" ("request_search", rowid, body) VALUES ('delete', old.seq, old.body); END`,
  `CREATE TRIGGER "trg_request_search_doc_au" AFTER UPDATE ON "request_search_doc" BEGIN INSERT INTO "request_search" ("request_search", rowid, body) VALUES ('delete', old.seq, old.body); INSERT INTO "request_search" (rowid, body) VALUES (new.seq, new.body); END`,
  `INSERT INTO "request_search_doc" ("request_id", "body") SELECT r.id, ${DOC_OF_REQUEST('r')} FROM "information_request" r`,
  `CREATE TRIGGER "trg_information_request_search_ai" AFTER INSERT ON "information_request" BEGIN INSERT INTO "request_search_doc" ("request_id", "body") VALUES (new.id, ${DOC_OF_REQUEST('new')}); END`,
  `CREATE TRIGGER "trg_information_request_search_au" AFTER UPDATE OF tracking_number, description, applicant_id ON "information_request" BEGIN UPDATE "request_search_doc" SET "body" = ${DOC_OF_REQUEST('new')} WHERE "request_id" = new.id; END`,
  `CREATE TRIGGER "trg_information_request_search_ad" AFTER DELETE ON "information_request" BEGIN DELETE FROM "request_search_doc" WHERE "request_id" = old.id; END`,
  `CREATE TRIGGER "trg_applicant_search_au" AFTER UPDATE OF name, id_document_number, organisation_code ON "applicant" BEGIN UPDATE "request_search_doc" SET "body" = (SELECT ${DOC_OF_REQUEST('r')} FROM "information_request" r WHERE r.id = "request_search_doc"."request_id") WHERE "request_id" IN (SELECT id FROM "information_request" WHERE applicant_id = new.id); END`,
];

const PG_SEARCH: Array<[string, string, string]> = [
  ['information_request', 'IDX_information_request_search_description', 'description'],
  ['information_request', 'IDX_information_request_search_tracking', 'tracking_number'],
  ['applicant', 'IDX_applicant_search_name', 'name'],
  ['applicant', 'IDX_applicant_search_id_document_number', 'id_document_number'],
  ['applicant', 'IDX_applicant_search_organisation_code', 'organisation_code'],
];

export class ListIndexesAndSearch1795761000000 implements MigrationInterface {
  name = 'ListIndexesAndSearch1795761000000';

  async up(q: QueryRunner): Promise<void> {
    const pg = q.connection.options.type === 'postgres';
    for (const [name] of REPLACED) await q.dropIndex('information_request', name);
    for (const [name, definition] of LIST_INDEXES) await q.query(`CREATE INDEX "${name}" ON "information_request" ${definition}`);
    for (const [table, name, columnNames] of PLAIN_INDEXES) await q.createIndex(table, new TableIndex({ name, columnNames }));
    if (pg) {
      // A trusted extension since PostgreSQL 13: the database owner may create it.
      await q.query('CREATE EXTENSION IF NOT EXISTS pg_trgm');
      for (const [table, name, column] of PG_SEARCH) await q.query(`CREATE INDEX "${name}" ON "${table}" USING gin ("${column}" gin_trgm_ops)`);
    } else {
      for (const statement of SQLITE_SEARCH) await q.query(statement);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    const pg = q.connection.options.type === 'postgres';
    if (pg) {
      for (const [, name] of PG_SEARCH) await q.query(`DROP INDEX "${name}"`);
    } else {
      for (const t of ['trg_applicant_search_au', 'trg_information_request_search_ad', 'trg_information_request_search_au', 'trg_information_request_search_ai']) await q.query(`DROP TRIGGER "${t}"`);
      await q.query('DROP TABLE "request_search"');
      await q.query('DROP TABLE "request_search_doc"');
    }
    for (const [table, name] of PLAIN_INDEXES) await q.dropIndex(table, name);
    for (const [name] of LIST_INDEXES) await q.query(`DROP INDEX "${name}"`);
    for (const [name, columnNames] of REPLACED) await q.createIndex('information_request', new TableIndex({ name, columnNames }));
  }
}
