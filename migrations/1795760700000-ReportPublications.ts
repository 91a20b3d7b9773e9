import { MigrationInterface, QueryRunner, Table } from 'typeorm';

const PUBLICATION_COLUMNS = 'year, number, format, published_at, published_by_id, published_by, reason, section3, section4, checks, basis';
const ENTRY_COLUMNS = 'year, number, subject_id, subject_kind, col, cells';
const FROZEN_TABLES = ['report_publication', 'report_publication_entry'];
const FROZEN_MESSAGE = 'published report rows are frozen (D20)';

/**
 * D20: every publication of a year is kept. The single snapshot per year of release 0.1 becomes
 * publication number 1 of its year, its figures and entries copied unchanged.
 */
export class ReportPublications1795760700000 implements MigrationInterface {
  name = 'ReportPublications1795760700000';

  async up(q: QueryRunner): Promise<void> {
    if (q.connection.driver.options.type === 'postgres') {
      await q.query(`CREATE FUNCTION report_publication_frozen() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION '${FROZEN_MESSAGE}'; END $$`);
    }
    await q.createTable(
      new Table({
        name: 'report_publication',
        columns: [
          { name: 'year', type: 'integer', isPrimary: true },
          { name: 'number', type: 'integer', isPrimary: true },
          { name: 'format', type: 'varchar', length: '4' },
          { name: 'published_at', type: 'varchar', length: '30' },
          { name: 'published_by_id', type: 'varchar', length: '36', isNullable: true },
          { name: 'published_by', type: 'varchar', length: '100' },
          { name: 'reason', type: 'varchar', length: '1000', isNullable: true },
          { name: 'section3', type: 'text' },
          { name: 'section4', type: 'text' },
          { name: 'checks', type: 'text', isNullable: true },
          { name: 'basis', type: 'text' },
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'report_publication_entry',
        columns: [
          { name: 'year', type: 'integer', isPrimary: true },
          { name: 'number', type: 'integer', isPrimary: true },
          { name: 'subject_id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'subject_kind', type: 'varchar', length: '10' },
          { name: 'col', type: 'varchar', length: '32' },
          { name: 'cells', type: 'varchar', length: '300' },
        ],
      }),
    );
    // Release 0.1 kept the signer's name only (no account id) and no checks; no reason was asked.
    await q.query(
      `INSERT INTO report_publication (${PUBLICATION_COLUMNS}) SELECT year, 1, format, published_at, NULL, published_by, NULL, section3, section4, NULL, basis FROM report_snapshot`,
    );
    await q.query(`INSERT INTO report_publication_entry (${ENTRY_COLUMNS}) SELECT year, 1, subject_id, subject_kind, col, cells FROM report_snapshot_entry`);
    await q.dropTable('report_snapshot_entry');
    await q.dropTable('report_snapshot');
    // A publication is never changed or removed, whatever code runs against the database.
    for (const table of FROZEN_TABLES) {
      if (q.connection.driver.options.type === 'postgres') {
        await q.query(`CREATE TRIGGER ${table}_frozen BEFORE UPDATE OR DELETE ON ${table} FOR EACH ROW EXECUTE FUNCTION report_publication_frozen()`);
      } else {
        for (const op of ['UPDATE', 'DELETE']) {
          await q.query(`CREATE TRIGGER ${table}_no_${op.toLowerCase()} BEFORE ${op} ON ${table} BEGIN SELECT RAISE(ABORT, '${FROZEN_MESSAGE}'); END`);
        }
      }
    }
  }

  /** Back to one snapshot per year: the latest publication of each year (earlier ones cannot be kept there). */
  async down(q: QueryRunner): Promise<void> {
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
    const latest = 'SELECT MAX(l.number) FROM report_publication l WHERE l.year = p.year';
    await q.query(
      `INSERT INTO report_snapshot (year, format, published_at, published_by, section3, section4, basis) SELECT p.year, p.format, p.published_at, p.published_by, p.section3, p.section4, p.basis FROM report_publication p WHERE p.number = (${latest})`,
    );
    await q.query(
      `INSERT INTO report_snapshot_entry (year, subject_id, subject_kind, col, cells) SELECT p.year, p.subject_id, p.subject_kind, p.col, p.cells FROM report_publication_entry p WHERE p.number = (${latest})`,
    );
    await q.dropTable('report_publication_entry');
    await q.dropTable('report_publication');
    if (q.connection.driver.options.type === 'postgres') await q.query('DROP FUNCTION report_publication_frozen()');
  }
}
