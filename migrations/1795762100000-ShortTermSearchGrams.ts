import { MigrationInterface, QueryRunner } from 'typeorm';

/*
 * PostgreSQL: a search term of one or two characters (a two-character name such as 段燕, a word
 * such as 桥梁) found by an index. pg_trgm needs three characters: such a term scanned every
 * request and applicant (685 ms at 1M requests, issue 15). `ogi_grams` gives the distinct
 * characters and pairs of characters of a text; GIN indexes over it on the searched columns find
 * the candidates, the LIKE of before decides (src/requests/request-search.ts). Building them
 * takes about three minutes at 1M requests. SQLite finds short terms through its FTS5 trigrams.
 */
export class ShortTermSearchGrams1795762100000 implements MigrationInterface {
  name = 'ShortTermSearchGrams1795762100000';

  async up(q: QueryRunner): Promise<void> {
    if (q.connection.options.type !== 'postgres') return;
    await q.query(`CREATE FUNCTION ogi_grams(t text) RETURNS text[] LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT AS $$
      SELECT COALESCE(array_agg(DISTINCT g), '{}') FROM (
        SELECT substr(t, i, 1) AS g FROM generate_series(1, char_length(t)) i
        UNION ALL SELECT substr(t, i, 2) FROM generate_series(1, char_length(t) - 1) i) s
    $$`);
    await q.query(`CREATE INDEX "IDX_applicant_name_grams" ON "applicant" USING gin (ogi_grams("name"))`);
    await q.query(`CREATE INDEX "IDX_information_request_text_grams" ON "information_request" USING gin (ogi_grams("tracking_number" || ' ' || "description"))`);
  }

  async down(q: QueryRunner): Promise<void> {
    if (q.connection.options.type !== 'postgres') return;
    await q.query(`DROP INDEX "IDX_information_request_text_grams"`);
    await q.query(`DROP INDEX "IDX_applicant_name_grams"`);
    await q.query(`DROP FUNCTION ogi_grams(text)`);
  }
}
