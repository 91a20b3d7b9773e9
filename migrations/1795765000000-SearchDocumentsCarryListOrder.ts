import { MigrationInterface, QueryRunner } from 'typeorm';

/*
 * SQLite: each search document (migration 1795761000000) carries its request's agency, due date
 * and submission time, the keys of the list's order, kept by a trigger on the request. A search
 * with no other filter counts and sorts its matches on the documents alone: a phrase matching
 * 1,270 of 1M requests took 9–13 ms looking each one up in the request table, 4 ms without
 * (issue 15). The FTS index is rewritten only when a document's text changes, not its keys.
 * PostgreSQL searches through trigram indexes and has no search documents.
 */
const DOC_OF_REQUEST = (r: string) =>
  `${r}.tracking_number || char(1) || ${r}.description || char(1) || coalesce((SELECT a.name || char(1) || coalesce(a.id_document_number, '') || char(1) || coalesce(a.organisation_code, '') FROM applicant a WHERE a.id = ${r}.applicant_id), '') || char(1)`;

const FTS_OF_DOC = `INSERT INTO "request_search" ("request_search", rowid, body) VALUES ('delete', old.seq, old.body); INSERT INTO "request_search" (rowid, body) VALUES (new.seq, new.body);`;

export class SearchDocumentsCarryListOrder1795765000000 implements MigrationInterface {
  name = 'SearchDocumentsCarryListOrder1795765000000';

  async up(q: QueryRunner): Promise<void> {
    if (q.connection.options.type === 'postgres') return;
    await q.query(`DROP TRIGGER "trg_request_search_doc_au"`);
    await q.query(`CREATE TRIGGER "trg_request_search_doc_au" AFTER UPDATE OF body ON "request_search_doc" BEGIN ${FTS_OF_DOC} END`);
    // The types of information_request's columns: the same values compare the same way.
    await q.query(`ALTER TABLE "request_search_doc" ADD COLUMN "agency_id" integer`);
    await q.query(`ALTER TABLE "request_search_doc" ADD COLUMN "due_on" varchar(10)`);
    await q.query(`ALTER TABLE "request_search_doc" ADD COLUMN "submitted_at" varchar(30)`);
    await q.query(
      `UPDATE "request_search_doc" SET ("agency_id", "due_on", "submitted_at") = (SELECT r.agency_id, r.due_on, r.submitted_at FROM "information_request" r WHERE r.id = "request_search_doc"."request_id")`,
    );
    await q.query(`DROP TRIGGER "trg_information_request_search_ai"`);
    await q.query(
      `CREATE TRIGGER "trg_information_request_search_ai" AFTER INSERT ON "information_request" BEGIN INSERT INTO "request_search_doc" ("request_id", "body", "agency_id", "due_on", "submitted_at") VALUES (new.id, ${DOC_OF_REQUEST('new')}, new.agency_id, new.due_on, new.submitted_at); END`,
    );
    await q.query(
      `CREATE TRIGGER "trg_information_request_search_keys_au" AFTER UPDATE OF agency_id, due_on, submitted_at ON "information_request" WHEN old.agency_id IS NOT new.agency_id OR old.due_on IS NOT new.due_on OR old.submitted_at IS NOT new.submitted_at BEGIN UPDATE "request_search_doc" SET "agency_id" = new.agency_id, "due_on" = new.due_on, "submitted_at" = new.submitted_at WHERE "request_id" = new.id; END`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    if (q.connection.options.type === 'postgres') return;
    await q.query(`DROP TRIGGER "trg_information_request_search_keys_au"`);
    await q.query(`DROP TRIGGER "trg_information_request_search_ai"`);
    await q.query(
      `CREATE TRIGGER "trg_information_request_search_ai" AFTER INSERT ON "information_request" BEGIN INSERT INTO "request_search_doc" ("request_id", "body") VALUES (new.id, ${DOC_OF_REQUEST('new')}); END`,
    );
    for (const column of ['submitted_at', 'due_on', 'agency_id']) await q.query(`ALTER TABLE "request_search_doc" DROP COLUMN "${column}"`);
    await q.query(`DROP TRIGGER "trg_request_search_doc_au"`);
    await q.query(`CREATE TRIGGER "trg_request_search_doc_au" AFTER UPDATE ON "request_search_doc" BEGIN ${FTS_OF_DOC} END`);
  }
}
