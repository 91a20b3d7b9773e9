import { OptionView, toOptions } from '../common/form-options';
import { IsoDate } from '../domain/calendar';
import { DECIDABLE_OUTCOMES, EVENT_BASIS, EVENT_LABELS, OUTCOME_INFO, StaffEventType } from '../domain/lifecycle';

export interface StepFieldView {
  name: string;
  label: string;
  kind: 'date' | 'text' | 'textarea' | 'number' | 'select';
  required: boolean;
  value: string;
  options?: OptionView[];
  help?: string;
  min?: number;
  max?: number;
}

export interface StepFormView {
  type: StaffEventType;
  label: string;
  basis: string;
  fields: StepFieldView[];
  itemOutcomes: Array<{ position: number; number: number; description: string; options: OptionView[] }>;
  primary: boolean;
}

const DECIDABLE_LABELS = Object.fromEntries(DECIDABLE_OUTCOMES.map((o) => [o, `${OUTCOME_INFO[o].row} ${OUTCOME_INFO[o].label}`]));

function fieldsFor(type: StaffEventType, today: IsoDate): StepFieldView[] {
  const on: StepFieldView = { name: 'on', label: '日期', kind: 'date', required: true, value: today };
  const note: StepFieldView = { name: 'note', label: '说明', kind: 'textarea', required: false, value: '' };
  switch (type) {
    case 'receipt_confirmed':
      return [{ ...on, label: '确认收到之日', help: '与申请人确认之日即为收到申请之日（《条例》第三十一条）。' }];
    case 'correction_requested':
      return [on, { name: 'correctionDueOn', label: '补正期限', kind: 'date', required: true, value: '', help: '应在收到申请之日起 7 个工作日内一次性告知（《条例》第三十条）。' }, { ...note, label: '需要补正的事项' }];
    case 'consultation_started':
      return [
        { ...on, label: '发出征求意见之日' },
        { name: 'party', label: '征求意见对象', kind: 'select', required: true, value: '', options: toOptions({ third_party: '第三方（第三十二条）', agency: '其他机关（第三十四条）' }) },
        note,
      ];
    case 'fee_notice_issued':
      return [on, { name: 'amountYuan', label: '收费金额（元）', kind: 'number', required: true, value: '', min: 0 }, note];
    case 'extension_granted':
      return [
        on,
        { name: 'extraWorkingDays', label: '延长工作日数', kind: 'number', required: true, value: '20', min: 1, max: 20 },
        { name: 'approvedBy', label: '批准人（政府信息公开工作机构负责人）', kind: 'text', required: true, value: '' },
        { name: 'reason', label: '延期理由', kind: 'textarea', required: true, value: '' },
      ];
    case 'deadline_set':
      return [on, { name: 'dueOn', label: '延迟答复期限', kind: 'date', required: true, value: '' }, { name: 'reason', label: '理由（第三十五条）', kind: 'textarea', required: true, value: '' }];
    case 'decided':
      return [
        { ...on, label: '答复日期' },
        { name: 'outcome', label: '答复结果', kind: 'select', required: true, value: '', options: toOptions(DECIDABLE_LABELS) },
        { name: 'reason', label: '理由（不予公开、部分公开的必填）', kind: 'textarea', required: false, value: '' },
      ];
    case 'withdrawn':
    case 'consultation_ended':
      return [on, note];
    default:
      return [on];
  }
}

export function buildStepForms(allowed: StaffEventType[], items: Array<{ position: number; description: string }>, today: IsoDate): StepFormView[] {
  return allowed.map((type, i) => ({
    type,
    label: EVENT_LABELS[type],
    basis: EVENT_BASIS[type],
    fields: fieldsFor(type, today),
    itemOutcomes:
      type === 'decided' && items.length > 1
        ? items.map((item) => ({ position: item.position, number: item.position + 1, description: item.description, options: toOptions(DECIDABLE_LABELS) }))
        : [],
    primary: i === 0,
  }));
}

/** Turns an HTML step form into the API's event body (numbers, per-item outcomes). */
export function formToEventBody(body: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...body };
  for (const key of ['amountYuan', 'extraWorkingDays', 'expectedVersion']) {
    if (typeof out[key] === 'string') {
      const n = Number(out[key]);
      out[key] = Number.isFinite(n) ? n : out[key];
    }
  }
  const perItem = out.itemOutcome;
  delete out.itemOutcome;
  if (perItem && typeof perItem === 'object') {
    const list = Object.entries(perItem as Record<string, unknown>)
      .filter(([, v]) => typeof v === 'string' && v !== '')
      .map(([k, v]) => ({ item: Number(k), outcome: v }));
    if (list.length) out.itemOutcomes = list;
  }
  return out;
}
