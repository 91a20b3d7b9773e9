import { MigrationInterface, QueryRunner } from 'typeorm';

/*
 * The staff home and the daily digest list the requests whose correction or fee deadline has
 * passed (request-list-query.ts `lapsedRequests`): for each request waiting for a correction or a
 * fee, the deadline in its notice event's payload. At a million requests that read the payloads
 * of some 40,000 events (73 ms). These partial indexes hold the deadline of each such event, in
 * the expression the query uses, so the check is answered from the index.
 */
const SQLITE: Array<[string, string, string]> = [
  ['IDX_request_event_correction_due', `request_id, json_extract(payload, '$.correctionDueOn')`, `type = 'correction_requested'`],
  ['IDX_request_event_fee_received', `request_id, COALESCE(NULLIF(json_extract(payload, '$.deliveredOn'), ''), occurred_on)`, `type = 'fee_notice_issued'`],
];
const POSTGRES: Array<[string, string, string]> = [
  ['IDX_request_event_correction_due', `request_id, (payload::jsonb ->> 'correctionDueOn')`, `type = 'correction_requested'`],
  ['IDX_request_event_fee_received', `request_id, COALESCE(NULLIF((payload::jsonb ->> 'deliveredOn'), ''), occurred_on)`, `type = 'fee_notice_issued'`],
];

export class LapsedWaitIndexes1795761200000 implements MigrationInterface {
  name = 'LapsedWaitIndexes1795761200000';

  async up(q: QueryRunner): Promise<void> {
    for (const [name, columns, where] of q.connection.options.type === 'postgres' ? POSTGRES : SQLITE) {
      await q.query(`CREATE INDEX "${name}" ON "request_event" (${columns}) WHERE ${where}`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    for (const [name] of SQLITE) await q.query(`DROP INDEX "${name}"`);
  }
}
