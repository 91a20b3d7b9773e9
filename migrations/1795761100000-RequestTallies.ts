import { MigrationInterface, QueryRunner } from 'typeorm';

/*
 * Exact counts without counting rows (issue 15). The list's totals and the dashboard's year
 * figures were counts over up to every request; they are now sums over tallies: the number of
 * requests per combination of the list's filter columns, per month of one date (kind `due`,
 * `received`, `concluded`) or without a date (kind `all`), and the replies per (concluded,
 * received) pair. Triggers append a +1 row for a request's new values and a -1 row for its old
 * ones to a delta table in the writing transaction: an append never waits for another writer's
 * lock, so concurrent transactions cannot deadlock on a shared counter. A job folds the deltas
 * into the tally; a count reads both. The statements are the same text on SQLite and
 * PostgreSQL; only their wrapping (trigger bodies) differs.
 */

const DIMENSIONS = ['kind', 'month', 'status', 'channel', 'applicant_type', 'assignee', 'outcome', 'undated', 'unreceived'];
const REPLY_DIMENSIONS = ['concluded_on', 'received_on', 'dated', 'on_time'];

const TALLY_COLUMNS = `"kind" varchar(10) NOT NULL, "month" varchar(7) NOT NULL, "status" varchar(30) NOT NULL, "channel" varchar(20) NOT NULL, "applicant_type" varchar(32) NOT NULL, "assignee" varchar(36) NOT NULL, "outcome" varchar(60) NOT NULL, "undated" smallint NOT NULL, "unreceived" smallint NOT NULL, "min_due" varchar(10), "max_due" varchar(10), "n" integer NOT NULL`;
const REPLY_COLUMNS = `"concluded_on" varchar(10) NOT NULL, "received_on" varchar(10) NOT NULL, "dated" smallint NOT NULL, "on_time" smallint NOT NULL, "n" integer NOT NULL`;

const flag = (condition: string) => `CASE WHEN ${condition} THEN 1 ELSE 0 END`;

/** The delta rows of one request's values (`r` is NEW or OLD), counted `sign`. */
function deltaInserts(r: string, sign: 1 | -1): string[] {
  const row = (kind: string, month: string, outcome: string, where: string) =>
    `INSERT INTO "request_tally_delta" (${DIMENSIONS.join(', ')}, min_due, max_due, n) SELECT '${kind}', ${month}, ${r}.status, ${r}.channel, ${r}.applicant_type, COALESCE(${r}.assignee_id, ''), ${outcome}, ${flag(`${r}.due_on IS NULL`)}, ${flag(`${r}.received_on IS NULL`)}, ${r}.due_on, ${r}.due_on, ${sign}${where ? ` WHERE ${where}` : ''}`;
  return [
    row('all', `''`, `COALESCE(${r}.outcome, '')`, ''),
    row('due', `SUBSTR(${r}.due_on, 1, 7)`, `''`, `${r}.due_on IS NOT NULL`),
    row('received', `SUBSTR(${r}.received_on, 1, 7)`, `''`, `${r}.received_on IS NOT NULL`),
    row('concluded', `SUBSTR(${r}.concluded_on, 1, 7)`, `COALESCE(${r}.outcome, '')`, `${r}.concluded_on IS NOT NULL`),
    `INSERT INTO "reply_tally_delta" (${REPLY_DIMENSIONS.join(', ')}, n) SELECT ${r}.concluded_on, ${r}.received_on, ${flag(`${r}.due_on IS NOT NULL`)}, ${flag(`${r}.due_on IS NOT NULL AND ${r}.concluded_on <= ${r}.due_on`)}, ${sign} WHERE ${r}.concluded_on IS NOT NULL AND ${r}.received_on IS NOT NULL`,
  ];
}

const TALLIED = ['status', 'channel', 'applicant_type', 'assignee_id', 'outcome', 'due_on', 'received_on', 'concluded_on'];
const CHANGED = (o: string, n: string, distinct: string) => TALLIED.map((c) => `${o}.${c} ${distinct} ${n}.${c}`).join(' OR ');

/** The tallies of the requests as they are: one grouped insert per kind. */
function fillStatements(): string[] {
  const from = (kind: string, month: string, outcome: string, where: string) =>
    `INSERT INTO "request_tally" (${DIMENSIONS.join(', ')}, min_due, max_due, n) SELECT '${kind}', ${month}, status, channel, applicant_type, COALESCE(assignee_id, ''), ${outcome}, ${flag('due_on IS NULL')}, ${flag('received_on IS NULL')}, MIN(due_on), MAX(due_on), COUNT(*) FROM "information_request"${where ? ` WHERE ${where}` : ''} GROUP BY ${month === `''` ? '' : `${month}, `}status, channel, applicant_type, COALESCE(assignee_id, ''), ${outcome === `''` ? '' : `${outcome}, `}${flag('due_on IS NULL')}, ${flag('received_on IS NULL')}`;
  return [
    from('all', `''`, `COALESCE(outcome, '')`, ''),
    from('due', 'SUBSTR(due_on, 1, 7)', `''`, 'due_on IS NOT NULL'),
    from('received', 'SUBSTR(received_on, 1, 7)', `''`, 'received_on IS NOT NULL'),
    from('concluded', 'SUBSTR(concluded_on, 1, 7)', `COALESCE(outcome, '')`, 'concluded_on IS NOT NULL'),
    `INSERT INTO "reply_tally" (${REPLY_DIMENSIONS.join(', ')}, n) SELECT concluded_on, received_on, ${flag('due_on IS NOT NULL')}, ${flag('due_on IS NOT NULL AND concluded_on <= due_on')}, COUNT(*) FROM "information_request" WHERE concluded_on IS NOT NULL AND received_on IS NOT NULL GROUP BY concluded_on, received_on, ${flag('due_on IS NOT NULL')}, ${flag('due_on IS NOT NULL AND concluded_on <= due_on')}`,
  ];
}

export class RequestTallies1795761100000 implements MigrationInterface {
  name = 'RequestTallies1795761100000';

  async up(q: QueryRunner): Promise<void> {
    const pg = q.connection.options.type === 'postgres';
    const serial = pg ? '"id" bigserial PRIMARY KEY' : '"id" integer PRIMARY KEY';
    await q.query(`CREATE TABLE "request_tally" (${TALLY_COLUMNS})`);
    await q.query(`CREATE UNIQUE INDEX "UQ_request_tally" ON "request_tally" (${DIMENSIONS.join(', ')})`);
    await q.query(`CREATE TABLE "request_tally_delta" (${serial}, ${TALLY_COLUMNS})`);
    await q.query(`CREATE INDEX "IDX_request_tally_delta" ON "request_tally_delta" (kind, month)`);
    await q.query(`CREATE TABLE "reply_tally" (${REPLY_COLUMNS})`);
    await q.query(`CREATE UNIQUE INDEX "UQ_reply_tally" ON "reply_tally" (${REPLY_DIMENSIONS.join(', ')})`);
    await q.query(`CREATE TABLE "reply_tally_delta" (${serial}, ${REPLY_COLUMNS})`);
    await q.query(`CREATE INDEX "IDX_reply_tally_delta" ON "reply_tally_delta" (concluded_on)`);
    for (const statement of fillStatements()) await q.query(statement);
    if (pg) {
      const body = (ops: string[]) => ops.map((s) => `    ${s};`).join('\n');
      await q.query(`CREATE FUNCTION request_tally_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
${body(deltaInserts('OLD', -1))}
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
${body(deltaInserts('NEW', 1))}
  END IF;
  RETURN NULL;
END $$`);
      await q.query(`CREATE TRIGGER "trg_request_tally_ai" AFTER INSERT ON "information_request" FOR EACH ROW EXECUTE FUNCTION request_tally_trigger()`);
      await q.query(`CREATE TRIGGER "trg_request_tally_ad" AFTER DELETE ON "information_request" FOR EACH ROW EXECUTE FUNCTION request_tally_trigger()`);
      await q.query(`CREATE TRIGGER "trg_request_tally_au" AFTER UPDATE ON "information_request" FOR EACH ROW WHEN (${CHANGED('OLD', 'NEW', 'IS DISTINCT FROM')}) EXECUTE FUNCTION request_tally_trigger()`);
    } else {
      const body = (ops: string[]) => ops.map((s) => `${s};`).join(' ');
      await q.query(`CREATE TRIGGER "trg_request_tally_ai" AFTER INSERT ON "information_request" BEGIN ${body(deltaInserts('new', 1))} END`);
      await q.query(`CREATE TRIGGER "trg_request_tally_ad" AFTER DELETE ON "information_request" BEGIN ${body(deltaInserts('old', -1))} END`);
      await q.query(`CREATE TRIGGER "trg_request_tally_au" AFTER UPDATE ON "information_request" WHEN ${CHANGED('old', 'new', 'IS NOT')} BEGIN ${body([...deltaInserts('old', -1), ...deltaInserts('new', 1)])} END`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of ['trg_request_tally_au', 'trg_request_tally_ad', 'trg_request_tally_ai']) await q.query(`DROP TRIGGER "${t}"${q.connection.options.type === 'postgres' ? ' ON "information_request"' : ''}`);
    if (q.connection.options.type === 'postgres') await q.query('DROP FUNCTION request_tally_trigger()');
    for (const t of ['reply_tally_delta', 'reply_tally', 'request_tally_delta', 'request_tally']) await q.query(`DROP TABLE "${t}"`);
  }
}
