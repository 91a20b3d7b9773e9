import { MigrationInterface, QueryRunner, Table, TableColumn, TableIndex } from 'typeorm';

/**
 * Attachments of a request (issue 18): the signed reply and the released files, stored in the
 * database in chunks so that every instance on one PostgreSQL serves them and a backup holds
 * them; each download logged; e-mail that carries files names them.
 */
export class RequestAttachments1795762000000 implements MigrationInterface {
  name = 'RequestAttachments1795762000000';

  async up(q: QueryRunner): Promise<void> {
    const pg = q.connection.options.type === 'postgres';
    await q.createTable(
      new Table({
        name: 'attachment',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'request_id', type: 'varchar', length: '36' },
          { name: 'kind', type: 'varchar', length: '20' },
          { name: 'title', type: 'varchar', length: '200' },
          { name: 'file_name', type: 'varchar', length: '255' },
          { name: 'content_type', type: 'varchar', length: '120' },
          { name: 'size', type: 'integer' },
          { name: 'sha256', type: 'varchar', length: '64' },
          { name: 'visible_to_applicant', type: 'boolean' },
          { name: 'status', type: 'varchar', length: '12' },
          { name: 'chunk_count', type: 'integer' },
          { name: 'uploaded_by_id', type: 'varchar', length: '36', isNullable: true },
          { name: 'uploaded_by_label', type: 'varchar', length: '100' },
          { name: 'uploaded_at', type: 'varchar', length: '30' },
          { name: 'withdrawn_at', type: 'varchar', length: '30', isNullable: true },
          { name: 'withdrawn_by_label', type: 'varchar', length: '100', isNullable: true },
          { name: 'erased_at', type: 'varchar', length: '30', isNullable: true },
        ],
        indices: [new TableIndex({ name: 'IDX_attachment_request', columnNames: ['request_id', 'uploaded_at'] }), new TableIndex({ name: 'IDX_attachment_status', columnNames: ['status', 'uploaded_at'] })],
      }),
    );
    // Raw bytes, 256 KB a row: read and written by SQL only (no entity), so one chunk at a time is in memory.
    await q.createTable(
      new Table({
        name: 'attachment_chunk',
        columns: [
          { name: 'attachment_id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'seq', type: 'integer', isPrimary: true },
          { name: 'data', type: pg ? 'bytea' : 'blob' },
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'attachment_download',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'attachment_id', type: 'varchar', length: '36' },
          { name: 'request_id', type: 'varchar', length: '36' },
          { name: 'via', type: 'varchar', length: '10' },
          { name: 'staff_id', type: 'varchar', length: '36', isNullable: true },
          { name: 'staff_label', type: 'varchar', length: '100', isNullable: true },
          { name: 'downloaded_at', type: 'varchar', length: '30' },
        ],
        indices: [new TableIndex({ name: 'IDX_attachment_download_attachment', columnNames: ['attachment_id', 'downloaded_at'] })],
      }),
    );
    await q.addColumn('mail_outbox', new TableColumn({ name: 'attachments', type: 'text', isNullable: true }));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropColumn('mail_outbox', 'attachments');
    await q.dropTable('attachment_download');
    await q.dropTable('attachment_chunk');
    await q.dropTable('attachment');
  }
}
