import { MigrationInterface, QueryRunner } from 'typeorm';

/*
 * SQLite's FTS5 search index (migration 1795761000000) merges its segments as it is written. When
 * the incremental merging falls behind, a "crisis merge" of up to 16 segments runs inside one
 * insert: during a 100,000-row ledger import that held the app's one connection for 136–418 ms
 * (issue 13). The threshold is raised to 64 segments; the app does the merging itself, a little
 * every two seconds (SearchIndexService), in its own short transactions. PostgreSQL: nothing.
 */
export class SearchIndexMerging1795761400000 implements MigrationInterface {
  name = 'SearchIndexMerging1795761400000';

  async up(q: QueryRunner): Promise<void> {
    if (q.connection.options.type === 'postgres') return;
    await q.query(`INSERT INTO "request_search" ("request_search", "rank") VALUES ('crisismerge', 64)`);
  }

  async down(q: QueryRunner): Promise<void> {
    if (q.connection.options.type === 'postgres') return;
    await q.query(`INSERT INTO "request_search" ("request_search", "rank") VALUES ('crisismerge', 16)`);
  }
}
