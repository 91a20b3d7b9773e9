import { EntityManager } from 'typeorm';

/**
 * The SQLite triggers and expression indexes of the tallies (migrations 1795761100000,
 * 1795761200000, 1795761300000, and 1795763100000 which keeps them per agency), as they stand now, and how to rebuild the tallies.
 *
 * TypeORM changes a SQLite table by copying it into a new one without the old table's triggers
 * (see search-index.service.ts). A later migration adding a column to `information_request` would
 * thus silently stop the tallies from following the writes, and every list total would drift. At
 * start-up, TallyFolderService puts back what is missing and, if a trigger was missing, rebuilds the
 * tallies from the requests.
 */
const DIMENSIONS = 'agency_id, kind, month, status, channel, applicant_type, assignee, outcome, undated, unreceived';
const flag = (condition: string) => `CASE WHEN ${condition} THEN 1 ELSE 0 END`;

function requestDeltas(r: string, sign: 1 | -1): string[] {
  const row = (kind: string, month: string, outcome: string, where: string) =>
    `INSERT INTO "request_tally_delta" (${DIMENSIONS}, min_due, max_due, n) SELECT ${r}.agency_id, '${kind}', ${month}, ${r}.status, ${r}.channel, ${r}.applicant_type, COALESCE(${r}.assignee_id, ''), ${outcome}, ${flag(`${r}.due_on IS NULL`)}, ${flag(`${r}.received_on IS NULL`)}, ${r}.due_on, ${r}.due_on, ${sign}${where ? ` WHERE ${where}` : ''}`;
  return [
    row('all', `''`, `COALESCE(${r}.outcome, '')`, ''),
    row('due', `SUBSTR(${r}.due_on, 1, 7)`, `''`, `${r}.due_on IS NOT NULL`),
    row('received', `SUBSTR(${r}.received_on, 1, 7)`, `''`, `${r}.received_on IS NOT NULL`),
    row('concluded', `SUBSTR(${r}.concluded_on, 1, 7)`, `COALESCE(${r}.outcome, '')`, `${r}.concluded_on IS NOT NULL`),
    `INSERT INTO "reply_tally_delta" (agency_id, concluded_on, received_on, dated, on_time, n) SELECT ${r}.agency_id, ${r}.concluded_on, ${r}.received_on, ${flag(`${r}.due_on IS NOT NULL`)}, ${flag(`${r}.due_on IS NOT NULL AND ${r}.concluded_on <= ${r}.due_on`)}, ${sign} WHERE ${r}.concluded_on IS NOT NULL AND ${r}.received_on IS NOT NULL`,
  ];
}

const reportDelta = (r: string, sign: 1 | -1) =>
  `INSERT INTO "report_tally_delta" (agency_id, received_year, concluded_year, applicant_type, outcome, n) SELECT ${r}.agency_id, COALESCE(SUBSTR(${r}.received_on, 1, 4), ''), COALESCE(SUBSTR(${r}.concluded_on, 1, 4), ''), ${r}.applicant_type, COALESCE(${r}.outcome, ''), ${sign}`;

const changed = (columns: string[]) => columns.map((c) => `old.${c} IS NOT new.${c}`).join(' OR ');
const body = (statements: string[]) => statements.map((s) => `${s};`).join(' ');
const REQUEST_COLUMNS = ['agency_id', 'status', 'channel', 'applicant_type', 'assignee_id', 'outcome', 'due_on', 'received_on', 'concluded_on'];
const REPORT_COLUMNS = ['agency_id', 'received_on', 'concluded_on', 'applicant_type', 'outcome'];

export const SQLITE_TALLY_TRIGGERS: Array<[string, string]> = [
  ['trg_request_tally_ai', `CREATE TRIGGER "trg_request_tally_ai" AFTER INSERT ON "information_request" BEGIN ${body(requestDeltas('new', 1))} END`],
  ['trg_request_tally_ad', `CREATE TRIGGER "trg_request_tally_ad" AFTER DELETE ON "information_request" BEGIN ${body(requestDeltas('old', -1))} END`],
  [
    'trg_request_tally_au',
    `CREATE TRIGGER "trg_request_tally_au" AFTER UPDATE ON "information_request" WHEN ${changed(REQUEST_COLUMNS)} BEGIN ${body([...requestDeltas('old', -1), ...requestDeltas('new', 1)])} END`,
  ],
  ['trg_report_tally_ai', `CREATE TRIGGER "trg_report_tally_ai" AFTER INSERT ON "information_request" BEGIN ${body([reportDelta('new', 1)])} END`],
  ['trg_report_tally_ad', `CREATE TRIGGER "trg_report_tally_ad" AFTER DELETE ON "information_request" BEGIN ${body([reportDelta('old', -1)])} END`],
  [
    'trg_report_tally_au',
    `CREATE TRIGGER "trg_report_tally_au" AFTER UPDATE ON "information_request" WHEN ${changed(REPORT_COLUMNS)} BEGIN ${body([reportDelta('old', -1), reportDelta('new', 1)])} END`,
  ],
];

export const SQLITE_TALLY_INDEXES: Array<[string, string]> = [
  [
    'IDX_information_request_received_year',
    `CREATE INDEX "IDX_information_request_received_year" ON "information_request" (agency_id, SUBSTR(received_on, 1, 4), tracking_number, applicant_type, concluded_on, outcome)`,
  ],
  [
    'IDX_information_request_concluded_year',
    `CREATE INDEX "IDX_information_request_concluded_year" ON "information_request" (agency_id, SUBSTR(concluded_on, 1, 4), tracking_number, applicant_type, received_on, outcome) WHERE concluded_on IS NOT NULL`,
  ],
  [
    'IDX_request_event_correction_due',
    `CREATE INDEX "IDX_request_event_correction_due" ON "request_event" (request_id, json_extract(payload, '$.correctionDueOn')) WHERE type = 'correction_requested'`,
  ],
  [
    'IDX_request_event_fee_received',
    `CREATE INDEX "IDX_request_event_fee_received" ON "request_event" (request_id, COALESCE(NULLIF(json_extract(payload, '$.deliveredOn'), ''), occurred_on)) WHERE type = 'fee_notice_issued'`,
  ],
];

/** Every tally rebuilt from the requests as they are (inside the caller's transaction). */
export async function rebuildTallies(m: EntityManager): Promise<void> {
  for (const table of ['request_tally', 'request_tally_delta', 'reply_tally', 'reply_tally_delta', 'report_tally', 'report_tally_delta']) await m.query(`DELETE FROM "${table}"`);
  // Each request's +1 rows, as the insert trigger writes them; the next fold groups them.
  const r = 'r';
  for (const statement of [...requestDeltas(r, 1), reportDelta(r, 1)]) {
    const [head, rest] = statement.split(/ SELECT (.*)$/s);
    const [select, where] = rest.split(/ WHERE /);
    await m.query(`${head} SELECT ${select} FROM "information_request" r${where ? ` WHERE ${where}` : ''}`);
  }
}

const TALLIES: Array<[tally: string, dimensions: string]> = [
  ['request_tally', DIMENSIONS],
  ['reply_tally', 'agency_id, concluded_on, received_on, dated, on_time'],
  ['report_tally', 'agency_id, received_year, concluded_year, applicant_type, outcome'],
];

/**
 * The groups in which a tally (with its deltas) differs from a fresh count of the requests, per
 * tally: the expected rows are written by the trigger statements into temporary copies.
 */
export async function verifyTallies(m: EntityManager): Promise<Record<string, number>> {
  const result: Record<string, number> = {};
  for (const [tally] of TALLIES) await m.query(`CREATE TEMPORARY TABLE "expected_${tally}" AS SELECT * FROM "${tally}_delta" WHERE 1 = 0`);
  try {
    for (const statement of [...requestDeltas('r', 1), reportDelta('r', 1)]) {
      const [head, rest] = statement.split(/ SELECT (.*)$/s);
      const [select, where] = rest.split(/ WHERE /);
      const into = head.replace(/INSERT INTO "(\w+)_delta"/, 'INSERT INTO "expected_$1"');
      await m.query(`${into} SELECT ${select} FROM "information_request" r${where ? ` WHERE ${where}` : ''}`);
    }
    for (const [tally, dims] of TALLIES) {
      const actual = `SELECT ${dims}, SUM(n) AS n FROM (SELECT ${dims}, n FROM "${tally}" UNION ALL SELECT ${dims}, n FROM "${tally}_delta") t GROUP BY ${dims} HAVING SUM(n) <> 0`;
      const expected = `SELECT ${dims}, SUM(n) AS n FROM "expected_${tally}" GROUP BY ${dims}`;
      const [row] = await m.query<Array<{ n: string | number }>>(`SELECT (SELECT COUNT(*) FROM (${actual} EXCEPT ${expected}) a) + (SELECT COUNT(*) FROM (${expected} EXCEPT ${actual}) b) AS n`);
      result[tally] = Number(row.n);
    }
  } finally {
    for (const [tally] of TALLIES) await m.query(`DROP TABLE "expected_${tally}"`);
  }
  return result;
}
