import { can, permissionForEvent, refusalFor } from '../auth/permissions';
import { Role } from '../auth/roles';
import { OptionView, toOptions } from '../common/form-options';
import { IsoDate } from '../domain/calendar';
import { DECIDABLE_OUTCOMES, DELIVERY_WAY_LABELS, EVENT_BASIS, EVENT_LABELS, OUTCOME_INFO, StaffEventType } from '../domain/lifecycle';

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
  itemOutcomes: Array<{ position: number; number: number; description: string; options: OptionView[]; reason: string }>;
  primary: boolean;
  /** Why part of the step is not offered to this account (outcomes or per-item replies that need another role). */
  limits: string[];
}

/** What the account typed into a refused or invalid form, shown again in that form. */
export interface TypedStep {
  type: string;
  values: Record<string, unknown>;
}

const DECIDABLE_LABELS = Object.fromEntries(DECIDABLE_OUTCOMES.map((o) => [o, `${OUTCOME_INFO[o].row} ${OUTCOME_INFO[o].label}`]));

function fieldsFor(type: StaffEventType, today: IsoDate): StepFieldView[] {
  const on: StepFieldView = { name: 'on', label: '日期', kind: 'date', required: true, value: today };
  const note: StepFieldView = { name: 'note', label: '说明', kind: 'textarea', required: false, value: '' };
  switch (type) {
    case 'receipt_confirmed':
      return [{ ...on, label: '确认收到之日', help: '与申请人确认之日即为收到申请之日（《条例》第三十一条）。' }];
    case 'correction_requested':
      return [
        on,
        { name: 'correctionDueOn', label: '补正期限', kind: 'date', required: true, value: '', help: '应在收到申请之日起 7 个工作日内一次性告知（《条例》第三十条）。' },
        { ...note, label: '需要补正的事项' },
      ];
    case 'consultation_started':
      return [
        { ...on, label: '发出征求意见之日' },
        { name: 'party', label: '征求意见对象', kind: 'select', required: true, value: '', options: toOptions({ third_party: '第三方（第三十二条）', agency: '其他机关（第三十四条）' }) },
        { name: 'deliveredOn', label: '对方收到征求意见书之日', kind: 'date', required: false, value: '', help: '第三方的 15 个工作日自其收到之日起算；不填视为发出当日收到。' },
        note,
      ];
    case 'fee_notice_issued':
      return [
        on,
        { name: 'amountYuan', label: '收费金额（元）', kind: 'number', required: true, value: '', min: 0 },
        { name: 'deliveredOn', label: '申请人收到收费通知之日', kind: 'date', required: false, value: '', help: '缴费期限自收到通知次日起 20 个工作日；不填视为发出当日收到。' },
        note,
      ];
    case 'extension_granted':
      return [
        on,
        { name: 'extraWorkingDays', label: '延长工作日数', kind: 'number', required: true, value: '20', min: 1, max: 20 },
        { name: 'approvedBy', label: '告知书上署名的批准人（政府信息公开工作机构负责人）', kind: 'text', required: false, value: '', help: '不填则为当前登录的审核人员；系统另行记录批准账号。' },
        { name: 'reason', label: '延期理由', kind: 'textarea', required: true, value: '' },
      ];
    case 'deadline_set':
      return [on, { name: 'dueOn', label: '延迟答复期限', kind: 'date', required: true, value: '' }, { name: 'reason', label: '理由（第三十五条）', kind: 'textarea', required: true, value: '' }];
    case 'decided':
      return [
        { ...on, label: '答复日期' },
        { name: 'outcome', label: '答复结果', kind: 'select', required: true, value: '', options: toOptions(DECIDABLE_LABELS) },
        { name: 'reason', label: '理由（不予公开、部分公开的必填）', kind: 'textarea', required: false, value: '' },
        {
          name: 'referAgency',
          label: '掌握该信息的机关（本机关不掌握时填写）',
          kind: 'text',
          required: false,
          value: '',
          help: '能够确定的，告知申请人该行政机关的名称、联系方式（《条例》第三十六条第（五）项）。',
        },
        { name: 'referContact', label: '该机关的联系方式', kind: 'text', required: false, value: '' },
        {
          name: 'repeatOf',
          label: '此前答复的申请编号（重复申请时填写）',
          kind: 'text',
          required: false,
          value: '',
          help: '答复告知书写明本机关已于何时就相同政府信息作出答复（《条例》第三十六条第（六）项）。',
        },
      ];
    case 'reasons_requested':
      return [on, { ...note, label: '需要申请人说明的事项', required: true, help: '申请数量、频次明显超过合理范围的，可以要求申请人说明理由（《条例》第三十五条）；不中止答复期限。' }];
    case 'delivered':
      return [
        { ...on, label: '送达日期' },
        { name: 'method', label: '送达方式', kind: 'select', required: true, value: '', options: toOptions(DELIVERY_WAY_LABELS) },
        { name: 'reference', label: '送达凭证（如 EMS 单号）', kind: 'text', required: false, value: '' },
      ];
    case 'withdrawn':
    case 'consultation_ended':
      return [on, note];
    default:
      return [on];
  }
}

/**
 * The step forms the signed-in account may submit: steps whose permission it lacks are left out; a reply
 * offers only the outcomes it may record (withholding ones need the approver, permissionForEvent).
 */
export function buildStepForms(
  allowed: StaffEventType[],
  items: Array<{ position: number; description: string }>,
  today: IsoDate,
  roles: readonly Role[],
  typed?: TypedStep,
  /** D21, D23: the other agencies on the platform (code → name), offered to a referral reply. */
  referAgencies: Record<string, string> = {},
): StepFormView[] {
  const mine = DECIDABLE_OUTCOMES.filter((o) => can(roles, permissionForEvent('decided', o)));
  const offered = allowed.filter((type) => (type === 'decided' ? mine.length > 0 : can(roles, permissionForEvent(type))));
  return offered.map((type, i) => {
    const limits: string[] = [];
    let fields = fieldsFor(type, today);
    let itemOutcomes: StepFormView['itemOutcomes'] = [];
    if (type === 'decided') {
      const labels = Object.fromEntries(mine.map((o) => [o, DECIDABLE_LABELS[o]]));
      fields = fields.map((f) => (f.name === 'outcome' ? { ...f, options: toOptions(labels) } : f));
      if (Object.keys(referAgencies).length) {
        const at = fields.findIndex((f) => f.name === 'referContact');
        fields.splice(at + 1, 0, {
          name: 'referAgencyCode',
          label: '如该机关也在本平台受理申请，请选择（可选）',
          kind: 'select',
          required: false,
          value: '',
          options: toOptions(referAgencies),
          help: '选择后，申请人可在查询页一步改向该机关提出申请。',
        });
      }
      const others = new Set(DECIDABLE_OUTCOMES.filter((o) => !mine.includes(o)).map((o) => permissionForEvent('decided', o)));
      for (const p of others) limits.push(`其他答复结果${refusalFor(p).replace(/^该步骤/, '')}`);
      // Items answered differently from the reply need whoever may record a mixed reply (permissionForEvent).
      const mixed = permissionForEvent('decided', 'granted', [{ outcome: 'granted' }, { outcome: 'withheld_state_secret' }]);
      if (items.length > 1 && can(roles, mixed)) {
        itemOutcomes = items.map((item) => ({ position: item.position, number: item.position + 1, description: item.description, options: toOptions(DECIDABLE_LABELS), reason: '' }));
      } else if (items.length > 1) limits.push(`各项答复结果不同的，${refusalFor(mixed).replace(/^该步骤/, '')}`);
    }
    if (typed?.type === type) {
      fields = fields.map((f) => {
        const v = typed.values[f.name];
        const value = typeof v === 'string' || typeof v === 'number' ? String(v) : f.value;
        return { ...f, value, options: f.options?.map((o) => ({ ...o, selected: o.value === value })) };
      });
      const chosen = (typed.values.itemOutcome ?? {}) as Record<string, unknown>;
      const reasons = (typed.values.itemReason ?? {}) as Record<string, unknown>;
      itemOutcomes = itemOutcomes.map((it) => {
        const reason = reasons[String(it.position)];
        return { ...it, reason: typeof reason === 'string' ? reason : '', options: it.options.map((o) => ({ ...o, selected: o.value === chosen[String(it.position)] })) };
      });
    }
    return { type, label: EVENT_LABELS[type], basis: EVENT_BASIS[type], fields, itemOutcomes, primary: typed ? typed.type === type : i === 0, limits };
  });
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
  const perItemReason = (out.itemReason ?? {}) as Record<string, unknown>;
  delete out.itemOutcome;
  delete out.itemReason;
  if (perItem && typeof perItem === 'object') {
    // An item left "同上" takes the reply's outcome; every item is listed so that D1 sees them all.
    const chosen = perItem as Record<string, unknown>;
    const list = Object.keys(chosen)
      .map((k) => {
        const own = typeof chosen[k] === 'string' && chosen[k] !== '' ? chosen[k] : out.outcome;
        const reason = typeof perItemReason[k] === 'string' && perItemReason[k].trim() ? perItemReason[k] : undefined;
        return { item: Number(k), outcome: own, ...(reason ? { reason } : {}) };
      })
      .filter((e) => typeof e.outcome === 'string' && e.outcome !== '');
    if (list.some((e) => e.outcome !== out.outcome || e.reason)) out.itemOutcomes = list;
  }
  for (const key of ['deliveredOn', 'reference', 'approvedBy', 'repeatOf']) if (out[key] === '') delete out[key];
  const referAgency = typeof out.referAgency === 'string' ? out.referAgency.trim() : '';
  const referContact = typeof out.referContact === 'string' ? out.referContact.trim() : '';
  const referAgencyCode = typeof out.referAgencyCode === 'string' ? out.referAgencyCode.trim() : '';
  delete out.referAgency;
  delete out.referContact;
  delete out.referAgencyCode;
  if (referAgency || referContact || referAgencyCode)
    out.referTo = { agency: referAgency, ...(referContact ? { contact: referContact } : {}), ...(referAgencyCode ? { agencyCode: referAgencyCode } : {}) };
  return out;
}
