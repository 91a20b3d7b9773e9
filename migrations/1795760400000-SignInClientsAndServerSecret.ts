import { MigrationInterface, QueryRunner, Table } from 'typeorm';

export class SignInClientsAndServerSecret1795760400000 implements MigrationInterface {
  name = 'SignInClientsAndServerSecret1795760400000';

  async up(q: QueryRunner): Promise<void> {
    // Sign-in failures and successes per (account, client): the lock that one client earns is its own.
    await q.createTable(
      new Table({
        name: 'staff_login_client',
        columns: [
          { name: 'user_id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'client_key', type: 'varchar', length: '64', isPrimary: true },
          { name: 'failed_attempts', type: 'integer', default: 0 },
          { name: 'locked_until', type: 'varchar', length: '30', isNullable: true },
          { name: 'last_failed_at', type: 'varchar', length: '30', isNullable: true },
          { name: 'last_success_at', type: 'varchar', length: '30', isNullable: true },
        ],
      }),
    );
    // Secrets every instance must share (the CSRF token key); created once at start-up.
    await q.createTable(
      new Table({
        name: 'server_secret',
        columns: [
          { name: 'name', type: 'varchar', length: '40', isPrimary: true },
          { name: 'value', type: 'varchar', length: '128' },
          { name: 'created_at', type: 'varchar', length: '30' },
        ],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('server_secret');
    await q.dropTable('staff_login_client');
  }
}
