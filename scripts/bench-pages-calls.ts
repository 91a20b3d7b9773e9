import { DataSource } from 'typeorm';
import { OPEN_WORK_STATUSES, OUTCOMES } from '../src/domain/lifecycle';
import { SeedSample } from './bench-pages-seed';

/** The calls `npm run bench:pages` times, each with its floor: the same result from hand-written SQL through the driver. */
export interface Call {
  name: string;
  path: () => string;
  /** Counted against the page target (p95 ≤ 100 ms at 1M, ≤ 3× from 100k to 1M). */
  target: boolean;
  page?: boolean;
  floor: (db: Floor) => Promise<unknown>;
}

/** The same results from hand-written SQL through the driver. */
export class Floor {
  constructor(
    readonly ds: DataSource,
    readonly pg: boolean,
    readonly today: string,
  ) {}

  q(sql: string, params: unknown[] = []): Promise<Array<Record<string, unknown>>> {
    let n = 0;
    return this.ds.query(this.pg ? sql.replace(/\?/g, () => `$${++n}`) : sql, params);
  }

  async rows(ids: string[]): Promise<unknown> {
    if (!ids.length) return [];
    return this.q(`SELECT r.*, a.name, a.id_document_number, a.phone FROM information_request r JOIN applicant a ON a.id = r.applicant_id WHERE r.id IN (${ids.map(() => '?').join(',')})`, ids);
  }

  /** Count, the page's ids from the index in list order, then its rows. */
  async list(where: string, params: unknown[], offset = 0): Promise<unknown> {
    const [{ n, d }] = await this.q(`SELECT COUNT(*) AS n, COUNT(due_on) AS d FROM information_request r WHERE ${where}`, params);
    const withDue = Number(d);
    const ids =
      offset < withDue
        ? await this.q(`SELECT id FROM information_request r WHERE ${where} AND due_on IS NOT NULL ORDER BY due_on, submitted_at DESC, id LIMIT 20 OFFSET ${offset}`, params)
        : await this.q(`SELECT id FROM information_request r WHERE ${where} AND due_on IS NULL ORDER BY submitted_at DESC, id LIMIT 20 OFFSET ${offset - withDue}`, params);
    await this.rows(ids.map((r) => String(r.id)));
    return Number(n);
  }

  async search(term: string): Promise<unknown> {
    if (!this.pg) {
      // The documents carry the list's order keys (migration 1795765000000).
      const ids = await this.q(
        `SELECT d.request_id AS id, COUNT(*) OVER () AS n FROM request_search s JOIN request_search_doc d ON d.seq = s.rowid WHERE request_search MATCH ? ORDER BY CASE WHEN d.due_on IS NULL THEN 1 ELSE 0 END, d.due_on, d.submitted_at DESC, d.request_id LIMIT 20`,
        [`"${term}"`],
      );
      return this.rows(ids.map((r) => String(r.id)));
    }
    const matched = `SELECT request_id FROM request_search_text WHERE text LIKE ? UNION SELECT r.id FROM applicant a JOIN information_request r ON r.applicant_id = a.id WHERE a.name LIKE ? OR a.id_document_number LIKE ? OR a.organisation_code LIKE ?`;
    const ids = await this.q(
      `SELECT id, COUNT(*) OVER () AS n FROM information_request WHERE id IN (${matched}) ORDER BY CASE WHEN due_on IS NULL THEN 1 ELSE 0 END, due_on, submitted_at DESC, id LIMIT 20`,
      Array(4).fill(`%${term}%`),
    );
    return this.rows(ids.map((r) => String(r.id)));
  }
}

const OPEN_SQL = `status IN (${OPEN_WORK_STATUSES.map((s) => `'${s}'`).join(', ')})`;

export function calls(sample: SeedSample, today: string, randomOpen: () => string, year: number): Call[] {
  const list = (name: string, query: string, where: string, params: unknown[] = [], offset = 0, target = true): Call => ({
    name,
    path: () => `/api/v1/requests${query ? `?${query}` : ''}`,
    target,
    floor: (f) => f.list(where, params, offset),
  });
  const search = (name: string, term: string, target = true): Call => ({
    name: `?q= ${name}`,
    path: () => `/api/v1/requests?q=${encodeURIComponent(term)}`,
    target,
    floor: (f) => f.search(term),
  });
  const detailFloor = async (f: Floor, id: string) => {
    const [r] = await f.q('SELECT * FROM information_request WHERE id = ?', [id]);
    await f.q('SELECT * FROM request_item WHERE request_id = ? ORDER BY position', [id]);
    await f.q('SELECT * FROM request_event WHERE request_id = ? ORDER BY seq', [id]);
    const [a] = await f.q('SELECT * FROM applicant WHERE id = ?', [r.applicant_id]);
    return f.q(
      `SELECT r.id, r.tracking_number, r.description FROM applicant a JOIN information_request r ON r.applicant_id = a.id WHERE (a.id_document_number = ? OR a.organisation_code = ? OR (a.name = ? AND a.phone = ?) OR (a.name = ? AND a.email = ?)) AND r.status = 'concluded' AND r.id <> ? ORDER BY r.concluded_on DESC LIMIT 50`,
      [a.id_document_number, a.organisation_code, a.name, a.phone, a.name, a.email, id],
    );
  };
  const dashboardFloor = async (f: Floor) => {
    const start = `${year}-01-01`;
    const end = `${year}-12-31`;
    await f.q('SELECT received_on, applicant_type, COUNT(*) FROM information_request WHERE received_on >= ? AND received_on <= ? GROUP BY received_on, applicant_type', [start, end]);
    const inYear = 'concluded_on >= ? AND concluded_on <= ? AND received_on IS NOT NULL';
    await f.q(`SELECT concluded_on, received_on, COUNT(*) FROM information_request WHERE ${inYear} GROUP BY concluded_on, received_on`, [start, end]);
    await f.q(`SELECT COUNT(due_on), SUM(CASE WHEN concluded_on <= due_on THEN 1 ELSE 0 END) FROM information_request WHERE ${inYear}`, [start, end]);
    await f.q(`SELECT outcome, COUNT(*) FROM information_request WHERE outcome IN (${OUTCOMES.map((o) => `'${o}'`).join(', ')}) AND ${inYear} GROUP BY outcome`, [start, end]);
    await f.q(`SELECT COUNT(*), SUM(CASE WHEN due_on < ? THEN 1 ELSE 0 END) FROM information_request WHERE ${OPEN_SQL}`, [today]);
    return f.q("SELECT COUNT(*) FROM information_request WHERE status = 'awaiting_confirmation'");
  };
  const monthStart = `${today.slice(0, 7)}-01`;
  return [
    list('list: default', '', '1 = 1'),
    list('list: ?status=open', 'status=open', OPEN_SQL),
    list('list: ?overdue=true', 'overdue=true', `${OPEN_SQL} AND due_on < ?`, [today]),
    list('list: ?overdue=false', 'overdue=false', `NOT (${OPEN_SQL} AND due_on IS NOT NULL AND due_on < ?)`, [today]),
    list('list: ?status=awaiting_confirmation', 'status=awaiting_confirmation', "status = 'awaiting_confirmation'"),
    list('list: ?status=concluded', 'status=concluded', "status = 'concluded'"),
    list('list: ?applicantType=research_institution', 'applicantType=research_institution', "applicant_type = 'research_institution'"),
    list('list: ?applicantType=natural_person', 'applicantType=natural_person', "applicant_type = 'natural_person'"),
    list('list: ?channel=online', 'channel=online', "channel = 'online'"),
    list('list: ?assignee=none', 'assignee=none', 'assignee_id IS NULL'),
    list('list: ?outcome=unable_not_held', 'outcome=unable_not_held', "outcome = 'unable_not_held'"),
    list('list: ?dueBefore=today', `dueBefore=${today}`, 'due_on IS NOT NULL AND due_on < ?', [today]),
    list('list: ?receivedFrom/To this month', `receivedFrom=${monthStart}&receivedTo=${today}`, 'received_on >= ? AND received_on <= ?', [monthStart, today]),
    list('list: ?status=concluded&concluded in year', `status=concluded&concludedFrom=${year}-01-01&concludedTo=${year}-12-31`, "status = 'concluded' AND concluded_on >= ? AND concluded_on <= ?", [
      `${year}-01-01`,
      `${year}-12-31`,
    ]),
    list('list: ?page=1000', 'page=1000', '1 = 1', [], 19980),
    list('list: ?status=open&page=100', 'status=open&page=100', OPEN_SQL, [], 1980),
    search('a name', sample.searches.name),
    search('a two-character name', sample.searches.shortName),
    search('a phrase', sample.searches.phrase),
    search('a tracking number', sample.searches.trackingNumber),
    search('a tracking number without dash', sample.searches.trackingNumberNoDash),
    search('an identity number', sample.searches.identityNumber),
    search('a broad phrase (1 in 40)', sample.searches.broadPhrase, false),
    { name: 'detail (API), open request', path: () => `/api/v1/requests/${randomOpen()}`, target: true, floor: (f) => detailFloor(f, sample.openRepeatIds[0]) },
    { name: 'detail (page), open request', path: () => `/staff/requests/${randomOpen()}`, page: true, target: true, floor: (f) => detailFloor(f, sample.openRepeatIds[0]) },
    { name: 'GET /api/v1/dashboard', path: () => '/api/v1/dashboard', target: true, floor: dashboardFloor },
    {
      name: '/staff (home)',
      path: () => '/staff',
      page: true,
      target: true,
      floor: async (f) => {
        await f.list(OPEN_SQL, []);
        return dashboardFloor(f);
      },
    },
    {
      name: 'drill-down: new received, total',
      path: () => `/api/v1/reports/${year}/section3/cells/new_received/total`,
      target: true,
      floor: async (f) => {
        const p = [`${year}-01-01`, `${year}-12-31`];
        await f.q('SELECT COUNT(*) FROM information_request WHERE received_on >= ? AND received_on <= ?', p);
        return f.q('SELECT id, tracking_number FROM information_request WHERE received_on >= ? AND received_on <= ? ORDER BY tracking_number LIMIT 50', p);
      },
    },
    {
      name: 'drill-down: granted, natural person',
      path: () => `/api/v1/reports/${year}/section3/cells/granted/natural_person`,
      target: true,
      floor: async (f) => {
        const p = [`${year}-12-31`, `${year}-01-01`, `${year}-12-31`];
        const w = "received_on <= ? AND concluded_on >= ? AND concluded_on <= ? AND outcome IN ('granted') AND applicant_type = 'natural_person'";
        await f.q(`SELECT COUNT(*) FROM information_request WHERE ${w}`, p);
        return f.q(`SELECT id, tracking_number FROM information_request WHERE ${w} ORDER BY tracking_number LIMIT 50`, p);
      },
    },
  ];
}
