import { MigrationInterface, QueryRunner } from 'typeorm';

/*
 * PostgreSQL: a search term of one or two characters (a two-character name such as 段燕, a word
 * such as 桥梁) found by an index. pg_trgm needs three characters: such a term scanned every
 * request and applicant (685 ms at 1M requests, issue 15). `ogi_grams` gives the distinct
 * characters and pairs of characters of a text; GIN indexes over it find the candidates, the LIKE
 * of before decides (src/requests/request-search.ts). A request's searched text (number and
 * description) is kept in a table of its own by a trigger that fires only when they change: an
 * index on the request table itself would be written again at every step (every update of a row
 * writes all its indexes). Building them takes a few minutes at 1M requests. SQLite finds short
 * terms through its FTS5 trigrams.
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
    await q.query(`CREATE TABLE "request_search_text" ("request_id" varchar(36) PRIMARY KEY, "text" text NOT NULL)`);
    await q.query(`INSERT INTO "request_search_text" ("request_id", "text") SELECT "id", "tracking_number" || ' ' || "description" FROM "information_request"`);
    await q.query(`CREATE FUNCTION ogi_request_search_text() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'DELETE' THEN
          DELETE FROM request_search_text WHERE request_id = OLD.id;
          RETURN OLD;
        END IF;
        INSERT INTO request_search_text (request_id, text) VALUES (NEW.id, NEW.tracking_number || ' ' || NEW.description)
          ON CONFLICT (request_id) DO UPDATE SET text = EXCLUDED.text;
        RETURN NEW;
      END
    $$`);
    await q.query(
      `CREATE TRIGGER "TRG_request_search_text" AFTER INSERT OR DELETE OR UPDATE OF "tracking_number", "description" ON "information_request" FOR EACH ROW EXECUTE FUNCTION ogi_request_search_text()`,
    );
    await q.query(`CREATE INDEX "IDX_request_search_text_grams" ON "request_search_text" USING gin (ogi_grams("text"))`);
    await q.query(`CREATE INDEX "IDX_applicant_name_grams" ON "applicant" USING gin (ogi_grams("name"))`);
  }

  async down(q: QueryRunner): Promise<void> {
    if (q.connection.options.type !== 'postgres') return;
    await q.query(`DROP INDEX "IDX_applicant_name_grams"`);
    await q.query(`DROP TRIGGER "TRG_request_search_text" ON "information_request"`);
    await q.query(`DROP FUNCTION ogi_request_search_text()`);
    await q.query(`DROP TABLE "request_search_text"`);
    await q.query(`DROP FUNCTION ogi_grams(text)`);
  }
}
