/**
 * Realistic requests for `npm run bench:pages`: 3.6% open with due dates around today, about 1%
 * online submissions awaiting confirmation, a fifth filed by applicants who file repeatedly, half
 * filed online, three years of concluded requests with outcomes, corrections, consultations and
 * fees. Every request's events are folded by the domain, so the stored state is what the app
 * would have written (`npm run state:verify` finds nothing to repair).
 */
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { packagedCalendarYears } from '../src/calendar/base-calendar';
import { addDays, IsoDate, WorkingCalendar } from '../src/domain/calendar';
import { AGENCIES, DISTRICTS, DOCUMENTS, GIVEN, OFFLINE_CHANNELS, OUTCOMES, SURNAMES, TOPICS, TYPES } from './bench-pages-data';
import { computeDue, EVENT_BASIS, LifecycleEvent, replay, requiresReason } from '../src/domain/lifecycle';

/** A deterministic PRNG, so every run seeds the same records. */
export function mulberry32(seed: number): () => number {
  return () => {
    seed |= 0;
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pick<T>(rand: () => number, weighted: Array<[T, number]>): T {
  let r = rand() * weighted.reduce((n, [, w]) => n + w, 0);
  for (const [v, w] of weighted) if ((r -= w) < 0) return v;
  return weighted[weighted.length - 1][0];
}

/** The staff a request is assigned to: an agency's handful of clerks (seeds before this gave every assigned request its own). */
export const ASSIGNEES = Array.from({ length: 16 }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`);

export interface SeedSample {
  /** Open requests whose applicant filed before (the detail page runs the repeat check). */
  openRepeatIds: string[];
  /** Texts to search for, with the number of requests each should find. */
  searches: Record<string, string>;
  year: number;
}

interface Person {
  type: string;
  name: string;
  idNumber: string | null;
  orgCode: string | null;
  phone: string | null;
  email: string | null;
  address: string | null;
}

const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];

function residentId(rand: () => number): string {
  const birth = addDays('1950-01-01', Math.floor(rand() * 20000)).replace(/-/g, '');
  const body = `${110101 + Math.floor(rand() * 50000)}${birth}${String(Math.floor(rand() * 1000)).padStart(3, '0')}`;
  const sum = body.split('').reduce((n, d, i) => n + Number(d) * ID_WEIGHTS[i], 0);
  return body + '10X98765432'[sum % 11];
}

function person(rand: () => number, n: number): Person {
  const type = pick(rand, TYPES);
  const natural = type === 'natural_person';
  const name = natural
    ? SURNAMES[Math.floor(rand() * SURNAMES.length)] + GIVEN[Math.floor(rand() * GIVEN.length)] + (rand() < 0.7 ? GIVEN[Math.floor(rand() * GIVEN.length)] : '')
    : `${DISTRICTS[Math.floor(rand() * DISTRICTS.length)]}${SURNAMES[Math.floor(rand() * SURNAMES.length)]}${GIVEN[Math.floor(rand() * GIVEN.length)]}${['科技有限公司', '律师事务所', '研究院', '公益基金会', '商贸有限公司', '村民委员会'][Math.floor(rand() * 6)]}`;
  return {
    type,
    name,
    idNumber: natural ? residentId(rand) : null,
    orgCode: natural
      ? null
      : `91${String(110000 + Math.floor(rand() * 900000))}${Math.floor(rand() * 1e9)
          .toString(36)
          .toUpperCase()
          .padStart(9, '0')
          .slice(0, 9)}${Math.floor(rand() * 10)}`,
    phone: rand() < 0.9 ? `13${String(Math.floor(rand() * 1e9)).padStart(9, '0')}` : null,
    email: rand() < 0.4 ? `applicant${n}@example.com` : null,
    address: rand() < 0.5 ? `${DISTRICTS[Math.floor(rand() * DISTRICTS.length)]}某某路${Math.floor(rand() * 300)}号` : null,
  };
}

function description(rand: () => number, year: number): string {
  const topic = TOPICS[Math.floor(rand() * TOPICS.length)];
  const doc = DOCUMENTS[Math.floor(rand() * DOCUMENTS.length)];
  const district = DISTRICTS[Math.floor(rand() * DISTRICTS.length)];
  const number = rand() < 0.5 ? `（文号：${AGENCIES[Math.floor(rand() * AGENCIES.length)]}〔${year - Math.floor(rand() * 3)}〕${1 + Math.floor(rand() * 300)}号）` : '';
  return `申请公开${district}${year}年${topic}的${doc}${number}，以及与本人${rand() < 0.5 ? '房屋' : '权益'}相关的政府信息。`;
}

function shanghaiIso(date: IsoDate, rand: () => number): string {
  return new Date(Date.parse(`${date}T08:30:00+08:00`) + Math.floor(rand() * 9 * 3600_000)).toISOString();
}

/** Events that lead to the wanted status, dated from the receipt (or submission) on. */
function lifecycle(
  rand: () => number,
  calendar: WorkingCalendar,
  today: IsoDate,
  online: boolean,
  channel: string,
  kind: string,
): { events: LifecycleEvent[]; received: IsoDate | null; submitted: IsoDate } {
  const events: LifecycleEvent[] = [];
  const open = kind !== 'concluded';
  // Open requests were received in the last 40 days: due dates around today, some passed.
  const received = open ? addDays(today, -Math.floor(rand() * 40)) : addDays(today, -(60 + Math.floor(rand() * 1035)));
  if (kind === 'awaiting_confirmation' || kind === 'withdrawn_before_receipt') {
    const submitted = addDays(today, -Math.floor(rand() * 4));
    events.push({ type: 'submitted', on: submitted, data: { channel: 'online' } });
    if (kind === 'withdrawn_before_receipt') events.push({ type: 'withdrawn', on: submitted, data: {} });
    return { events, received: null, submitted };
  }
  const submitted = online ? addDays(received, -Math.floor(rand() * 2)) : received;
  if (online) {
    events.push({ type: 'submitted', on: submitted, data: { channel: 'online' } });
    events.push({ type: 'receipt_confirmed', on: received, data: {} });
  } else {
    events.push({ type: 'registered', on: received, data: { channel } });
  }
  const step = (days: number) => addDays(received, days);
  const cap = (d: IsoDate) => (d > today ? today : d);
  if (kind === 'in_progress') return { events, received, submitted };
  if (kind === 'awaiting_correction') {
    const on = cap(step(2));
    events.push({ type: 'correction_requested', on, data: { correctionDueOn: addDays(on, 15), content: '请补充所需信息的名称或文号' } });
    return { events, received, submitted };
  }
  if (kind === 'consulting') {
    events.push({ type: 'consultation_started', on: cap(step(3)), data: { party: 'third_party' } });
    return { events, received, submitted };
  }
  if (kind === 'awaiting_fee') {
    events.push({ type: 'fee_notice_issued', on: cap(step(3)), data: { amountYuan: 10 + Math.floor(rand() * 200), pausesClock: true } });
    return { events, received, submitted };
  }
  // Concluded: mostly within the 20 working days, about one in ten late.
  const outcome = pick(rand, OUTCOMES);
  const lag = rand() < 0.9 ? 3 + Math.floor(rand() * 24) : 29 + Math.floor(rand() * 20);
  const concluded = cap(step(lag));
  if (outcome === 'other_overdue_correction') {
    events.push({ type: 'correction_requested', on: step(2), data: { correctionDueOn: step(17), content: '请补充' } });
    events.push({ type: 'correction_lapsed', on: step(18 + Math.floor(rand() * 10)), data: {} });
  } else if (outcome === 'other_unpaid_fee') {
    events.push({ type: 'fee_notice_issued', on: step(3), data: { amountYuan: 50, pausesClock: true } });
    events.push({ type: 'fee_lapsed', on: step(45), data: {} });
  } else if (outcome === 'other_other') {
    events.push({ type: 'withdrawn', on: concluded, data: {} });
  } else {
    if (rand() < 0.05) {
      events.push({ type: 'consultation_started', on: step(2), data: { party: 'agency' } });
      events.push({ type: 'consultation_ended', on: step(8), data: {} });
    }
    const on = events[events.length - 1].on > concluded ? events[events.length - 1].on : concluded;
    events.push({ type: 'decided', on, data: { outcome, ...(requiresReason(outcome) ? { reason: '依据《条例》相关规定' } : {}) } });
    if (rand() < 0.5) events.push({ type: 'delivered', on, data: { method: online ? 'online' : 'post' } });
  }
  return { events, received, submitted };
}

/** N requests through plain multi-row INSERTs, in transactions of 10,000. */
export async function seedRequests(ds: DataSource, n: number, today: IsoDate, onProgress?: (done: number) => void): Promise<SeedSample> {
  const pg = ds.options.type === 'postgres';
  const rand = mulberry32(20261130);
  const calendar = new WorkingCalendar(packagedCalendarYears());
  const now = new Date().toISOString();
  const year = Number(today.slice(0, 4));
  const ph = (row: number, cols: number) => `(${Array.from({ length: cols }, (_, c) => (pg ? `$${row * cols + c + 1}` : '?')).join(',')})`;
  const insert = async (m: EntityManager, table: string, columns: string[], rows: unknown[][]) => {
    for (let i = 0; i < rows.length; i += 1000) {
      const chunk = rows.slice(i, i + 1000);
      await m.query(`INSERT INTO ${table} (${columns.join(',')}) VALUES ${chunk.map((_, k) => ph(k, columns.length)).join(',')}`, chunk.flat());
    }
  };
  const repeaters: Person[] = [];
  const sequence = new Map<number, number>();
  const sample: SeedSample = { openRepeatIds: [], searches: {}, year };
  let failures = 0;
  const BATCH = 10_000;
  for (let done = 0; done < n; done += BATCH) {
    const applicants: unknown[][] = [];
    const requests: unknown[][] = [];
    const items: unknown[][] = [];
    const events: unknown[][] = [];
    for (let i = done; i < Math.min(n, done + BATCH); i++) {
      // A fifth of requests come from applicants who file again and again.
      let who: Person;
      let repeat = false;
      if (repeaters.length > 20 && rand() < 0.2) {
        who = repeaters[Math.floor(rand() * repeaters.length)];
        repeat = true;
      } else {
        who = person(rand, i);
        if (rand() < 0.05) repeaters.push(who);
      }
      const r = rand();
      const kind =
        r < 0.01
          ? 'awaiting_confirmation'
          : r < 0.012
            ? 'withdrawn_before_receipt'
            : r < 0.048
              ? pick(rand, [
                  ['in_progress', 80],
                  ['awaiting_correction', 8],
                  ['consulting', 6],
                  ['awaiting_fee', 6],
                ])
              : 'concluded';
      const online = kind === 'awaiting_confirmation' || kind === 'withdrawn_before_receipt' || rand() < 0.5;
      const channel = online ? 'online' : pick(rand, OFFLINE_CHANNELS);
      let life = lifecycle(rand, calendar, today, online, channel, kind);
      let state;
      try {
        state = replay(life.events, { calendar, today, itemCount: 1 });
      } catch {
        failures++;
        life = lifecycle(rand, calendar, today, online, channel, 'in_progress');
        state = replay(life.events, { calendar, today, itemCount: 1 });
      }
      const due = computeDue(state, calendar, today);
      const submittedAt = shanghaiIso(life.submitted, rand);
      const y = Number(life.submitted.slice(0, 4));
      const seq = (sequence.get(y) ?? 0) + 1;
      sequence.set(y, seq);
      const trackingNumber = `${y}-${String(seq).padStart(6, '0')}`;
      const applicantId = randomUUID();
      const requestId = randomUUID();
      const text = description(rand, Number((life.received ?? life.submitted).slice(0, 4)));
      applicants.push([applicantId, who.type, who.name, who.idNumber ? 'resident_id' : null, who.idNumber, who.orgCode, who.phone, who.email, who.address, submittedAt]);
      requests.push([
        requestId,
        trackingNumber,
        '0'.repeat(64),
        applicantId,
        who.type,
        channel,
        submittedAt,
        state.receivedOn,
        state.status,
        text,
        'electronic',
        due.dueOn,
        pg ? due.provisional : due.provisional ? 1 : 0,
        state.outcome,
        state.concludedOn,
        rand() < 0.3 && kind !== 'concluded' ? ASSIGNEES[Math.floor(rand() * ASSIGNEES.length)] : null,
        life.events.length + 1,
        submittedAt,
        now,
      ]);
      items.push([randomUUID(), requestId, 0, text, state.itemOutcomes?.[0] ?? null]);
      life.events.forEach((e, k) => events.push([randomUUID(), requestId, k + 1, e.type, e.on, now, null, '基准', EVENT_BASIS[e.type].slice(0, 200), JSON.stringify(e.data)]));
      if (repeat && state.status === 'in_progress' && sample.openRepeatIds.length < 200) sample.openRepeatIds.push(requestId);
      if (i === Math.floor(n / 2)) {
        sample.searches.trackingNumber = trackingNumber;
        sample.searches.trackingNumberNoDash = trackingNumber.replace('-', '');
      }
      if (i === Math.floor(n / 3) + 7) sample.searches.name = who.name;
      if (!sample.searches.shortName && who.type === 'natural_person' && [...who.name].length === 2 && i > n / 4) sample.searches.shortName = who.name;
    }
    await ds.transaction(async (m) => {
      const q = (table: string, columns: string[], rows: unknown[][]) => insert(m, table, columns, rows);
      await q('applicant', ['id', 'type', 'name', 'id_document_type', 'id_document_number', 'organisation_code', 'phone', 'email', 'address', 'created_at'], applicants);
      await q(
        'information_request',
        [
          'id',
          'tracking_number',
          'access_code_hash',
          'applicant_id',
          'applicant_type',
          'channel',
          'submitted_at',
          'received_on',
          'status',
          'description',
          'delivery_method',
          'due_on',
          'due_is_provisional',
          'outcome',
          'concluded_on',
          'assignee_id',
          'version',
          'created_at',
          'updated_at',
        ],
        requests,
      );
      await q('request_item', ['id', 'request_id', 'position', 'description', 'outcome'], items);
      await q('request_event', ['id', 'request_id', 'seq', 'type', 'occurred_on', 'recorded_at', 'actor_id', 'actor_label', 'basis', 'payload'], events);
    });
    onProgress?.(Math.min(n, done + BATCH));
  }
  for (const [y, last] of sequence) await ds.query(`INSERT INTO tracking_sequence (year, last_value) VALUES (${y}, ${last})`);
  // A live database has re-derived its stored state long ago: no start-up pass over every row.
  await ds.query(`INSERT INTO job_run (job, run_on, started_at, result) VALUES ('rederive-state', 'd15-d19', '${now}', 'bench')`);
  if (failures) console.error(`seed: ${failures} generated histories refused by the domain, replaced`);
  sample.searches.phrase = '环境影响评价的会议纪要';
  sample.searches.broadPhrase = '老旧小区改造';
  return sample;
}
