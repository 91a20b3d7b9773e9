/**
 * The list's free-text search `q`, by an index on both databases: a tracking number, a phrase of
 * the description, an applicant's name, identity number or credit code.
 *
 * SQLite: FTS5 with the trigram tokenizer over one document per request (request_search_doc,
 * kept in sync by triggers; migration 1795761000000). A quoted FTS5 phrase of trigrams is a
 * substring match, case-insensitive for Latin letters as LIKE was.
 * PostgreSQL: LIKE '%…%' as before, answered by pg_trgm GIN indexes: on the applicant's columns and
 * on request_search_text, a request's number and description kept off the request row.
 *
 * Trigrams need three characters. A shorter term (a two-character word such as 桥梁 or a name such
 * as 张三) is searched as before, a substring of the tracking number, description or applicant
 * name, with the same results (the ledger export and the list must agree): SQLite narrows the
 * candidates by the indexed trigrams that begin with the term, PostgreSQL by GIN indexes of the
 * texts' characters and pairs of characters (migration 1795762100000).
 */
export const MIN_SUBSTRING_SEARCH = 3;

export interface SearchCondition {
  /** A condition on the request alias, with named parameters. */
  where: string;
  params: Record<string, string>;
}

const DASHES = /[\u2010-\u2015\u2212\uFE58\uFE63\uFF0D]/g;

/** The strings searched for: the term itself and, for a tracking number typed without its dash or with another dash, the number as stored. */
export function searchTerms(q: string): string[] {
  // eslint-disable-next-line no-control-regex
  const term = q.replace(/[\u0000-\u001f\u007f]/g, '').trim();
  if (!term) return [];
  const terms = [term];
  const plain = term.replace(DASHES, '-');
  if (/^\d{4}-\d{6,}$/.test(plain) && plain !== term) terms.push(plain);
  if (/^\d{10,}$/.test(term)) terms.push(`${term.slice(0, 4)}-${term.slice(4)}`);
  // An agency-prefixed number (D22) typed in lower case, with other dashes or none.
  const prefixed = /^([A-Za-z][A-Za-z0-9]{1,7})-?(\d{4})-?(\d{6,})$/.exec(plain);
  if (prefixed) {
    const stored = `${prefixed[1].toUpperCase()}-${prefixed[2]}-${prefixed[3]}`;
    if (!terms.includes(stored)) terms.push(stored);
  }
  return terms;
}

/**
 * SQLite, a term of three characters or more: the condition on a search document (`sd`, its
 * index row `ss`) that it holds the term. null: a short term, decided on the request's columns.
 */
export function searchDocCondition(q: string): SearchCondition | null {
  const terms = searchTerms(q);
  if (!terms.length || [...terms[0]].length < MIN_SUBSTRING_SEARCH) return null;
  return sqliteDocCondition(terms);
}

function sqliteDocCondition(terms: string[]): SearchCondition {
  if (/^\d{10,}$/.test(terms[0])) {
    // A tracking number typed without its dash, or a run of digits of an identity number: the
    // trigrams of a year or a birth date (202…, 199…) are in a large share of the documents, and
    // a phrase of every digit walked their whole lists (an identity number: 4–6 ms at 1M
    // requests, 1 ms at 100k). Its last six digits (trailingDigits, as on PostgreSQL) find few
    // candidates (1 ms at 1M); their document decides. Only runs of digits and dashes: they need
    // no LIKE escape, and LIKE and the trigram index agree on them (not on every letter's case).
    const params: Record<string, string> = { searchMatch: ftsPhrases([trailingDigits(terms) ?? terms[0]]) };
    const holds = terms.map((t, i) => ((params[`searchBody${i}`] = `%${t}%`), `sd.body LIKE :searchBody${i}`)).join(' OR ');
    return { where: `request_search MATCH :searchMatch AND (${holds})`, params };
  }
  return { where: 'request_search MATCH :searchMatch', params: { searchMatch: ftsPhrases(terms) } };
}

/** A term of fewer than three characters: a substring search as before, perhaps narrowed by the trigram index. */
export function isShortTerm(q: string): boolean {
  const terms = searchTerms(q);
  return terms.length > 0 && [...terms[0]].length < MIN_SUBSTRING_SEARCH;
}

/** An FTS5 phrase query matching any of the strings. */
function ftsPhrases(strings: string[]): string {
  return strings.map((t) => `"${t.replace(/"/g, '""')}"`).join(' OR ');
}

/**
 * `shortTrigrams` (SQLite, a short term): the indexed trigrams that begin with the term. Every
 * field of a search document is followed by a separator, so a document holds the term exactly
 * when it holds one of them: the index finds the candidates, the old LIKE decides. null: scan.
 */
export function searchCondition(database: 'sqlite' | 'postgres', q: string, alias = 'r', shortTrigrams: string[] | null = null): SearchCondition {
  const terms = searchTerms(q);
  if (!terms.length) return { where: '1 = 1', params: {} };
  if ([...terms[0]].length < MIN_SUBSTRING_SEARCH) {
    const like = `%${terms[0].replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    const old = `(${alias}.tracking_number LIKE :searchShort ESCAPE '\\' OR ${alias}.description LIKE :searchShort ESCAPE '\\' OR ${alias}.applicant_id IN (SELECT sa.id FROM applicant sa WHERE sa.name LIKE :searchShort ESCAPE '\\'))`;
    if (database === 'postgres') {
      // The GIN indexes of ogi_grams (migration 1795762100000) find the candidates; the LIKE decides.
      const grams = `ARRAY[CAST(:searchGram AS text)]`;
      return {
        where: `${alias}.id IN (SELECT sr.id FROM request_search_text st JOIN information_request sr ON sr.id = st.request_id WHERE ogi_grams(st.text) @> ${grams} AND (sr.tracking_number LIKE :searchShort ESCAPE '\\' OR sr.description LIKE :searchShort ESCAPE '\\') UNION SELECT sr.id FROM applicant sa JOIN information_request sr ON sr.applicant_id = sa.id WHERE ogi_grams(sa.name) @> ${grams} AND sa.name LIKE :searchShort ESCAPE '\\')`,
        params: { searchShort: like, searchGram: terms[0] },
      };
    }
    if (!shortTrigrams) return { where: old, params: { searchShort: like } };
    if (!shortTrigrams.length) return { where: '1 = 0', params: {} };
    // The candidates' own applicant is checked (not every applicant's name scanned for the IN list).
    const candidate = `(${alias}.tracking_number LIKE :searchShort ESCAPE '\\' OR ${alias}.description LIKE :searchShort ESCAPE '\\' OR EXISTS (SELECT 1 FROM applicant sa WHERE sa.id = ${alias}.applicant_id AND sa.name LIKE :searchShort ESCAPE '\\'))`;
    return {
      where: `${alias}.id IN (SELECT sd.request_id FROM request_search ss JOIN request_search_doc sd ON sd.seq = ss.rowid WHERE request_search MATCH :searchMatch) AND ${candidate}`,
      params: { searchShort: like, searchMatch: ftsPhrases(shortTrigrams) },
    };
  }
  if (database === 'sqlite') {
    const doc = sqliteDocCondition(terms);
    return { where: `${alias}.id IN (SELECT sd.request_id FROM request_search ss JOIN request_search_doc sd ON sd.seq = ss.rowid WHERE ${doc.where})`, params: doc.params };
  }
  const params: Record<string, string> = {};
  const like = (columns: string[]) =>
    terms
      .flatMap((t, i) => {
        params[`searchLike${i}`] = `%${t.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
        return columns.map((c) => `${c} LIKE :searchLike${i} ESCAPE '\\'`);
      })
      .join(' OR ');
  // A number (tracking, identity, credit code): the trigrams of its digits (a year's 202…, a
  // birth date's 199…) are in a large share of the texts, and the GIN indexes read their whole
  // lists (a tracking number: 12 ms at 1M requests, 1.6 ms at 100k). The last six digits of its
  // longest run find few candidates (0.6 ms); the term's own LIKE decides, as for any term.
  const digits = trailingDigits(terms);
  let candidates = (columns: string[]) => like(columns);
  if (digits) {
    params.searchDigits = `%${digits}%`;
    candidates = (columns) => columns.map((c) => `${c} LIKE :searchDigits`).join(' OR ');
  }
  // The request's number and description: candidates from the trigram index of their text
  // (migration 1795763700000), which holds both with a space between. A term without a space
  // cannot span them, and that text decides; with one, the LIKE on the columns themselves decides,
  // so a term spanning the number and the description finds nothing, as before. (A phrase found
  // in 1,270 of 1M requests: 28 ms reading each request twice, 18 ms once.)
  const text = terms.some((t) => t.includes(' '))
    ? `SELECT sr.id FROM request_search_text st JOIN information_request sr ON sr.id = st.request_id WHERE (${candidates(['st.text'])}) AND (${like(['sr.description', 'sr.tracking_number'])})`
    : `SELECT st.request_id FROM request_search_text st WHERE (${candidates(['st.text'])})${digits ? ` AND (${like(['st.text'])})` : ''}`;
  const applicant = ['sa.name', 'sa.id_document_number', 'sa.organisation_code'];
  return {
    where: `${alias}.id IN (${text} UNION SELECT sr.id FROM applicant sa JOIN information_request sr ON sr.applicant_id = sa.id WHERE (${candidates(applicant)}) AND (${like(applicant)}))`,
    params,
  };
}

/** The last six digits of the longest run of six or more in the term, when every form of it holds them; else null. */
export function trailingDigits(terms: string[]): string | null {
  const runs = terms[0].match(/\d{6,}/g);
  if (!runs) return null;
  const longest = runs.reduce((a, b) => (b.length >= a.length ? b : a));
  const digits = longest.slice(-6);
  return terms.every((t) => t.includes(digits)) ? digits : null;
}
