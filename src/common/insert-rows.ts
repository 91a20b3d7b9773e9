import { EntityManager, EntityTarget, ObjectLiteral } from 'typeorm';
import { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';

/**
 * INSERT without TypeORM's follow-up SELECT of default columns (SQLite has no RETURNING in
 * TypeORM 0.3): every caller passes complete rows, so nothing needs reading back.
 */
export async function insertRows<T extends ObjectLiteral>(m: EntityManager, target: EntityTarget<T>, values: QueryDeepPartialEntity<T> | QueryDeepPartialEntity<T>[]): Promise<void> {
  await m.createQueryBuilder().insert().into(target).values(values).updateEntity(false).callListeners(false).execute();
}

/** Rows per multi-row INSERT: well under SQLite's and PostgreSQL's bound-parameter limits. */
const CHUNK = 100;

/** Many rows in as few statements as the parameter limits allow. */
export async function insertChunks<T extends ObjectLiteral>(m: EntityManager, target: EntityTarget<T>, rows: QueryDeepPartialEntity<T>[]): Promise<void> {
  for (let i = 0; i < rows.length; i += CHUNK) await insertRows(m, target, rows.slice(i, i + CHUNK));
}
