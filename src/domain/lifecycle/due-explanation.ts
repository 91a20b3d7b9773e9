import { DueResult } from './reply-clock';
import { RequestState } from './request-state';

const PAUSE_REASONS = {
  consultation_third_party: '征求第三方意见（《条例》第三十二条、第三十三条第三款）',
  consultation_agency: '征求其他机关意见（《条例》第三十四条、第三十三条第三款）',
  fee: '等待缴纳信息处理费（国办函〔2020〕109号）',
} as const;

function list(dates: string[]): string {
  return dates.length > 6 ? `${dates.slice(0, 6).join('、')} 等 ${dates.length} 天` : dates.join('、');
}

/** The due date explained for staff and supervisors, line by line. */
export function explainDue(due: DueResult): string[] {
  const e = due.explanation;
  if (e.state === 'not_started') return ['尚未确认收到申请，答复期限尚未起算（《条例》第三十一条）。'];
  if (e.state === 'waiting_correction') return ['正在等待申请人补正；收到补正材料之日起重新计算答复期限（《条例》第三十条）。'];
  const lines: string[] = [];
  if (e.state === 'agency_set') {
    lines.push(`本机关依《条例》第三十五条确定延迟答复期限为 ${e.dueOn}，理由：${e.agencyDeadlineReason}。`);
    return lines;
  }
  lines.push(e.startReason === 'correction' ? `${e.startOn} 收到补正后的申请，答复期限自次日起重新计算（《条例》第三十条）。` : `${e.startOn} 收到申请（收到申请之日），答复期限自次日起算。`);
  lines.push(`法定答复期限 ${e.baseWorkingDays} 个工作日（《条例》第三十三条第二款）。`);
  if (e.extensionWorkingDays) lines.push(`经批准延长 ${e.extensionWorkingDays} 个工作日。`);
  for (const x of e.excluded) {
    const end = x.open ? `至今（${x.to}）仍在进行` : `至 ${x.to}`;
    lines.push(`${x.from} ${end}：${PAUSE_REASONS[x.kind]}，不计入期限 ${x.workingDays} 个工作日${x.capped ? '（以 15 个工作日为限）' : ''}。`);
  }
  lines.push(`合计 ${e.totalWorkingDays} 个工作日，期限届满日为 ${e.dueOn}${e.provisional ? '（暂定：涉及的年份尚未载入国务院节假日安排，载入后自动重算）' : ''}。`);
  if (e.holidaysSkipped.length) lines.push(`期间跳过的法定节假日（工作日）：${list(e.holidaysSkipped)}。`);
  if (e.makeUpDaysCounted.length) lines.push(`期间计入的调休上班日（周末）：${list(e.makeUpDaysCounted)}。`);
  if (due.overdue) lines.push('已超过答复期限。');
  return lines;
}

/** The same, in plain words for the applicant's status page. */
export function explainDueForCitizen(state: RequestState, due: DueResult): string[] {
  const e = due.explanation;
  if (state.status === 'awaiting_confirmation') return ['您的申请已提交，待本机关确认收到。确认之日为收到申请之日，答复期限自次日起算。'];
  if (e.state === 'waiting_correction') return ['本机关已请您补正申请，收到补正材料后将重新计算答复期限。'];
  if (e.state === 'agency_set') return [`本机关已告知延迟答复，答复期限为 ${e.dueOn}。`];
  if (!e.dueOn) return [];
  // Concluded: the date of record, no forecast.
  if (state.status === 'concluded') return [`本机关已于 ${state.concludedOn} 办结您的申请；答复期限为 ${e.dueOn}${due.overdue ? '，本机关逾期答复' : ''}。`];
  const lines = [`本机关自收到申请之日起 ${e.baseWorkingDays} 个工作日内答复（节假日不计算在内）。`];
  if (e.extensionWorkingDays) lines.push(`经批准延长 ${e.extensionWorkingDays} 个工作日。`);
  const paused = e.excluded.reduce((n, x) => n + x.workingDays, 0);
  if (paused) lines.push(`征求意见或等待缴费的 ${paused} 个工作日依法不计算在答复期限内。`);
  lines.push(`预计最迟答复日期：${e.dueOn}${e.provisional ? '（相关年份的节假日安排公布后可能调整）' : ''}。`);
  return lines;
}
