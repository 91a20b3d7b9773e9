import { MigrationInterface, QueryRunner, Table, TableColumnOptions, TableIndex } from 'typeorm';

// Written with the Table API so that one migration runs on SQLite and PostgreSQL.
const id = (name = 'id'): TableColumnOptions => ({ name, type: 'varchar', length: '36', isPrimary: true });
const str = (name: string, length: number, nullable = false): TableColumnOptions => ({ name, type: 'varchar', length: String(length), isNullable: nullable });
const text = (name: string, nullable = false): TableColumnOptions => ({ name, type: 'text', isNullable: nullable });
const int = (name: string, def?: number): TableColumnOptions => ({ name, type: 'integer', ...(def === undefined ? {} : { default: def }) });
const bool = (name: string, def: boolean): TableColumnOptions => ({ name, type: 'boolean', default: def });

export class InitialSchema1795760000000 implements MigrationInterface {
  name = 'InitialSchema1795760000000';

  async up(q: QueryRunner): Promise<void> {
    const bTrue = q.connection.options.type === 'postgres' ? 'true' : '1';
    const bFalse = q.connection.options.type === 'postgres' ? 'false' : '0';
    const boolCol = (name: string, def: boolean): TableColumnOptions => ({ ...bool(name, def), default: def ? bTrue : bFalse });

    await q.createTable(
      new Table({
        name: 'applicant',
        columns: [
          id(),
          str('type', 32),
          str('name', 200),
          str('id_document_type', 32, true),
          str('id_document_number', 64, true),
          str('organisation_code', 32, true),
          str('phone', 40, true),
          str('email', 254, true),
          str('address', 300, true),
          str('created_at', 30),
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'information_request',
        columns: [
          id(),
          str('tracking_number', 20),
          str('access_code_hash', 64),
          str('applicant_id', 36),
          str('applicant_type', 32),
          str('channel', 20),
          str('submitted_at', 30),
          str('received_on', 10, true),
          str('status', 30),
          text('description'),
          str('delivery_method', 20),
          str('due_on', 10, true),
          boolCol('due_is_provisional', false),
          str('outcome', 60, true),
          str('concluded_on', 10, true),
          str('assignee_id', 36, true),
          int('version', 1),
          str('created_at', 30),
          str('updated_at', 30),
        ],
        indices: [
          new TableIndex({ name: 'UQ_information_request_tracking_number', columnNames: ['tracking_number'], isUnique: true }),
          new TableIndex({ name: 'IDX_information_request_applicant', columnNames: ['applicant_id'] }),
          new TableIndex({ name: 'IDX_information_request_status_due', columnNames: ['status', 'due_on'] }),
          new TableIndex({ name: 'IDX_information_request_received_on', columnNames: ['received_on'] }),
          new TableIndex({ name: 'IDX_information_request_concluded_on', columnNames: ['concluded_on'] }),
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'request_item',
        columns: [id(), str('request_id', 36), int('position'), text('description'), str('outcome', 60, true)],
        indices: [new TableIndex({ name: 'UQ_request_item_position', columnNames: ['request_id', 'position'], isUnique: true })],
      }),
    );
    await q.createTable(
      new Table({
        name: 'request_event',
        columns: [
          id(),
          str('request_id', 36),
          int('seq'),
          str('type', 40),
          str('occurred_on', 10),
          str('recorded_at', 30),
          str('actor_id', 36, true),
          str('actor_label', 100),
          str('basis', 200),
          text('payload'),
        ],
        indices: [new TableIndex({ name: 'UQ_request_event_seq', columnNames: ['request_id', 'seq'], isUnique: true })],
      }),
    );
    await q.createTable(new Table({ name: 'tracking_sequence', columns: [{ ...int('year'), isPrimary: true }, int('last_value')] }));
    await q.createTable(
      new Table({
        name: 'staff_user',
        columns: [
          id(),
          str('username', 64),
          str('display_name', 100),
          str('password_hash', 255),
          str('roles', 200),
          boolCol('active', true),
          int('failed_attempts', 0),
          str('locked_until', 30, true),
          str('created_at', 30),
        ],
        indices: [new TableIndex({ name: 'UQ_staff_user_username', columnNames: ['username'], isUnique: true })],
      }),
    );
    await q.createTable(
      new Table({
        name: 'staff_session',
        columns: [
          { ...str('token_hash', 64), isPrimary: true },
          str('user_id', 36),
          str('kind', 10),
          str('created_at', 30),
          str('expires_at', 30),
          str('revoked_at', 30, true),
        ],
        indices: [new TableIndex({ name: 'IDX_staff_session_user', columnNames: ['user_id'] })],
      }),
    );
    await q.createTable(
      new Table({
        name: 'mail_outbox',
        columns: [
          id(),
          str('kind', 40),
          str('request_id', 36, true),
          str('recipient', 254),
          str('subject', 300),
          text('text_body'),
          text('html_body'),
          str('status', 10),
          int('attempts', 0),
          str('next_attempt_at', 30),
          str('locked_until', 30, true),
          str('last_error', 500, true),
          str('created_at', 30),
          str('sent_at', 30, true),
        ],
        indices: [new TableIndex({ name: 'IDX_mail_outbox_pending', columnNames: ['status', 'next_attempt_at'] })],
      }),
    );
    await q.createTable(
      new Table({
        name: 'calendar_year',
        columns: [
          { ...int('year'), isPrimary: true },
          text('holidays'),
          text('make_up_workdays'),
          str('source', 200),
          str('updated_at', 30),
          str('updated_by', 100),
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'idempotency_record',
        columns: [
          { ...str('scope', 60), isPrimary: true },
          { ...str('idempotency_key', 200), isPrimary: true },
          str('body_hash', 64),
          { ...int('status_code'), isNullable: true },
          text('response', true),
          str('created_at', 30),
        ],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of [
      'idempotency_record',
      'calendar_year',
      'mail_outbox',
      'staff_session',
      'staff_user',
      'tracking_sequence',
      'request_event',
      'request_item',
      'information_request',
      'applicant',
    ]) {
      await q.dropTable(table);
    }
  }
}
