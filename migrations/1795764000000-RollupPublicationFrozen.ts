import { MigrationInterface, QueryRunner } from 'typeorm';

const TABLE = 'rollup_publication';
const FROZEN_MESSAGE = 'published roll-up rows are frozen (D20)';

/**
 * D20: a published roll-up is never changed or removed, whatever code runs against the database,
 * the same guard as report_publication's. The roll-up keeps its agencies' rows inside its own row,
 * so there is no entry table to guard. No data changes.
 */
export class RollupPublicationFrozen1795764000000 implements MigrationInterface {
  name = 'RollupPublicationFrozen1795764000000';

  async up(q: QueryRunner): Promise<void> {
    if (q.connection.driver.options.type === 'postgres') {
      await q.query(`CREATE FUNCTION rollup_publication_frozen() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION '${FROZEN_MESSAGE}'; END $$`);
      await q.query(`CREATE TRIGGER ${TABLE}_frozen BEFORE UPDATE OR DELETE ON ${TABLE} FOR EACH ROW EXECUTE FUNCTION rollup_publication_frozen()`);
    } else {
      for (const op of ['UPDATE', 'DELETE']) {
        await q.query(`CREATE TRIGGER ${TABLE}_no_${op.toLowerCase()} BEFORE ${op} ON ${TABLE} BEGIN SELECT RAISE(ABORT, '${FROZEN_MESSAGE}'); END`);
      }
    }
  }

  async down(q: QueryRunner): Promise<void> {
    if (q.connection.driver.options.type === 'postgres') {
      await q.query(`DROP TRIGGER ${TABLE}_frozen ON ${TABLE}`);
      await q.query('DROP FUNCTION rollup_publication_frozen()');
    } else {
      for (const op of ['update', 'delete']) await q.query(`DROP TRIGGER ${TABLE}_no_${op}`);
    }
  }
}
