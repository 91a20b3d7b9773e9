import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';

/*
 * Roll-ups and supervision (issue 16, phase 2; D20, D22). A roll-up publication freezes a node's
 * summed tables with each agency's own rows and settings, numbered per node and year like an
 * agency's publications; a supervision note (督办意见) is kept for the agency's daily digest
 * (the request's timeline holds it as an event). New tables only: nothing existing changes.
 */
export class RollupsAndSupervision1795763500000 implements MigrationInterface {
  name = 'RollupsAndSupervision1795763500000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'rollup_publication',
        columns: [
          { name: 'agency_id', type: 'integer', isPrimary: true },
          { name: 'year', type: 'integer', isPrimary: true },
          { name: 'number', type: 'integer', isPrimary: true },
          { name: 'format', type: 'varchar', length: '4' },
          { name: 'published_at', type: 'varchar', length: '30' },
          { name: 'published_by_id', type: 'varchar', length: '36', isNullable: true },
          { name: 'published_by', type: 'varchar', length: '100' },
          { name: 'reason', type: 'varchar', length: '1000', isNullable: true },
          { name: 'section3', type: 'text' },
          { name: 'section4', type: 'text' },
          { name: 'agencies', type: 'text' },
          { name: 'checks', type: 'text' },
          { name: 'basis', type: 'text' },
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'supervision_note',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'agency_id', type: 'integer' },
          { name: 'request_id', type: 'varchar', length: '36' },
          { name: 'tracking_number', type: 'varchar', length: '20' },
          { name: 'note', type: 'varchar', length: '1000' },
          { name: 'created_at', type: 'varchar', length: '30' },
          { name: 'created_by', type: 'varchar', length: '100' },
          { name: 'created_by_id', type: 'varchar', length: '36', isNullable: true },
          { name: 'digested_on', type: 'varchar', length: '10', isNullable: true },
        ],
      }),
    );
    await q.createIndex('supervision_note', new TableIndex({ name: 'IDX_supervision_note_digest', columnNames: ['agency_id', 'digested_on'] }));
    await q.createIndex('supervision_note', new TableIndex({ name: 'IDX_supervision_note_request', columnNames: ['request_id'] }));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('supervision_note');
    await q.dropTable('rollup_publication');
  }
}
