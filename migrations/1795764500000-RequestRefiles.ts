import { MigrationInterface, QueryRunner, Table } from 'typeorm';

/*
 * D21, D23: an applicant refiles with the agency a referral reply named once per request. The row,
 * keyed by the first request, is written in the transaction that writes the new application, so a
 * second attempt (another tab, a reloaded page) finds the key taken. A new table: nothing existing changes.
 */
export class RequestRefiles1795764500000 implements MigrationInterface {
  name = 'RequestRefiles1795764500000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'request_refile',
        columns: [
          { name: 'request_id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'agency_id', type: 'integer' },
          { name: 'refiled_request_id', type: 'varchar', length: '36' },
          { name: 'refiled_tracking_number', type: 'varchar', length: '20' },
          { name: 'refiled_agency_id', type: 'integer' },
          { name: 'created_at', type: 'varchar', length: '30' },
        ],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('request_refile');
  }
}
