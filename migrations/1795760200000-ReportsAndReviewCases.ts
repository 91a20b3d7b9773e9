import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';

export class ReportsAndReviewCases1795760200000 implements MigrationInterface {
  name = 'ReportsAndReviewCases1795760200000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'review_case',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'kind', type: 'varchar', length: '30' },
          { name: 'filed_on', type: 'varchar', length: '10' },
          { name: 'case_number', type: 'varchar', length: '100', isNullable: true },
          { name: 'request_id', type: 'varchar', length: '36', isNullable: true },
          { name: 'agency_role', type: 'varchar', length: '30' },
          { name: 'result', type: 'varchar', length: '20', isNullable: true },
          { name: 'concluded_on', type: 'varchar', length: '10', isNullable: true },
          { name: 'note', type: 'varchar', length: '500', isNullable: true },
          { name: 'created_at', type: 'varchar', length: '30' },
          { name: 'created_by', type: 'varchar', length: '100' },
          { name: 'version', type: 'integer', default: 1 },
        ],
        indices: [new TableIndex({ name: 'IDX_review_case_filed_on', columnNames: ['filed_on'] })],
      }),
    );
    await q.createTable(
      new Table({
        name: 'agency_setting',
        columns: [
          { name: 'key', type: 'varchar', length: '60', isPrimary: true },
          { name: 'value', type: 'varchar', length: '200' },
          { name: 'updated_at', type: 'varchar', length: '30' },
          { name: 'updated_by', type: 'varchar', length: '100' },
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'report_snapshot',
        columns: [
          { name: 'year', type: 'integer', isPrimary: true },
          { name: 'format', type: 'varchar', length: '4' },
          { name: 'published_at', type: 'varchar', length: '30' },
          { name: 'published_by', type: 'varchar', length: '100' },
          { name: 'section3', type: 'text' },
          { name: 'section4', type: 'text' },
          { name: 'basis', type: 'text' },
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'report_snapshot_entry',
        columns: [
          { name: 'year', type: 'integer', isPrimary: true },
          { name: 'subject_id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'subject_kind', type: 'varchar', length: '10' },
          { name: 'col', type: 'varchar', length: '32' },
          { name: 'cells', type: 'varchar', length: '300' },
        ],
      }),
    );
    // Covers the annual report's one GROUP BY: the compile reads the index only.
    await q.createIndex(
      'information_request',
      new TableIndex({ name: 'IDX_information_request_report', columnNames: ['received_on', 'concluded_on', 'applicant_type', 'outcome'] }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropIndex('information_request', 'IDX_information_request_report');
    for (const t of ['report_snapshot_entry', 'report_snapshot', 'agency_setting', 'review_case']) await q.dropTable(t);
  }
}
