import { EventType, RequestState, StaffEventType } from './request-state';

export const EVENT_LABELS: Record<EventType, string> = {
  submitted: '网上提交申请',
  registered: '登记收到申请',
  receipt_confirmed: '确认收到申请',
  correction_requested: '发出补正告知',
  correction_received: '收到补正材料',
  correction_lapsed: '逾期未补正，不再处理',
  consultation_started: '发出征求意见',
  consultation_ended: '征求意见结束',
  fee_notice_issued: '发出收费通知',
  fee_paid: '申请人已缴费',
  fee_lapsed: '逾期未缴费，不再处理',
  extension_granted: '延期答复',
  deadline_set: '确定延迟答复期限',
  decided: '作出答复',
  withdrawn: '申请人撤回申请',
  reasons_requested: '要求申请人说明理由',
  delivered: '送达答复',
  due_recomputed: '答复期限重新计算',
  assigned: '指定承办人',
  personal_data_erased: '按保存期限清除申请人身份和联系信息',
  transferred: '转送其他机关（确认收到前）',
  attachment_added: '上传文件',
  attachment_withdrawn: '撤回误传的文件',
  supervision_note: '上级督办意见',
};

export const EVENT_BASIS: Record<EventType, string> = {
  submitted: '《条例》第二十九条',
  registered: '《条例》第二十九条、第三十一条',
  receipt_confirmed: '《条例》第三十一条',
  correction_requested: '《条例》第三十条',
  correction_received: '《条例》第三十条',
  correction_lapsed: '《条例》第三十条',
  consultation_started: '《条例》第三十二条、第三十四条',
  consultation_ended: '《条例》第三十二条、第三十三条第三款',
  fee_notice_issued: '《条例》第四十二条；国办函〔2020〕109号',
  fee_paid: '国办函〔2020〕109号',
  fee_lapsed: '国办函〔2020〕109号',
  extension_granted: '《条例》第三十三条第二款',
  deadline_set: '《条例》第三十五条',
  decided: '《条例》第三十六条至第三十九条',
  withdrawn: '—',
  reasons_requested: '《条例》第三十五条',
  delivered: '《条例》第三十六条、第四十条',
  due_recomputed: '节假日安排变更',
  assigned: '—',
  personal_data_erased: '《个人信息保护法》第十九条',
  // D23: the first agency never received it (Art. 31): no receipt, no count.
  transferred: '《条例》第三十一条（未确认收到）',
  attachment_added: '—',
  attachment_withdrawn: '—',
  // D22: the supervising office's note; it changes nothing of the application.
  supervision_note: '《条例》第四十七条',
};

/**
 * The next steps the lifecycle allows now; forms offer only these. Once a recorded step found
 * the deadline passed, the steps that would move it are left out (D15). A step may still be
 * entered with an earlier date, so a deadline passed only by today's date does not hide them.
 */
export function allowedSteps(state: RequestState): StaffEventType[] {
  const late = !!state.lapsedDueOn;
  const extension = state.extension || late ? [] : (['extension_granted'] as const);
  const reasons = state.reasonsRequested ? [] : (['reasons_requested'] as const);
  switch (state.status) {
    case 'awaiting_confirmation':
      return ['receipt_confirmed', 'withdrawn'];
    case 'in_progress':
      return [
        ...(state.correction || late ? [] : (['correction_requested'] as const)),
        'consultation_started',
        ...(state.fee ? [] : (['fee_notice_issued'] as const)),
        ...extension,
        ...(state.agencyDeadline || late ? [] : (['deadline_set'] as const)),
        ...reasons,
        'decided',
        'withdrawn',
      ];
    case 'awaiting_correction':
      return ['correction_received', 'correction_lapsed', 'withdrawn'];
    case 'consulting':
      return ['consultation_ended', ...extension, 'decided', 'withdrawn'];
    case 'awaiting_fee':
      return ['fee_paid', 'fee_lapsed', ...extension, 'withdrawn'];
    case 'concluded':
      return ['delivered'];
    default:
      return [];
  }
}
