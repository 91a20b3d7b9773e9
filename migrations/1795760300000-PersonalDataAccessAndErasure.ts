import { MigrationInterface, QueryRunner, Table, TableColumn, TableIndex } from 'typeorm';

export class PersonalDataAccessAndErasure1795760300000 implements MigrationInterface {
  name = 'PersonalDataAccessAndErasure1795760300000';

  async up(q: QueryRunner): Promise<void> {
    // Who saw whose full identity and contact data, and when (PIPL Art. 34; domain §7).
    await q.createTable(
      new Table({
        name: 'personal_data_access',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'staff_id', type: 'varchar', length: '36' },
          { name: 'staff_name', type: 'varchar', length: '100' },
          { name: 'request_id', type: 'varchar', length: '36' },
          { name: 'accessed_at', type: 'varchar', length: '30' },
          { name: 'via', type: 'varchar', length: '10' },
        ],
        indices: [new TableIndex({ name: 'IDX_personal_data_access_request', columnNames: ['request_id'] })],
      }),
    );
    await q.addColumn('applicant', new TableColumn({ name: 'erased_at', type: 'varchar', length: '30', isNullable: true }));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropColumn('applicant', 'erased_at');
    await q.dropTable('personal_data_access');
  }
}
