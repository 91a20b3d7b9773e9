import { isIsoDate, IsoDate, WorkingCalendar } from '../domain/calendar';
import { DomainError } from '../domain/errors';
import { APPLICANT_TYPES, applyEvent, CHANNELS, DELIVERY_METHODS, INITIAL_STATE, LifecycleEvent, OUTCOMES, RequestState } from '../domain/lifecycle';
import { isValidResidentId } from '../requests/dto/validators';
import { parseCsv } from './csv';

/** The ledger columns, documented in README.md and docs/ledger-sample.csv. */
export const LEDGER_COLUMNS = [
  'applicant_type',
  'applicant_name',
  'id_document_number',
  'organisation_code',
  'phone',
  'email',
  'address',
  'channel',
  'received_on',
  'description',
  'delivery_method',
  'correction_requested_on',
  'correction_due_on',
  'correction_received_on',
  'consultation_party',
  'consultation_started_on',
  'consultation_ended_on',
  'fee_notice_on',
  'fee_amount_yuan',
  'fee_paid_on',
  'extension_on',
  'extension_days',
  'extension_approved_by',
  'extension_reason',
  'outcome',
  'concluded_on',
  'reason',
] as const;
type Column = (typeof LEDGER_COLUMNS)[number];
const REQUIRED: Column[] = ['applicant_type', 'applicant_name', 'channel', 'received_on', 'description'];

export interface LedgerRow {
  line: number;
  applicant: { type: string; name: string; idDocumentNumber: string | null; organisationCode: string | null; phone: string | null; email: string | null; address: string | null };
  channel: string;
  description: string;
  deliveryMethod: string;
  events: LifecycleEvent[];
  state: RequestState;
}

export interface LedgerError {
  line: number;
  message: string;
}

/** Order of steps recorded on the same day. */
const SAME_DAY_ORDER = ['registered', 'correction_requested', 'correction_received', 'consultation_started', 'consultation_ended', 'fee_notice_issued', 'fee_paid', 'extension_granted', 'correction_lapsed', 'fee_lapsed', 'decided', 'withdrawn'];

function conclusionEvent(outcome: string, on: IsoDate, reason: string): LifecycleEvent {
  switch (outcome) {
    case 'other_overdue_correction':
      return { type: 'correction_lapsed', on, data: {} };
    case 'other_unpaid_fee':
      return { type: 'fee_lapsed', on, data: {} };
    case 'other_other':
      return { type: 'withdrawn', on, data: reason ? { note: reason } : {} };
    default:
      return { type: 'decided', on, data: reason ? { outcome, reason } : { outcome } };
  }
}

/**
 * Validates every row of a ledger before anything is written: each row must be a history the
 * lifecycle accepts (the same rules as live entry). Returns rows or the list of bad lines.
 */
export function validateLedger(text: string, calendar: WorkingCalendar, today: IsoDate): { rows: LedgerRow[]; errors: LedgerError[] } {
  const table = parseCsv(text);
  const errors: LedgerError[] = [];
  if (!table.length) return { rows: [], errors: [{ line: 1, message: '文件为空。' }] };
  const header = table[0].map((h) => h.trim());
  const unknown = header.filter((h) => !(LEDGER_COLUMNS as readonly string[]).includes(h));
  const missing = REQUIRED.filter((c) => !header.includes(c));
  if (unknown.length || missing.length) {
    return { rows: [], errors: [{ line: 1, message: `表头有误：${[...missing.map((c) => `缺少 ${c}`), ...unknown.map((c) => `未知列 ${c}`)].join('；')}` }] };
  }
  const rows: LedgerRow[] = [];
  table.slice(1).forEach((cells, index) => {
    const line = index + 2;
    const v = (c: Column): string => (cells[header.indexOf(c)] ?? '').trim();
    const fail = (message: string) => errors.push({ line, message });
    if (cells.length > header.length) return fail(`列数 ${cells.length} 多于表头的 ${header.length} 列。`);
    for (const c of REQUIRED) if (!v(c)) return fail(`${c} 不能为空。`);
    if (!(APPLICANT_TYPES as readonly string[]).includes(v('applicant_type'))) return fail(`applicant_type 无效：${v('applicant_type')}`);
    if (!(CHANNELS as readonly string[]).includes(v('channel'))) return fail(`channel 无效：${v('channel')}`);
    if (v('delivery_method') && !(DELIVERY_METHODS as readonly string[]).includes(v('delivery_method'))) return fail(`delivery_method 无效：${v('delivery_method')}`);
    if (v('applicant_name').length > 100) return fail('applicant_name 超过 100 个字符。');
    if (v('description').length > 5000) return fail('description 超过 5000 个字符。');
    const id = v('id_document_number');
    if (id && /^\d{17}[\dXx]$/.test(id) && !isValidResidentId(id)) return fail('id_document_number 不是有效的居民身份证号码。');
    const dateColumns = LEDGER_COLUMNS.filter((c) => c.endsWith('_on'));
    for (const c of dateColumns) if (v(c) && !isIsoDate(v(c))) return fail(`${c} 不是有效日期（YYYY-MM-DD）：${v(c)}`);
    const early = dateColumns.find((c) => c !== 'received_on' && c !== 'correction_due_on' && v(c) && v(c) < v('received_on'));
    if (early) return fail(`${early}（${v(early)}）早于收到申请之日 received_on（${v('received_on')}）。`);
    if (v('outcome') && !(OUTCOMES as readonly string[]).includes(v('outcome'))) return fail(`outcome 无效：${v('outcome')}`);
    if (!!v('outcome') !== !!v('concluded_on')) return fail('outcome 与 concluded_on 必须同时填写或同时留空。');

    const events: LifecycleEvent[] = [{ type: 'registered', on: v('received_on'), data: { channel: v('channel'), imported: true } }];
    if (v('correction_requested_on')) events.push({ type: 'correction_requested', on: v('correction_requested_on'), data: { correctionDueOn: v('correction_due_on') } });
    if (v('correction_received_on')) events.push({ type: 'correction_received', on: v('correction_received_on'), data: {} });
    if (v('consultation_started_on')) events.push({ type: 'consultation_started', on: v('consultation_started_on'), data: { party: v('consultation_party') || 'third_party' } });
    if (v('consultation_ended_on')) events.push({ type: 'consultation_ended', on: v('consultation_ended_on'), data: {} });
    if (v('fee_notice_on')) events.push({ type: 'fee_notice_issued', on: v('fee_notice_on'), data: { amountYuan: Number(v('fee_amount_yuan')), pausesClock: true } });
    if (v('fee_paid_on')) events.push({ type: 'fee_paid', on: v('fee_paid_on'), data: {} });
    if (v('extension_on')) {
      events.push({ type: 'extension_granted', on: v('extension_on'), data: { extraWorkingDays: Number(v('extension_days')), approvedBy: v('extension_approved_by'), reason: v('extension_reason') } });
    }
    if (v('outcome')) events.push(conclusionEvent(v('outcome'), v('concluded_on'), v('reason')));
    events.sort((a, b) => (a.on === b.on ? SAME_DAY_ORDER.indexOf(a.type) - SAME_DAY_ORDER.indexOf(b.type) : a.on < b.on ? -1 : 1));

    let state = INITIAL_STATE;
    try {
      for (const e of events) state = applyEvent(state, e, { calendar, today, itemCount: 1 });
    } catch (e) {
      if (e instanceof DomainError) {
        const detail = Object.values(e.fields).join(' ');
        return fail(e.code === 'VALIDATION_FAILED' && detail ? detail : `${e.message}${detail && !e.message.includes(detail) ? `（${detail}）` : ''}`);
      }
      throw e;
    }
    rows.push({
      line,
      applicant: {
        type: v('applicant_type'),
        name: v('applicant_name'),
        idDocumentNumber: id || null,
        organisationCode: v('organisation_code') || null,
        phone: v('phone') || null,
        email: v('email') || null,
        address: v('address') || null,
      },
      channel: v('channel'),
      description: v('description'),
      deliveryMethod: v('delivery_method') || 'electronic',
      events,
      state,
    });
  });
  return { rows, errors };
}
