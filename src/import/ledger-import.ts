import { can, Permission, PERMISSION_LABELS, permissionForEvent } from '../auth/permissions';
import type { Role } from '../auth/roles';
import { plainToInstance } from 'class-transformer';
import { validateInput } from '../common/validation';
import { normaliseDate, toHalfWidth } from '../domain/applicants';
import { isIsoDate, IsoDate, WorkingCalendar } from '../domain/calendar';
import { DomainError } from '../domain/errors';
import { applyEvent, INITIAL_STATE, LifecycleEvent, RequestState } from '../domain/lifecycle';
import { CreateRequestDto, RecordEventDto } from '../requests/dto/request.dto';
import { acceptedValues, Column, COLUMN_BY_HEADING, DATE_COLUMNS, headingKey, LEDGER_COLUMN_TITLES, LEDGER_COLUMNS, LEDGER_VALUE_LABELS, ledgerCode, NUMBER_COLUMNS, REQUIRED } from './ledger-columns';

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
const SAME_DAY_ORDER = [
  'registered',
  'correction_requested',
  'correction_received',
  'consultation_started',
  'consultation_ended',
  'fee_notice_issued',
  'fee_paid',
  'extension_granted',
  'correction_lapsed',
  'fee_lapsed',
  'decided',
  'withdrawn',
];

/** Where a field of the online form's DTOs comes from in the ledger, to name it in messages. */
const APPLICANT_COLUMNS: Record<string, Column> = {
  'applicant.type': 'applicant_type',
  'applicant.name': 'applicant_name',
  'applicant.idDocumentNumber': 'id_document_number',
  'applicant.organisationCode': 'organisation_code',
  'applicant.phone': 'phone',
  'applicant.email': 'email',
  'applicant.address': 'address',
  channel: 'channel',
  receivedOn: 'received_on',
  description: 'description',
  deliveryMethod: 'delivery_method',
};
const EVENT_COLUMNS: Record<string, Record<string, Column>> = {
  correction_requested: { on: 'correction_requested_on', correctionDueOn: 'correction_due_on' },
  correction_received: { on: 'correction_received_on' },
  consultation_started: { on: 'consultation_started_on', party: 'consultation_party' },
  consultation_ended: { on: 'consultation_ended_on' },
  fee_notice_issued: { on: 'fee_notice_on', amountYuan: 'fee_amount_yuan' },
  fee_paid: { on: 'fee_paid_on' },
  extension_granted: { on: 'extension_on', extraWorkingDays: 'extension_days', approvedBy: 'extension_approved_by', reason: 'extension_reason' },
  decided: { on: 'concluded_on', outcome: 'outcome', reason: 'reason' },
  correction_lapsed: { on: 'concluded_on' },
  fee_lapsed: { on: 'concluded_on' },
  withdrawn: { on: 'concluded_on', note: 'reason' },
};

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
 * The header row: every required column, no unknown one, none twice. Headings in English or
 * Chinese (LEDGER_COLUMN_TITLES); `header` holds the column names, `titles` the headings as the
 * file writes them, for the messages.
 */
export function checkLedgerHeader(cells: string[]): { header: string[]; titles: string[]; error: null } | { header: null; titles: null; error: string } {
  const titles = cells.map((h) => h.trim());
  while (titles.length && titles[titles.length - 1] === '') titles.pop();
  const header = titles.map((h) => COLUMN_BY_HEADING.get(headingKey(h)) ?? h);
  const unknown = titles.filter((h, i) => !(LEDGER_COLUMNS as readonly string[]).includes(header[i]));
  const chinese = titles.some((h) => /[\u4e00-\u9fff]/.test(h));
  const name = (c: Column) => (chinese ? `${LEDGER_COLUMN_TITLES[c]}（${c}）` : c);
  const missing = REQUIRED.filter((c) => !header.includes(c));
  const twice = LEDGER_COLUMNS.filter((c) => header.filter((h) => h === c).length > 1);
  if (unknown.length || missing.length || twice.length) {
    return {
      header: null,
      titles: null,
      error: `表头有误：${[...missing.map((c) => `缺少 ${name(c)}`), ...unknown.map((h) => `未知列 ${h || '（空白）'}`), ...twice.map((c) => `${name(c)} 出现了两次`)].join('；')}`,
    };
  }
  return { header, titles, error: null };
}

/**
 * What live entry asks of each step (permissionForEvent); registering the request itself is the
 * registrar's `requests.register`, as on the registration form and API.
 */
export function permissionsForRow(row: Pick<LedgerRow, 'events' | 'state'>): Permission[] {
  const needed = new Set<Permission>();
  for (const e of row.events) {
    if (e.type === 'registered') needed.add('requests.register');
    else if (e.type === 'decided') {
      const outcome = String(e.data.outcome);
      needed.add(
        permissionForEvent(
          e.type,
          outcome,
          (row.state.itemOutcomes ?? [outcome]).map((o) => ({ outcome: o })),
        ),
      );
    } else needed.add(permissionForEvent(e.type));
  }
  return [...needed];
}

export function describePermission(permission: Permission): string {
  return `“${PERMISSION_LABELS[permission]}”（${permission}）`;
}

export interface RowCheck {
  row: LedgerRow | null;
  error: LedgerError | null;
  /** Permissions the row's steps need that the importing account does not hold. */
  missing: Permission[];
}

/**
 * One data row of a ledger, checked as live entry checks it: the text through the online
 * form's validators (CreateRequestDto and the step DTO), the history through the lifecycle
 * rules, and each step against the importing account's roles. `roles` null: not checked
 * (the command line, run by whoever holds the database).
 */
export class LedgerRowChecker {
  private readonly index: Map<string, number>;
  /** Each column as the file names it, for the messages. */
  private readonly names: Map<string, string>;
  private readonly chinese: boolean;

  constructor(
    header: string[],
    private readonly calendar: WorkingCalendar,
    private readonly today: IsoDate,
    private readonly roles: readonly Role[] | null,
    titles: string[] = header,
  ) {
    this.index = new Map(header.map((h, i) => [h, i]));
    this.names = new Map(header.map((h, i) => [h, titles[i] ?? h]));
    this.chinese = titles.some((t) => /[\u4e00-\u9fff]/.test(t));
  }

  private name(c: Column): string {
    return this.names.get(c) ?? (this.chinese ? LEDGER_COLUMN_TITLES[c] : c);
  }

  /**
   * `validated`: the row passed this very check before (the second pass over an unchanged file),
   * so the form validators' transforms are applied without running the validators again.
   */
  check(cells: string[], line: number, validated = false): RowCheck {
    const fail = (message: string): RowCheck => ({ row: null, error: { line, message }, missing: [] });
    const raw = (c: Column): string => {
      const i = this.index.get(c);
      return i === undefined ? '' : (cells[i] ?? '');
    };
    const written = (c: Column): string => raw(c).trim();
    let width = cells.length;
    while (width > this.index.size && cells[width - 1].trim() === '') width--;
    if (width > this.index.size) return fail(`列数 ${width} 多于表头的 ${this.index.size} 列。`);
    const garbled = LEDGER_COLUMNS.find((c) => raw(c).includes('\uFFFD'));
    if (garbled) return fail(`${this.name(garbled)} 含有乱码字符“\uFFFD”：原文件在转换编码时已经损坏，请从原始表格重新导出。`);
    for (const c of REQUIRED) if (!written(c)) return fail(`${this.name(c)} 不能为空。`);
    // Codes from their Chinese words, dates from the ways ledgers write them, numbers in half-width digits.
    const read = new Map<Column, string>();
    for (const c of Object.keys(LEDGER_VALUE_LABELS) as Column[]) {
      if (!written(c)) continue;
      const code = ledgerCode(c, written(c));
      if (code === null) return fail(`${this.name(c)} 无效：${written(c)}。可填：${acceptedValues(c).join('、')}。`);
      read.set(c, code);
    }
    for (const c of DATE_COLUMNS) {
      if (!written(c)) continue;
      const iso = normaliseDate(written(c));
      if (!isIsoDate(iso)) return fail(`${this.name(c)} 不是有效日期：${written(c)}（可写作 2025-03-07、2025/3/7 或 2025年3月7日）。`);
      read.set(c, iso);
    }
    for (const c of NUMBER_COLUMNS) if (written(c)) read.set(c, toHalfWidth(written(c)));
    const v = (c: Column): string => read.get(c) ?? written(c);
    const early = DATE_COLUMNS.find((c) => c !== 'received_on' && c !== 'correction_due_on' && v(c) && v(c) < v('received_on'));
    if (early) return fail(`${this.name(early)}（${v(early)}）早于收到申请之日 ${this.name('received_on')}（${v('received_on')}）。`);
    if (!!v('outcome') !== !!v('concluded_on')) return fail(`${this.name('outcome')} 与 ${this.name('concluded_on')} 必须同时填写或同时留空。`);

    // The online form's own validators and text transforms: names and free text come out clean.
    const optional = (c: Column) => raw(c) || undefined;
    const intake = this.form(CreateRequestDto, validated, {
      applicant: {
        type: v('applicant_type'),
        name: raw('applicant_name'),
        idDocumentNumber: optional('id_document_number'),
        organisationCode: optional('organisation_code'),
        phone: optional('phone'),
        email: optional('email'),
        address: optional('address'),
      },
      channel: v('channel'),
      receivedOn: v('received_on'),
      description: raw('description'),
      deliveryMethod: v('delivery_method') || undefined,
    });
    if (intake.fields) return fail(fieldMessage(intake.fields, APPLICANT_COLUMNS, (c) => this.name(c)));
    const dto = intake.value;

    const steps: Array<{ type: string; on: string; fields: Record<string, unknown> }> = [];
    const number = (c: Column) => (v(c) === '' ? undefined : Number(v(c)));
    if (v('correction_requested_on')) steps.push({ type: 'correction_requested', on: v('correction_requested_on'), fields: { correctionDueOn: v('correction_due_on') || undefined } });
    if (v('correction_received_on')) steps.push({ type: 'correction_received', on: v('correction_received_on'), fields: {} });
    if (v('consultation_started_on')) steps.push({ type: 'consultation_started', on: v('consultation_started_on'), fields: { party: v('consultation_party') || 'third_party' } });
    if (v('consultation_ended_on')) steps.push({ type: 'consultation_ended', on: v('consultation_ended_on'), fields: {} });
    if (v('fee_notice_on')) steps.push({ type: 'fee_notice_issued', on: v('fee_notice_on'), fields: { amountYuan: number('fee_amount_yuan') } });
    if (v('fee_paid_on')) steps.push({ type: 'fee_paid', on: v('fee_paid_on'), fields: {} });
    if (v('extension_on')) {
      steps.push({
        type: 'extension_granted',
        on: v('extension_on'),
        fields: { extraWorkingDays: number('extension_days'), approvedBy: optional('extension_approved_by'), reason: optional('extension_reason') },
      });
    }
    if (v('outcome')) {
      const end = conclusionEvent(v('outcome'), v('concluded_on'), raw('reason'));
      steps.push({ type: end.type, on: end.on, fields: end.data });
    }

    const events: LifecycleEvent[] = [{ type: 'registered', on: dto.receivedOn, data: { channel: dto.channel, imported: true } }];
    for (const step of steps) {
      // Steps that carry nothing beyond codes and dates checked above need no validator run.
      const free = Object.entries(step.fields).some(([k, value]) => value !== undefined && k !== 'outcome');
      const checked = this.form(RecordEventDto, validated || !free, { type: step.type, on: step.on, ...step.fields });
      if (checked.fields) return fail(fieldMessage(checked.fields, EVENT_COLUMNS[step.type] ?? {}, (c) => this.name(c)));
      const { type, on, ...data } = checked.value;
      if (type === 'fee_notice_issued') (data as Record<string, unknown>).pausesClock = true;
      events.push({ type, on, data: JSON.parse(JSON.stringify(data)) as Record<string, unknown> });
    }
    events.sort((a, b) => (a.on === b.on ? SAME_DAY_ORDER.indexOf(a.type) - SAME_DAY_ORDER.indexOf(b.type) : a.on < b.on ? -1 : 1));

    let state = INITIAL_STATE;
    try {
      for (const e of events) state = applyEvent(state, e, { calendar: this.calendar, today: this.today, itemCount: 1 });
    } catch (e) {
      if (e instanceof DomainError) {
        const detail = Object.values(e.fields).join(' ');
        return fail(e.code === 'VALIDATION_FAILED' && detail ? detail : `${e.message}${detail && !e.message.includes(detail) ? `（${detail}）` : ''}`);
      }
      throw e;
    }
    const a = dto.applicant;
    const row: LedgerRow = {
      line,
      applicant: {
        type: a.type,
        name: a.name,
        idDocumentNumber: a.idDocumentNumber ?? null,
        organisationCode: a.organisationCode ?? null,
        phone: a.phone ?? null,
        email: a.email ?? null,
        address: a.address ?? null,
      },
      channel: dto.channel,
      description: dto.description,
      deliveryMethod: dto.deliveryMethod ?? 'electronic',
      events,
      state,
    };
    const roles = this.roles;
    const missing = roles ? permissionsForRow(row).filter((p) => !can(roles, p)) : [];
    return { row, error: null, missing };
  }

  private form<T extends object>(cls: new () => T, transformOnly: boolean, plain: object): ReturnType<typeof validateInput<T>> {
    return transformOnly ? { value: plainToInstance(cls, plain), fields: null } : validateInput(cls, plain);
  }
}

/** The first field message, named by its ledger column as the file names it. */
function fieldMessage(fields: Record<string, string>, columns: Record<string, Column>, name: (c: Column) => string): string {
  const [path, message] = Object.entries(fields)[0];
  return `${columns[path] ? name(columns[path]) : path}：${message}`;
}
