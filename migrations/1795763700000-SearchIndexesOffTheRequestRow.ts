import { MigrationInterface, QueryRunner } from 'typeorm';

/*
 * PostgreSQL: the trigram indexes of a request's number and description move from the request
 * table to request_search_text (migration 1795762100000), which a trigger writes only when the
 * number or description changes. An UPDATE that changes an indexed column (a due date, a status)
 * writes a new entry into every index of the row, the two GIN indexes included: at 1M requests a
 * calendar change moving 15,000 due dates spent about a third of its writing time in them
 * (2,000 rows: 460–610 ms with them, 295–300 ms without; psql, warm). Search finds candidates in
 * the new index; the LIKE on the request's own columns decides (src/requests/request-search.ts).
 * SQLite searches through FTS5 and has neither index.
 */
export class SearchIndexesOffTheRequestRow1795763700000 implements MigrationInterface {
  name = 'SearchIndexesOffTheRequestRow1795763700000';

  async up(q: QueryRunner): Promise<void> {
    if (q.connection.options.type !== 'postgres') return;
    await q.query(`CREATE INDEX "IDX_request_search_text_trgm" ON "request_search_text" USING gin ("text" gin_trgm_ops)`);
    await q.query(`DROP INDEX "IDX_information_request_search_description"`);
    await q.query(`DROP INDEX "IDX_information_request_search_tracking"`);
  }

  async down(q: QueryRunner): Promise<void> {
    if (q.connection.options.type !== 'postgres') return;
    await q.query(`CREATE INDEX "IDX_information_request_search_description" ON "information_request" USING gin ("description" gin_trgm_ops)`);
    await q.query(`CREATE INDEX "IDX_information_request_search_tracking" ON "information_request" USING gin ("tracking_number" gin_trgm_ops)`);
    await q.query(`DROP INDEX "IDX_request_search_text_trgm"`);
  }
}
