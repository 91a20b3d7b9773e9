import { EntityManager, EntityTarget, ObjectLiteral } from 'typeorm';
import { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';

/** Rows per multi-row INSERT: well under SQLite's and PostgreSQL's bound-parameter limits. */
const CHUNK = 100;

/**
 * INSERT of complete rows as one statement with positional parameters, built from the entity
 * metadata: no follow-up SELECT of default columns (SQLite has no RETURNING in TypeORM 0.3)
 * and none of the query builder's named-parameter rewriting, which dominated the cost of
 * writing a new request. Values go through the driver's own `preparePersistentValue`, so they
 * are stored exactly as TypeORM stores them (booleans as 0/1 on SQLite).
 *
 * Every row must give the same columns; a column no row gives takes its database default.
 */
export async function insertRows<T extends ObjectLiteral>(m: EntityManager, target: EntityTarget<T>, values: QueryDeepPartialEntity<T> | QueryDeepPartialEntity<T>[]): Promise<void> {
  const rows = (Array.isArray(values) ? values : [values]) as ObjectLiteral[];
  if (!rows.length) return;
  const metadata = m.connection.getMetadata(target);
  const driver = m.connection.driver;
  const columns = metadata.columns.filter((c) => c.isInsert && !c.isVirtual && rows[0][c.propertyName] !== undefined);
  const given = new Set(columns);
  for (const row of rows) {
    for (const c of metadata.columns) {
      if ((row[c.propertyName] !== undefined) !== given.has(c)) {
        throw new Error(`insertRows(${metadata.tableName}): every row must give the same columns (${c.propertyName})`);
      }
    }
  }
  const postgres = driver.options.type === 'postgres';
  const parameters: unknown[] = [];
  const tuples = rows.map(
    (row) =>
      `(${columns
        .map((c) => {
          parameters.push(driver.preparePersistentValue(row[c.propertyName], c));
          return postgres ? `$${parameters.length}` : '?';
        })
        .join(', ')})`,
  );
  const table = driver.escape(metadata.tablePath);
  await m.query(`INSERT INTO ${table} (${columns.map((c) => driver.escape(c.databaseName)).join(', ')}) VALUES ${tuples.join(', ')}`, parameters);
}

/**
 * Many rows in as few statements as the parameter limits allow, or `perStatement` rows at a time
 * for a table whose triggers make each row costly: on SQLite's one connection another request's
 * query waits for the statement running, not for the transaction.
 */
export async function insertChunks<T extends ObjectLiteral>(m: EntityManager, target: EntityTarget<T>, rows: QueryDeepPartialEntity<T>[], perStatement = CHUNK): Promise<void> {
  for (let i = 0; i < rows.length; i += perStatement) await insertRows(m, target, rows.slice(i, i + perStatement));
}
