import { MigrationInterface, QueryRunner, TableColumn, TableIndex } from 'typeorm';

/** The access-code mask of this migration's day (the app's own copy may change later). */
function maskAccessCodes(body: string): string {
  return body.replace(/(查询码(?:：|<\/td><td>)(?:<strong>)?)[A-Z0-9]{4,20}/g, '$1********');
}

/**
 * Access codes were kept in clear: in every idempotent filing's stored response, forever, and in
 * the bodies of the mail that carried them. From now on they are sealed with a server key
 * (SecretBox) until delivered or for 24 hours. This migration adds the columns and scrubs what
 * is there: stored responses lose the code (a replay says `accessCodeWithheld`), sent or failed
 * mail is masked; mail still pending keeps it until it is sent, then the worker masks it.
 */
export class SealedAccessCodes1795760600000 implements MigrationInterface {
  name = 'SealedAccessCodes1795760600000';

  async up(q: QueryRunner): Promise<void> {
    await q.addColumn('idempotency_record', new TableColumn({ name: 'secrets', type: 'text', isNullable: true }));
    await q.createIndex('idempotency_record', new TableIndex({ name: 'IDX_idempotency_record_created_at', columnNames: ['created_at'] }));
    await q.addColumn('mail_outbox', new TableColumn({ name: 'secrets', type: 'text', isNullable: true }));

    const pg = q.connection.options.type === 'postgres';
    const p = (n: number) => (pg ? `$${n}` : '?');
    const records = (await q.query(`SELECT scope, idempotency_key AS k, response FROM idempotency_record WHERE response LIKE '%"accessCode"%'`)) as Array<{ scope: string; k: string; response: string }>;
    for (const r of records) {
      const body = JSON.parse(r.response) as Record<string, unknown>;
      if (!body || typeof body !== 'object' || body.accessCode === null || body.accessCode === undefined) continue;
      body.accessCode = null;
      await q.query(`UPDATE idempotency_record SET response = ${p(1)} WHERE scope = ${p(2)} AND idempotency_key = ${p(3)}`, [JSON.stringify(body), r.scope, r.k]);
    }
    const mails = (await q.query(`SELECT id, text_body AS t, html_body AS h FROM mail_outbox WHERE status <> 'pending' AND text_body LIKE '%查询码%'`)) as Array<{ id: string; t: string; h: string }>;
    for (const m of mails) {
      const t = maskAccessCodes(m.t);
      const h = maskAccessCodes(m.h);
      if (t !== m.t || h !== m.h) await q.query(`UPDATE mail_outbox SET text_body = ${p(1)}, html_body = ${p(2)} WHERE id = ${p(3)}`, [t, h, m.id]);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropColumn('mail_outbox', 'secrets');
    await q.dropIndex('idempotency_record', 'IDX_idempotency_record_created_at');
    await q.dropColumn('idempotency_record', 'secrets');
  }
}
