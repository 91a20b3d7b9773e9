import { APPLICANT_TYPE_LABELS, APPLICANT_TYPES } from '../domain/lifecycle';
import { horizontalBarChart, stackedBarChart, TYPE_COLORS } from './charts';
import { DashboardStats, outcomeShortLabel } from './dashboard.service';

function lastDay(year: number, month: number): string {
  return new Date(Date.UTC(year, month, 0)).toISOString().slice(0, 10);
}

/** The dashboard's view model: figures pre-formatted, charts pre-rendered, every figure with its list link. */
export function dashboardView(stats: DashboardStats) {
  const y = stats.year;
  const concludedList = `/staff/requests?status=concluded&concludedFrom=${y}-01-01&concludedTo=${y}-12-31`;
  const received = stats.receivedByMonth.reduce((n, m) => n + m.total, 0);
  return {
    year: y,
    figures: [
      { label: `${y} 年收到`, value: String(received), href: `/staff/requests?receivedFrom=${y}-01-01&receivedTo=${y}-12-31` },
      { label: `${y} 年办结`, value: String(stats.concluded), href: concludedList },
      { label: '按期答复', value: stats.onTimeShare === null ? '—' : `${Math.round(stats.onTimeShare * 1000) / 10}%`, href: concludedList },
      { label: '答复用时中位数', value: stats.medianWorkingDaysToReply === null ? '—' : `${stats.medianWorkingDaysToReply} 个工作日`, href: concludedList },
      { label: '办理中', value: String(stats.openNow), href: '/staff/requests?status=open' },
      { label: '已逾期', value: String(stats.overdueNow), href: '/staff/requests?status=open&overdue=true', danger: stats.overdueNow > 0 },
    ],
    monthlyChart: stackedBarChart(
      stats.receivedByMonth.map((m) => ({
        label: `${m.month}月`,
        href: `/staff/requests?receivedFrom=${y}-${String(m.month).padStart(2, '0')}-01&receivedTo=${lastDay(y, m.month)}`,
        segments: APPLICANT_TYPES.map((t, i) => ({ value: m.byType[t], color: TYPE_COLORS[i], name: APPLICANT_TYPE_LABELS[t] })),
      })),
      `${y} 年每月收到的申请（按申请人类型）`,
    ),
    legend: APPLICANT_TYPES.map((t, i) => ({ label: APPLICANT_TYPE_LABELS[t], color: TYPE_COLORS[i], swatch: `swatch-${i}` })),
    outcomeChart: stats.outcomes.length
      ? horizontalBarChart(
          stats.outcomes.map((o) => ({ label: outcomeShortLabel(o.outcome), value: o.count, href: `/staff/requests?outcome=${o.outcome}&concludedFrom=${y}-01-01&concludedTo=${y}-12-31` })),
          `${y} 年办理结果`,
        )
      : null,
  };
}
