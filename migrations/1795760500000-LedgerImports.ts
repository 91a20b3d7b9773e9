import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';

export class LedgerImports1795760500000 implements MigrationInterface {
  name = 'LedgerImports1795760500000';

  async up(q: QueryRunner): Promise<void> {
    // Ledger imports run as jobs written chunk by chunk; these rows carry their progress and
    // let an interrupted import be undone (src/import/import.service.ts).
    await q.createTable(
      new Table({
        name: 'ledger_import',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'status', type: 'varchar', length: '20' },
          { name: 'actor_id', type: 'varchar', length: '36', isNullable: true },
          { name: 'actor_label', type: 'varchar', length: '100' },
          { name: 'encoding', type: 'varchar', length: '20', isNullable: true },
          { name: 'total_rows', type: 'integer' },
          { name: 'checked_rows', type: 'integer' },
          { name: 'written_rows', type: 'integer' },
          { name: 'first_tracking_number', type: 'varchar', length: '20', isNullable: true },
          { name: 'last_tracking_number', type: 'varchar', length: '20', isNullable: true },
          { name: 'error_code', type: 'varchar', length: '30', isNullable: true },
          { name: 'message', type: 'varchar', length: '500', isNullable: true },
          { name: 'error_count', type: 'integer' },
          { name: 'errors', type: 'text', isNullable: true },
          { name: 'created_at', type: 'varchar', length: '30' },
          { name: 'updated_at', type: 'varchar', length: '30' },
        ],
        indices: [new TableIndex({ name: 'IDX_ledger_import_status', columnNames: ['status'] })],
      }),
    );
    await q.createTable(
      new Table({
        name: 'ledger_import_request',
        columns: [
          { name: 'import_id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'request_id', type: 'varchar', length: '36', isPrimary: true },
        ],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('ledger_import_request');
    await q.dropTable('ledger_import');
  }
}
