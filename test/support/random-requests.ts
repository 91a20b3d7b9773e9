import { randomUUID } from 'node:crypto';
import { addDays } from '../../src/domain/calendar';
import { APPLICANT_TYPES, CHANNELS, OPEN_WORK_STATUSES, STATUSES } from '../../src/domain/lifecycle';
import { TestApp } from './test-app';

/** Random requests written straight to the tables, for comparing the app's queries with plain SQL over the same rows. */
export function mulberry32(seed: number): () => number {
  return () => {
    seed |= 0;
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const TODAY = '2026-06-15';
export const NAMES = ['张三', '李四', '王五', '张三丰', '欧阳修文', '赵六', '钱七七', '孙八'];
export const PHRASES = ['拆迁补偿方案', '环境影响评价报告', '财政预算执行情况', 'Road Plan 2026', '会议纪要（第3次）', '50%_的比例'];
export const ASSIGNEES = [randomUUID(), randomUUID()];

/** N random requests written straight to the tables (search documents follow by trigger or index). */
export async function seed(t: TestApp, n: number, seedValue: number): Promise<{ idNumbers: string[] }> {
  const rand = mulberry32(seedValue);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)];
  const pg = t.dataSource.options.type === 'postgres';
  const idNumbers: string[] = [];
  const order = Array.from({ length: n }, (_, i) => i).sort(() => rand() - 0.5);
  for (let i = 0; i < n; i++) {
    const status = pick([...STATUSES, 'concluded', 'concluded', 'concluded', 'in_progress', 'in_progress']);
    const open = (OPEN_WORK_STATUSES as readonly string[]).includes(status);
    const received = status === 'awaiting_confirmation' || (status === 'withdrawn' && rand() < 0.5) ? null : addDays(TODAY, -Math.floor(rand() * 200));
    const due = status === 'awaiting_confirmation' || status === 'awaiting_correction' || status === 'withdrawn' || rand() < 0.05 ? null : addDays(TODAY, Math.floor(rand() * 80) - 50);
    const concluded = status === 'concluded' && received ? addDays(received, Math.floor(rand() * 40)) : null;
    const type = pick(APPLICANT_TYPES);
    const idNumber = type === 'natural_person' ? `1101${String(Math.floor(rand() * 1e13)).padStart(13, '0')}X` : null;
    if (idNumber) idNumbers.push(idNumber);
    const applicantId = randomUUID();
    const requestId = randomUUID();
    // Unique submission times: the old list had no order between equal times.
    const submittedAt = new Date(Date.parse('2026-01-01T00:00:00Z') + order[i] * 61_000).toISOString();
    const ph = (k: number) => Array.from({ length: k }, (_, j) => (pg ? `$${j + 1}` : '?')).join(', ');
    await t.dataSource.query(`INSERT INTO applicant (id, type, name, id_document_number, organisation_code, phone, created_at) VALUES (${ph(7)})`, [
      applicantId,
      type,
      pick(NAMES),
      idNumber,
      type === 'natural_person' ? null : `91110000MA${String(i).padStart(8, '0')}`,
      '13800138000',
      submittedAt,
    ]);
    await t.dataSource.query(
      `INSERT INTO information_request (id, tracking_number, access_code_hash, applicant_id, applicant_type, channel, submitted_at, received_on, status, description, delivery_method, due_on, due_is_provisional, outcome, concluded_on, assignee_id, version, created_at, updated_at) VALUES (${ph(19)})`,
      [
        requestId,
        `2026-${String(i + 1).padStart(6, '0')}`,
        '0'.repeat(64),
        applicantId,
        type,
        pick(CHANNELS),
        submittedAt,
        received,
        status,
        `申请公开${pick(PHRASES)}及相关文件`,
        'electronic',
        due,
        pg ? false : 0,
        concluded ? pick(['granted', 'unable_not_held', 'partially_granted']) : null,
        concluded,
        open && rand() < 0.4 ? pick(ASSIGNEES) : null,
        1,
        submittedAt,
        submittedAt,
      ],
    );
  }
  await t.dataSource.query('ANALYZE');
  return { idNumbers };
}

/** Random changes to the tallied columns, as steps and the import would make them, and a few deletions. */
export async function mutate(t: TestApp, rand: () => number, n: number): Promise<void> {
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)];
  const ids = await t.dataSource.query<Array<{ id: string }>>('SELECT id FROM information_request ORDER BY id');
  const pg = t.dataSource.options.type === 'postgres';
  const p = (i: number) => (pg ? `$${i}` : '?');
  for (let i = 0; i < n; i++) {
    const id = pick(ids).id;
    const change = rand();
    if (change < 0.3) {
      const concludedOn = addDays(TODAY, -Math.floor(rand() * 100));
      await t.dataSource.query(`UPDATE information_request SET status = 'concluded', outcome = ${p(1)}, concluded_on = ${p(2)} WHERE id = ${p(3)}`, [
        pick(['granted', 'unable_not_held']),
        concludedOn,
        id,
      ]);
    } else if (change < 0.5) {
      await t.dataSource.query(`UPDATE information_request SET due_on = ${p(1)} WHERE id = ${p(2)}`, [rand() < 0.2 ? null : addDays(TODAY, Math.floor(rand() * 80) - 60), id]);
    } else if (change < 0.65) {
      await t.dataSource.query(`UPDATE information_request SET assignee_id = ${p(1)}, status = ${p(2)} WHERE id = ${p(3)}`, [rand() < 0.3 ? null : pick(ASSIGNEES), pick(OPEN_WORK_STATUSES), id]);
    } else if (change < 0.8) {
      await t.dataSource.query(`UPDATE information_request SET received_on = ${p(1)}, applicant_type = ${p(2)}, channel = ${p(3)} WHERE id = ${p(4)}`, [
        addDays(TODAY, -Math.floor(rand() * 200)),
        pick(APPLICANT_TYPES),
        pick(CHANNELS),
        id,
      ]);
    } else if (change < 0.9) {
      // Not a tallied column: no delta.
      await t.dataSource.query(`UPDATE information_request SET description = ${p(1)} WHERE id = ${p(2)}`, [`改写 ${i}`, id]);
    } else {
      await t.dataSource.query(`DELETE FROM request_item WHERE request_id = ${p(1)}`, [id]);
      await t.dataSource.query(`DELETE FROM request_event WHERE request_id = ${p(1)}`, [id]);
      await t.dataSource.query(`DELETE FROM information_request WHERE id = ${p(1)}`, [id]);
      ids.splice(
        ids.findIndex((r) => r.id === id),
        1,
      );
    }
  }
}
