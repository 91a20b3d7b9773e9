import { chineseDate } from '../domain/notices';
import { EVENT_LABELS, STAFF_EVENT_TYPES, StaffEventType } from '../domain/lifecycle';
import { RequestDetailView } from '../requests/request-views';

/** What a redirect after a step may ask the page to confirm: codes only, so no text travels in the URL. */
export type DoneCode = StaffEventType | 'assigned' | 'unassigned';

const date = (on: unknown): string => (typeof on === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(on) ? chineseDate(on) : '');

/**
 * The sentence confirming the step just taken, built from the stored record (its last event of that type and
 * the request's dates now); null when the code is unknown or the record holds no such step.
 */
export function confirmationFor(done: unknown, request: RequestDetailView, assigneeName: string | null): string | null {
  if (typeof done !== 'string') return null;
  if (done === 'assigned') return assigneeName ? `已指定承办人：${assigneeName}。` : null;
  if (done === 'unassigned') return assigneeName ? null : '已取消指定承办人。';
  if (!(STAFF_EVENT_TYPES as readonly string[]).includes(done)) return null;
  const event = [...request.events].reverse().find((e) => e.type === done);
  if (!event) return null;
  const due = request.dueOn && request.status !== 'concluded' ? `答复期限为 ${chineseDate(request.dueOn)}${request.dueIsProvisional ? '（暂定）' : ''}` : '';
  const data = event.data;
  switch (done as StaffEventType) {
    case 'receipt_confirmed':
      return `已确认收到，${due || '已记录收到申请之日'}。`;
    case 'correction_requested':
      return `已发出补正告知，补正期限为 ${date(data.correctionDueOn)}；补正期间答复期限中止计算。`;
    case 'correction_received':
      return `已记录收到补正材料，${due}。`;
    case 'extension_granted':
      return `已延期答复 ${String(data.extraWorkingDays)} 个工作日，${due}。`;
    case 'deadline_set':
      return `已确定延迟答复期限，${due}。`;
    case 'decided':
      return `已作出答复（${request.outcomeLabel ?? ''}），答复日期 ${date(event.on)}。`;
    case 'delivered':
      return `已登记送达，送达日期 ${date(event.on)}。`;
    default:
      return `已记录“${EVENT_LABELS[done as StaffEventType]}”（${date(event.on)}）${due ? `，${due}` : ''}。`;
  }
}
