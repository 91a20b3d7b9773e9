import { MigrationInterface, QueryRunner } from 'typeorm';

/*
 * The report's drill-down (GET /api/v1/reports/{year}/section3/cells/{row}/{column}) at a million
 * requests (issue 15). A Section 3 cell is a set of (year received, year concluded, applicant type,
 * outcome): its total is a sum over this tally, kept like the list's tallies (migration
 * 1795761100000: deltas appended by triggers, folded in the background). Its applications are read
 * in tracking-number order from an index led by the year received, or concluded, that holds the
 * columns the cell's condition reads: a page is the next entries of one year, not a sort of them.
 */
const DIMENSIONS = 'received_year, concluded_year, applicant_type, outcome';
const COLUMNS = `"received_year" varchar(4) NOT NULL, "concluded_year" varchar(4) NOT NULL, "applicant_type" varchar(32) NOT NULL, "outcome" varchar(60) NOT NULL, "n" integer NOT NULL`;

const values = (r: string) => `COALESCE(SUBSTR(${r}.received_on, 1, 4), ''), COALESCE(SUBSTR(${r}.concluded_on, 1, 4), ''), ${r}.applicant_type, COALESCE(${r}.outcome, '')`;
const delta = (r: string, sign: 1 | -1) => `INSERT INTO "report_tally_delta" (${DIMENSIONS}, n) SELECT ${values(r)}, ${sign}`;
const CHANGED = (o: string, n: string, distinct: string) => ['received_on', 'concluded_on', 'applicant_type', 'outcome'].map((c) => `${o}.${c} ${distinct} ${n}.${c}`).join(' OR ');

const INDEXES: Array<[string, string]> = [
  ['IDX_information_request_received_year', `(SUBSTR(received_on, 1, 4), tracking_number, applicant_type, concluded_on, outcome)`],
  ['IDX_information_request_concluded_year', `(SUBSTR(concluded_on, 1, 4), tracking_number, applicant_type, received_on, outcome) WHERE concluded_on IS NOT NULL`],
];

export class ReportCellTallies1795761300000 implements MigrationInterface {
  name = 'ReportCellTallies1795761300000';

  async up(q: QueryRunner): Promise<void> {
    const pg = q.connection.options.type === 'postgres';
    await q.query(`CREATE TABLE "report_tally" (${COLUMNS})`);
    await q.query(`CREATE UNIQUE INDEX "UQ_report_tally" ON "report_tally" (${DIMENSIONS})`);
    await q.query(`CREATE TABLE "report_tally_delta" (${pg ? '"id" bigserial PRIMARY KEY' : '"id" integer PRIMARY KEY'}, ${COLUMNS})`);
    await q.query(
      `INSERT INTO "report_tally" (${DIMENSIONS}, n) SELECT ${values('r')}, COUNT(*) FROM "information_request" r GROUP BY COALESCE(SUBSTR(r.received_on, 1, 4), ''), COALESCE(SUBSTR(r.concluded_on, 1, 4), ''), r.applicant_type, COALESCE(r.outcome, '')`,
    );
    for (const [name, definition] of INDEXES) await q.query(`CREATE INDEX "${name}" ON "information_request" ${definition}`);
    if (pg) {
      await q.query(`CREATE FUNCTION report_tally_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    ${delta('OLD', -1)};
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    ${delta('NEW', 1)};
  END IF;
  RETURN NULL;
END $$`);
      await q.query(`CREATE TRIGGER "trg_report_tally_ai" AFTER INSERT ON "information_request" FOR EACH ROW EXECUTE FUNCTION report_tally_trigger()`);
      await q.query(`CREATE TRIGGER "trg_report_tally_ad" AFTER DELETE ON "information_request" FOR EACH ROW EXECUTE FUNCTION report_tally_trigger()`);
      await q.query(`CREATE TRIGGER "trg_report_tally_au" AFTER UPDATE ON "information_request" FOR EACH ROW WHEN (${CHANGED('OLD', 'NEW', 'IS DISTINCT FROM')}) EXECUTE FUNCTION report_tally_trigger()`);
    } else {
      await q.query(`CREATE TRIGGER "trg_report_tally_ai" AFTER INSERT ON "information_request" BEGIN ${delta('new', 1)}; END`);
      await q.query(`CREATE TRIGGER "trg_report_tally_ad" AFTER DELETE ON "information_request" BEGIN ${delta('old', -1)}; END`);
      await q.query(`CREATE TRIGGER "trg_report_tally_au" AFTER UPDATE ON "information_request" WHEN ${CHANGED('old', 'new', 'IS NOT')} BEGIN ${delta('old', -1)}; ${delta('new', 1)}; END`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    const pg = q.connection.options.type === 'postgres';
    for (const t of ['trg_report_tally_au', 'trg_report_tally_ad', 'trg_report_tally_ai']) await q.query(`DROP TRIGGER "${t}"${pg ? ' ON "information_request"' : ''}`);
    if (pg) await q.query('DROP FUNCTION report_tally_trigger()');
    for (const [name] of INDEXES) await q.query(`DROP INDEX "${name}"`);
    await q.query('DROP TABLE "report_tally_delta"');
    await q.query('DROP TABLE "report_tally"');
  }
}
