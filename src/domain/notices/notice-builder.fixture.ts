import { calendarFixture } from '../lifecycle/calendar.fixture';
import { applyEvent, INITIAL_STATE, LifecycleEvent } from '../lifecycle/request-lifecycle';
import { buildNotice, NoticeKind, noticeEventIndex, NoticeView } from './notice-builder';
import { NO_REMEDY_BODIES, RemedyBodies } from './remedies';

/** Notices written from a list of steps, for the notice specs. */
export const calendar = calendarFixture();
export const BODIES: RemedyBodies = { reviewOrgan: '测试县人民政府', court: '测试县人民法院' };
export type Step = [LifecycleEvent['type'], string, Record<string, unknown>?];

export function notice(kind: NoticeKind, steps: Step[], opts: { items?: string[]; bodies?: RemedyBodies } = {}): NoticeView {
  const items = opts.items ?? ['某小区规划许可证及附图'];
  const events: LifecycleEvent[] = steps.map(([type, on, data]) => ({ type, on, data: data ?? {} }));
  const index = noticeEventIndex(kind, events);
  if (index < 0) throw new Error(`no ${kind} notice`);
  const ctx = { calendar, today: '2027-12-31', itemCount: items.length };
  const state = events.slice(0, index + 1).reduce((s, e) => applyEvent(s, e, ctx), INITIAL_STATE);
  return buildNotice(kind, {
    agencyName: '测试县自然资源局',
    trackingNumber: '2025-000042',
    applicantName: '钱七',
    deliveryMethodLabel: '电子数据（网上查阅或下载）',
    items,
    state,
    event: events[index],
    calendar,
    remedyBodies: opts.bodies ?? NO_REMEDY_BODIES,
  });
}

export const registered: Step = ['registered', '2025-03-03', { channel: 'in_person' }];
export const TWO_ITEMS = ['2024年度某小区规划许可证', '该许可证的审批会议记录'];
