import { MigrationInterface, QueryRunner, Table, TableColumn } from 'typeorm';

/*
 * D21, D23: an applicant refiles with the agency a referral reply named once per request. The row,
 * keyed by the first request, is written in the transaction that writes the new application, so a
 * second attempt (another tab, a reloaded page) finds the key taken.
 * Mail about a request comes from its agency (D22): the outbox keeps the sender's display name
 * (null for rows written before: the configured MAIL_FROM, as they were).
 */
export class RefilesAndMailSenders1795764500000 implements MigrationInterface {
  name = 'RefilesAndMailSenders1795764500000';

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
    await q.addColumn('mail_outbox', new TableColumn({ name: 'sender_name', type: 'varchar', length: '100', isNullable: true }));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropColumn('mail_outbox', 'sender_name');
    await q.dropTable('request_refile');
  }
}
