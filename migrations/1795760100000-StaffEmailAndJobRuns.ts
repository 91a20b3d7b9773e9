import { MigrationInterface, QueryRunner, Table, TableColumn } from 'typeorm';

export class StaffEmailAndJobRuns1795760100000 implements MigrationInterface {
  name = 'StaffEmailAndJobRuns1795760100000';

  async up(q: QueryRunner): Promise<void> {
    await q.addColumn('staff_user', new TableColumn({ name: 'email', type: 'varchar', length: '254', isNullable: true }));
    // One row per (job, day): the first instance to insert it runs the job, the others skip.
    await q.createTable(
      new Table({
        name: 'job_run',
        columns: [
          { name: 'job', type: 'varchar', length: '60', isPrimary: true },
          { name: 'run_on', type: 'varchar', length: '10', isPrimary: true },
          { name: 'started_at', type: 'varchar', length: '30' },
          { name: 'result', type: 'varchar', length: '500', isNullable: true },
        ],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('job_run');
    await q.dropColumn('staff_user', 'email');
  }
}
