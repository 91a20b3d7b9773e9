import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';

/*
 * Several agencies on one platform (D22, D23; issue 16). The agency tree, and the agency of every
 * record that belongs to one: requests, review cases, publications (numbered per agency and year),
 * tracking-number sequences, counting settings, staff accounts and ledger imports.
 *
 * The root agency is inserted first and gets id 1; every existing row is carried over into it by
 * the columns' default (1), which stays: a row written without an agency belongs to the root,
 * exactly as before this release. Its code and name follow AGENCY_CODE and AGENCY_NAME at
 * start-up while it is the only agency (a migration cannot read the configuration).
 *
 * The columns are added with ALTER TABLE … ADD COLUMN on both databases: on SQLite, TypeORM's
 * addColumn copies a table into a new one, which would drop the request table's triggers and
 * expression indexes. Like the rest of the schema, the agency columns have no FOREIGN KEY
 * constraint (SQLite cannot add one to an existing table without that copy).
 */
const PLAIN_TABLES = ['information_request', 'review_case', 'staff_user', 'ledger_import'];
const KEYED_TABLES: Array<[string, string[]]> = [
  ['tracking_sequence', ['agency_id', 'year']],
  ['agency_setting', ['agency_id', 'key']],
  ['report_publication', ['agency_id', 'year', 'number']],
  ['report_publication_entry', ['agency_id', 'year', 'number', 'subject_id']],
];
const OLD_KEYS: Record<string, string[]> = {
  tracking_sequence: ['year'],
  agency_setting: ['key'],
  report_publication: ['year', 'number'],
  report_publication_entry: ['year', 'number', 'subject_id'],
};
const FROZEN_TABLES = ['report_publication', 'report_publication_entry'];
const FROZEN_MESSAGE = 'published report rows are frozen (D20)';

export class Agencies1795763000000 implements MigrationInterface {
  name = 'Agencies1795763000000';

  async up(q: QueryRunner): Promise<void> {
    const pg = q.connection.options.type === 'postgres';
    await q.createTable(
      new Table({
        name: 'agency',
        columns: [
          { name: 'id', type: 'integer', isPrimary: true, isGenerated: true, generationStrategy: 'increment' },
          { name: 'code', type: 'varchar', length: '8' },
          { name: 'name', type: 'varchar', length: '100' },
          { name: 'parent_id', type: 'integer', isNullable: true },
          { name: 'created_at', type: 'varchar', length: '30' },
        ],
      }),
    );
    await q.createIndex('agency', new TableIndex({ name: 'UQ_agency_code', columnNames: ['code'], isUnique: true }));
    await q.createIndex('agency', new TableIndex({ name: 'IDX_agency_parent', columnNames: ['parent_id'] }));
    await q.query(`INSERT INTO "agency" ("code", "name", "parent_id", "created_at") VALUES ('main', '某某人民政府办公室', NULL, '${new Date().toISOString()}')`);

    for (const table of [...PLAIN_TABLES, ...KEYED_TABLES.map(([t]) => t)]) await q.query(`ALTER TABLE "${table}" ADD COLUMN "agency_id" integer NOT NULL DEFAULT 1`);
    await q.createIndex('review_case', new TableIndex({ name: 'IDX_review_case_agency', columnNames: ['agency_id', 'filed_on'] }));
    await q.createIndex('staff_user', new TableIndex({ name: 'IDX_staff_user_agency', columnNames: ['agency_id'] }));
    await q.createIndex('ledger_import', new TableIndex({ name: 'IDX_ledger_import_agency', columnNames: ['agency_id'] }));

    for (const [table, key] of KEYED_TABLES) await this.setPrimaryKey(q, table, key);
    // SQLite changes a primary key by copying the table, without its triggers: the freeze is put back.
    if (!pg) await this.freezeSqlite(q);
  }

  /** PostgreSQL alters the constraint; SQLite copies the table (TypeORM's updatePrimaryKeys does nothing there). */
  private async setPrimaryKey(q: QueryRunner, table: string, key: string[]): Promise<void> {
    const t = (await q.getTable(table))!;
    if (q.connection.options.type === 'postgres') {
      await q.updatePrimaryKeys(t, t.columns.filter((c) => key.includes(c.name)));
    } else {
      await q.dropPrimaryKey(t);
      await q.createPrimaryKey(t, key);
    }
  }

  private async freezeSqlite(q: QueryRunner): Promise<void> {
    for (const table of FROZEN_TABLES) {
      for (const op of ['UPDATE', 'DELETE']) {
        await q.query(`DROP TRIGGER IF EXISTS ${table}_no_${op.toLowerCase()}`);
        await q.query(`CREATE TRIGGER ${table}_no_${op.toLowerCase()} BEFORE ${op} ON ${table} BEGIN SELECT RAISE(ABORT, '${FROZEN_MESSAGE}'); END`);
      }
    }
  }

  /** Back to one agency: only the root's rows can be kept where the keys lose the agency. */
  async down(q: QueryRunner): Promise<void> {
    const pg = q.connection.options.type === 'postgres';
    if (pg) for (const table of FROZEN_TABLES) await q.query(`ALTER TABLE "${table}" DISABLE TRIGGER ${table}_frozen`);
    else for (const table of FROZEN_TABLES) for (const op of ['update', 'delete']) await q.query(`DROP TRIGGER IF EXISTS ${table}_no_${op}`);
    for (const [table] of KEYED_TABLES) await q.query(`DELETE FROM "${table}" WHERE "agency_id" <> 1`);
    for (const [table] of KEYED_TABLES) await this.setPrimaryKey(q, table, OLD_KEYS[table]);
    for (const [name, table] of [
      ['IDX_ledger_import_agency', 'ledger_import'],
      ['IDX_staff_user_agency', 'staff_user'],
      ['IDX_review_case_agency', 'review_case'],
    ])
      await q.dropIndex(table, name);
    // ALTER TABLE … DROP COLUMN on both (SQLite 3.35+): TypeORM's dropColumn would copy the request table, which the search triggers on applicant refuse.
    for (const table of [...PLAIN_TABLES, ...KEYED_TABLES.map(([t]) => t)]) await q.query(`ALTER TABLE "${table}" DROP COLUMN "agency_id"`);
    if (pg) for (const table of FROZEN_TABLES) await q.query(`ALTER TABLE "${table}" ENABLE TRIGGER ${table}_frozen`);
    else await this.freezeSqlite(q);
    await q.dropTable('agency');
  }
}
