import { MigrationInterface, QueryRunner, TableIndex } from 'typeorm';

/*
 * The tallies of migrations 1795761100000 and 1795761300000 per agency (D22, issue 16): one
 * agency's list totals, dashboard and report cells are sums over its own tally rows, exact and as
 * fast as before whatever the other agencies hold. The agency is the first dimension of every
 * tally; the triggers also follow a request that moves to another agency (D23's transfer). The
 * tallies are dropped, created again and filled from the requests. The list and report indexes
 * lead with the agency, which every staff read filters on.
 *
 * src/requests/tally-schema.ts holds the SQLite triggers and indexes as they stand after this
 * migration (a test holds the two equal).
 */
const DIMENSIONS = ['agency_id', 'kind', 'month', 'status', 'channel', 'applicant_type', 'assignee', 'outcome', 'undated', 'unreceived'];
const REPLY_DIMENSIONS = ['agency_id', 'concluded_on', 'received_on', 'dated', 'on_time'];
const REPORT_DIMENSIONS = ['agency_id', 'received_year', 'concluded_year', 'applicant_type', 'outcome'];

const TALLY_COLUMNS = `"agency_id" integer NOT NULL, "kind" varchar(10) NOT NULL, "month" varchar(7) NOT NULL, "status" varchar(30) NOT NULL, "channel" varchar(20) NOT NULL, "applicant_type" varchar(32) NOT NULL, "assignee" varchar(36) NOT NULL, "outcome" varchar(60) NOT NULL, "undated" smallint NOT NULL, "unreceived" smallint NOT NULL, "min_due" varchar(10), "max_due" varchar(10), "n" integer NOT NULL`;
const REPLY_COLUMNS = `"agency_id" integer NOT NULL, "concluded_on" varchar(10) NOT NULL, "received_on" varchar(10) NOT NULL, "dated" smallint NOT NULL, "on_time" smallint NOT NULL, "n" integer NOT NULL`;
const REPORT_COLUMNS = `"agency_id" integer NOT NULL, "received_year" varchar(4) NOT NULL, "concluded_year" varchar(4) NOT NULL, "applicant_type" varchar(32) NOT NULL, "outcome" varchar(60) NOT NULL, "n" integer NOT NULL`;

const flag = (condition: string) => `CASE WHEN ${condition} THEN 1 ELSE 0 END`;

/** The delta rows of one request's values (`r` is NEW or OLD), counted `sign`: the statements of tally-schema.ts. */
function requestDeltas(r: string, sign: 1 | -1): string[] {
  const row = (kind: string, month: string, outcome: string, where: string) =>
    `INSERT INTO "request_tally_delta" (${DIMENSIONS.join(', ')}, min_due, max_due, n) SELECT ${r}.agency_id, '${kind}', ${month}, ${r}.status, ${r}.channel, ${r}.applicant_type, COALESCE(${r}.assignee_id, ''), ${outcome}, ${flag(`${r}.due_on IS NULL`)}, ${flag(`${r}.received_on IS NULL`)}, ${r}.due_on, ${r}.due_on, ${sign}${where ? ` WHERE ${where}` : ''}`;
  return [
    row('all', `''`, `COALESCE(${r}.outcome, '')`, ''),
    row('due', `SUBSTR(${r}.due_on, 1, 7)`, `''`, `${r}.due_on IS NOT NULL`),
    row('received', `SUBSTR(${r}.received_on, 1, 7)`, `''`, `${r}.received_on IS NOT NULL`),
    row('concluded', `SUBSTR(${r}.concluded_on, 1, 7)`, `COALESCE(${r}.outcome, '')`, `${r}.concluded_on IS NOT NULL`),
    `INSERT INTO "reply_tally_delta" (${REPLY_DIMENSIONS.join(', ')}, n) SELECT ${r}.agency_id, ${r}.concluded_on, ${r}.received_on, ${flag(`${r}.due_on IS NOT NULL`)}, ${flag(`${r}.due_on IS NOT NULL AND ${r}.concluded_on <= ${r}.due_on`)}, ${sign} WHERE ${r}.concluded_on IS NOT NULL AND ${r}.received_on IS NOT NULL`,
  ];
}

const reportDelta = (r: string, sign: 1 | -1) =>
  `INSERT INTO "report_tally_delta" (${REPORT_DIMENSIONS.join(', ')}, n) SELECT ${r}.agency_id, COALESCE(SUBSTR(${r}.received_on, 1, 4), ''), COALESCE(SUBSTR(${r}.concluded_on, 1, 4), ''), ${r}.applicant_type, COALESCE(${r}.outcome, ''), ${sign}`;

const REQUEST_TALLIED = ['agency_id', 'status', 'channel', 'applicant_type', 'assignee_id', 'outcome', 'due_on', 'received_on', 'concluded_on'];
const REPORT_TALLIED = ['agency_id', 'received_on', 'concluded_on', 'applicant_type', 'outcome'];
const changed = (columns: string[], o: string, n: string, distinct: string) => columns.map((c) => `${o}.${c} ${distinct} ${n}.${c}`).join(' OR ');
const sqliteBody = (statements: string[]) => statements.map((s) => `${s};`).join(' ');

/** The tallies of the requests as they are, one grouped insert each; without the agency for down(). */
function fillStatements(withAgency: boolean): string[] {
  const a = withAgency ? 'agency_id, ' : '';
  const dims = (list: string[]) => (withAgency ? list : list.slice(1)).join(', ');
  const from = (kind: string, month: string, outcome: string, where: string) =>
    `INSERT INTO "request_tally" (${dims(DIMENSIONS)}, min_due, max_due, n) SELECT ${a}'${kind}', ${month}, status, channel, applicant_type, COALESCE(assignee_id, ''), ${outcome}, ${flag('due_on IS NULL')}, ${flag('received_on IS NULL')}, MIN(due_on), MAX(due_on), COUNT(*) FROM "information_request"${where ? ` WHERE ${where}` : ''} GROUP BY ${a}${month === `''` ? '' : `${month}, `}status, channel, applicant_type, COALESCE(assignee_id, ''), ${outcome === `''` ? '' : `${outcome}, `}${flag('due_on IS NULL')}, ${flag('received_on IS NULL')}`;
  const reply = [flag('due_on IS NOT NULL'), flag('due_on IS NOT NULL AND concluded_on <= due_on')].join(', ');
  const report = `COALESCE(SUBSTR(received_on, 1, 4), ''), COALESCE(SUBSTR(concluded_on, 1, 4), ''), applicant_type, COALESCE(outcome, '')`;
  return [
    from('all', `''`, `COALESCE(outcome, '')`, ''),
    from('due', 'SUBSTR(due_on, 1, 7)', `''`, 'due_on IS NOT NULL'),
    from('received', 'SUBSTR(received_on, 1, 7)', `''`, 'received_on IS NOT NULL'),
    from('concluded', 'SUBSTR(concluded_on, 1, 7)', `COALESCE(outcome, '')`, 'concluded_on IS NOT NULL'),
    `INSERT INTO "reply_tally" (${dims(REPLY_DIMENSIONS)}, n) SELECT ${a}concluded_on, received_on, ${reply}, COUNT(*) FROM "information_request" WHERE concluded_on IS NOT NULL AND received_on IS NOT NULL GROUP BY ${a}concluded_on, received_on, ${reply}`,
    `INSERT INTO "report_tally" (${dims(REPORT_DIMENSIONS)}, n) SELECT ${a}${report}, COUNT(*) FROM "information_request" GROUP BY ${a}${report}`,
  ];
}

const OPEN = `('in_progress', 'awaiting_correction', 'consulting', 'awaiting_fee')`;
const ORDER = 'due_on, submitted_at DESC, id';

/** The list indexes of migration 1795761000000 and the report's year indexes of 1795761300000, led by the agency. */
const INDEXES: Array<[string, string, string]> = [
  ['IDX_information_request_list', `(${ORDER}, status, received_on, concluded_on, outcome)`, `(agency_id, ${ORDER}, status, received_on, concluded_on, outcome)`],
  ['IDX_information_request_status_list', `(status, ${ORDER})`, `(agency_id, status, ${ORDER})`],
  ['IDX_information_request_open_list', `(${ORDER}) WHERE status IN ${OPEN}`, `(agency_id, ${ORDER}) WHERE status IN ${OPEN}`],
  ['IDX_information_request_type_list', `(applicant_type, ${ORDER})`, `(agency_id, applicant_type, ${ORDER})`],
  ['IDX_information_request_channel_list', `(channel, ${ORDER})`, `(agency_id, channel, ${ORDER})`],
  ['IDX_information_request_assignee_list', `(assignee_id, ${ORDER})`, `(agency_id, assignee_id, ${ORDER})`],
  [
    'IDX_information_request_concluded',
    `(concluded_on, received_on, outcome, applicant_type, due_on, tracking_number, status) WHERE concluded_on IS NOT NULL`,
    `(agency_id, concluded_on, received_on, outcome, applicant_type, due_on, tracking_number, status) WHERE concluded_on IS NOT NULL`,
  ],
  [
    'IDX_information_request_outcome',
    `(outcome, concluded_on, received_on, due_on, applicant_type, tracking_number) WHERE outcome IS NOT NULL`,
    `(agency_id, outcome, concluded_on, received_on, due_on, applicant_type, tracking_number) WHERE outcome IS NOT NULL`,
  ],
  [
    'IDX_information_request_received_year',
    `(SUBSTR(received_on, 1, 4), tracking_number, applicant_type, concluded_on, outcome)`,
    `(agency_id, SUBSTR(received_on, 1, 4), tracking_number, applicant_type, concluded_on, outcome)`,
  ],
  [
    'IDX_information_request_concluded_year',
    `(SUBSTR(concluded_on, 1, 4), tracking_number, applicant_type, received_on, outcome) WHERE concluded_on IS NOT NULL`,
    `(agency_id, SUBSTR(concluded_on, 1, 4), tracking_number, applicant_type, received_on, outcome) WHERE concluded_on IS NOT NULL`,
  ],
];
/** Indexes the entity declares (columns), led by the agency. */
const PLAIN_INDEXES: Array<[string, string[], string[]]> = [
  ['IDX_information_request_received', ['received_on', 'applicant_type', 'concluded_on', 'tracking_number', 'due_on'], ['agency_id', 'received_on', 'applicant_type', 'concluded_on', 'tracking_number', 'due_on']],
  ['IDX_information_request_report', ['received_on', 'concluded_on', 'applicant_type', 'outcome'], ['agency_id', 'received_on', 'concluded_on', 'applicant_type', 'outcome']],
];

const TABLES: Array<[string, string, string[]]> = [
  ['request_tally', TALLY_COLUMNS, DIMENSIONS],
  ['reply_tally', REPLY_COLUMNS, REPLY_DIMENSIONS],
  ['report_tally', REPORT_COLUMNS, REPORT_DIMENSIONS],
];
const DELTA_INDEXES: Array<[string, string]> = [
  ['IDX_request_tally_delta', '"request_tally_delta" (kind, month)'],
  ['IDX_reply_tally_delta', '"reply_tally_delta" (concluded_on)'],
];
const TRIGGERS = ['trg_request_tally_ai', 'trg_request_tally_ad', 'trg_request_tally_au', 'trg_report_tally_ai', 'trg_report_tally_ad', 'trg_report_tally_au'];

export class AgencyTallies1795763100000 implements MigrationInterface {
  name = 'AgencyTallies1795763100000';

  async up(q: QueryRunner): Promise<void> {
    const pg = q.connection.options.type === 'postgres';
    for (const t of TRIGGERS) await q.query(`DROP TRIGGER IF EXISTS "${t}"${pg ? ' ON "information_request"' : ''}`);
    if (pg) for (const f of ['request_tally_trigger', 'report_tally_trigger']) await q.query(`DROP FUNCTION IF EXISTS ${f}()`);
    for (const [table] of TABLES) for (const t of [`${table}_delta`, table]) await q.query(`DROP TABLE "${t}"`);
    const serial = pg ? '"id" bigserial PRIMARY KEY' : '"id" integer PRIMARY KEY';
    for (const [table, columns, dims] of TABLES) {
      await q.query(`CREATE TABLE "${table}" (${columns})`);
      await q.query(`CREATE UNIQUE INDEX "UQ_${table}" ON "${table}" (${dims.join(', ')})`);
      await q.query(`CREATE TABLE "${table}_delta" (${serial}, ${columns})`);
    }
    for (const [name, on] of DELTA_INDEXES) await q.query(`CREATE INDEX "${name}" ON ${on}`);
    for (const statement of fillStatements(true)) await q.query(statement);
    await this.createTriggers(q, pg, 1);
    for (const [name, , definition] of INDEXES) {
      await q.query(`DROP INDEX "${name}"`);
      await q.query(`CREATE INDEX "${name}" ON "information_request" ${definition}`);
    }
    for (const [name, , columnNames] of PLAIN_INDEXES) {
      await q.dropIndex('information_request', name);
      await q.createIndex('information_request', new TableIndex({ name, columnNames }));
    }
    // The new indexes have no statistics yet: without them SQLite's planner chose scans (a
    // two-character search took 8.6 s, a request's detail 4.4 s at 1M requests until ANALYZE).
    await q.query('ANALYZE information_request');
  }

  private async createTriggers(q: QueryRunner, pg: boolean, version: 0 | 1): Promise<void> {
    // version 0: the triggers of migrations 1795761100000 and 1795761300000 (down), without the agency.
    const strip = (s: string) => (version ? s : s.replace(/agency_id, /, '').replace(/SELECT (new|old|NEW|OLD)\.agency_id, /, 'SELECT '));
    const deltas = (r: string, sign: 1 | -1) => requestDeltas(r, sign).map(strip);
    const report = (r: string, sign: 1 | -1) => strip(reportDelta(r, sign));
    const requestCols = version ? REQUEST_TALLIED : REQUEST_TALLIED.slice(1);
    const reportCols = version ? REPORT_TALLIED : REPORT_TALLIED.slice(1);
    if (pg) {
      const body = (ops: string[]) => ops.map((s) => `    ${s};`).join('\n');
      for (const [fn, del, ins] of [
        ['request_tally_trigger', deltas('OLD', -1), deltas('NEW', 1)],
        ['report_tally_trigger', [report('OLD', -1)], [report('NEW', 1)]],
      ] as const) {
        await q.query(`CREATE FUNCTION ${fn}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
${body([...del])}
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
${body([...ins])}
  END IF;
  RETURN NULL;
END $$`);
      }
      for (const [kind, fn, cols] of [
        ['request', 'request_tally_trigger', requestCols],
        ['report', 'report_tally_trigger', reportCols],
      ] as const) {
        await q.query(`CREATE TRIGGER "trg_${kind}_tally_ai" AFTER INSERT ON "information_request" FOR EACH ROW EXECUTE FUNCTION ${fn}()`);
        await q.query(`CREATE TRIGGER "trg_${kind}_tally_ad" AFTER DELETE ON "information_request" FOR EACH ROW EXECUTE FUNCTION ${fn}()`);
        await q.query(`CREATE TRIGGER "trg_${kind}_tally_au" AFTER UPDATE ON "information_request" FOR EACH ROW WHEN (${changed([...cols], 'OLD', 'NEW', 'IS DISTINCT FROM')}) EXECUTE FUNCTION ${fn}()`);
      }
    } else {
      await q.query(`CREATE TRIGGER "trg_request_tally_ai" AFTER INSERT ON "information_request" BEGIN ${sqliteBody(deltas('new', 1))} END`);
      await q.query(`CREATE TRIGGER "trg_request_tally_ad" AFTER DELETE ON "information_request" BEGIN ${sqliteBody(deltas('old', -1))} END`);
      await q.query(
        `CREATE TRIGGER "trg_request_tally_au" AFTER UPDATE ON "information_request" WHEN ${changed(requestCols, 'old', 'new', 'IS NOT')} BEGIN ${sqliteBody([...deltas('old', -1), ...deltas('new', 1)])} END`,
      );
      await q.query(`CREATE TRIGGER "trg_report_tally_ai" AFTER INSERT ON "information_request" BEGIN ${sqliteBody([report('new', 1)])} END`);
      await q.query(`CREATE TRIGGER "trg_report_tally_ad" AFTER DELETE ON "information_request" BEGIN ${sqliteBody([report('old', -1)])} END`);
      await q.query(`CREATE TRIGGER "trg_report_tally_au" AFTER UPDATE ON "information_request" WHEN ${changed(reportCols, 'old', 'new', 'IS NOT')} BEGIN ${sqliteBody([report('old', -1), report('new', 1)])} END`);
    }
  }

  /** Back to tallies without the agency (refilled from the requests); the indexes as they were. */
  async down(q: QueryRunner): Promise<void> {
    const pg = q.connection.options.type === 'postgres';
    for (const [name, columnNames] of PLAIN_INDEXES) {
      await q.dropIndex('information_request', name);
      await q.createIndex('information_request', new TableIndex({ name, columnNames }));
    }
    for (const [name, definition] of INDEXES) {
      await q.query(`DROP INDEX "${name}"`);
      await q.query(`CREATE INDEX "${name}" ON "information_request" ${definition}`);
    }
    for (const t of TRIGGERS) await q.query(`DROP TRIGGER IF EXISTS "${t}"${pg ? ' ON "information_request"' : ''}`);
    if (pg) for (const f of ['request_tally_trigger', 'report_tally_trigger']) await q.query(`DROP FUNCTION IF EXISTS ${f}()`);
    const noAgency = (s: string) => s.replace('"agency_id" integer NOT NULL, ', '');
    for (const [table, columns, dims] of TABLES) {
      for (const t of [`${table}_delta`, table]) await q.query(`DROP TABLE "${t}"`);
      await q.query(`CREATE TABLE "${table}" (${noAgency(columns)})`);
      await q.query(`CREATE UNIQUE INDEX "UQ_${table}" ON "${table}" (${dims.slice(1).join(', ')})`);
      await q.query(`CREATE TABLE "${table}_delta" (${pg ? '"id" bigserial PRIMARY KEY' : '"id" integer PRIMARY KEY'}, ${noAgency(columns)})`);
    }
    for (const [name, on] of DELTA_INDEXES) await q.query(`CREATE INDEX "${name}" ON ${on}`);
    // Refilled from the requests: every agency's rows summed, as before agencies.
    for (const statement of fillStatements(false)) await q.query(statement);
    await this.createTriggers(q, pg, 0);
  }
}
