import { MigrationInterface, QueryRunner } from 'typeorm';

/*
 * The staff home lists the first requests, by number, whose correction or fee deadline has
 * passed (request-list-query.ts `lapsedQuery`). It checked every request waiting for a correction
 * or a fee and sorted them: at 1M requests, 5,000 waiting, 15–20 ms on SQLite on every visit of
 * the home page. This partial index holds only the waiting requests, in number order within an
 * agency, so the list stops at the first lapsed ones (0.1 ms). It is written only when a request
 * starts or stops waiting.
 */
const INDEX = `CREATE INDEX "IDX_information_request_waiting" ON "information_request" (agency_id, tracking_number) WHERE status IN ('awaiting_correction', 'awaiting_fee')`;

export class WaitingRequestsByNumber1795765100000 implements MigrationInterface {
  name = 'WaitingRequestsByNumber1795765100000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(INDEX);
    // SQLite's planner needs the new index's statistics to choose it (see migration 1795763100000).
    if (q.connection.options.type !== 'postgres') await q.query('ANALYZE "IDX_information_request_waiting"');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "IDX_information_request_waiting"`);
  }
}
