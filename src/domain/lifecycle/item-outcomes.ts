import { UnprocessableError, ValidationFailedError } from '../errors';
import { DECIDABLE_OUTCOMES, Outcome, outcomeLabel } from './codes';
import type { RequestState } from './request-state';

/** D1 (items decide the outcome) and D21 (referral): the parts of a reply that come from its items. */

const DISCLOSED: readonly Outcome[] = ['granted', 'partially_granted'];

/**
 * D1: the application's outcome follows from its items. Something disclosed and something not:
 * （二）. Nothing disclosed and different grounds: the principal ground the agency names, which
 * must be one of the items'. A declared outcome that contradicts the items is refused.
 */
export function outcomeOfItems(declared: Outcome, items: Outcome[], itemsGiven = true): Outcome {
  if (!itemsGiven) return declared;
  const label = (o: Outcome) => `“${outcomeLabel(o)}”`;
  const contradict = (why: string): never => {
    throw new UnprocessableError(`答复结果与各事项的结果不一致：${why}。`, { outcome: why });
  };
  if (items.every((o) => o === 'granted')) {
    if (declared !== 'granted') contradict(`所有事项均予以公开，答复结果应为${label('granted')}，而不是${label(declared)}`);
    return 'granted';
  }
  if (items.some((o) => DISCLOSED.includes(o))) {
    if (declared !== 'partially_granted') {
      contradict(`有的事项予以公开、有的未予公开，应按${label('partially_granted')}统计（《条例》第三十七条），而不是${label(declared)}`);
    }
    return 'partially_granted';
  }
  const distinct = [...new Set(items)];
  if (distinct.length === 1 && declared !== distinct[0]) {
    contradict(`所有事项的结果均为${label(distinct[0])}，答复结果应与之一致，而不是${label(declared)}`);
  }
  if (!items.includes(declared)) {
    contradict(`没有任何事项予以公开，答复结果应为各事项理由中的主要一项（${distinct.map(label).join('、')}），而不是${label(declared)}`);
  }
  return declared;
}

/**
 * Replaying records: D1 where the record is consistent with it; a record made before D1 was
 * enforced that contradicts its items keeps the outcome it was counted under then.
 */
export function historicOutcome(declared: Outcome, items: Outcome[], itemsGiven: boolean): Outcome {
  try {
    return outcomeOfItems(declared, items, itemsGiven);
  } catch {
    return new Set(items).size > 1 ? 'partially_granted' : declared;
  }
}

export function referToOf(raw: unknown, outcomes: Outcome[], ctx: { historic?: boolean }): RequestState['referTo'] {
  if (raw === undefined || raw === null) return null;
  const r = raw as { agency?: unknown; contact?: unknown; agencyCode?: unknown };
  const agencyCode = typeof r.agencyCode === 'string' && r.agencyCode.trim() ? r.agencyCode.trim().toLowerCase() : null;
  const agency = typeof r.agency === 'string' ? r.agency.trim() : '';
  const contact = typeof r.contact === 'string' && r.contact.trim() ? r.contact.trim() : null;
  if (!ctx.historic) {
    if (!outcomes.includes('unable_not_held')) throw new ValidationFailedError({ referTo: '只有“本机关不掌握相关政府信息”的答复才告知掌握该信息的机关（《条例》第三十六条第（五）项）。' });
    if (!agency || agency.length > 200) throw new ValidationFailedError({ 'referTo.agency': '请填写掌握该信息的机关名称（不超过 200 个字符）。' });
    if (contact && contact.length > 200) throw new ValidationFailedError({ 'referTo.contact': '联系方式最多 200 个字符。' });
  }
  return agency ? { agency, contact, ...(agencyCode ? { agencyCode } : {}) } : null;
}

export function resolveItemOutcomes(outcome: Outcome, raw: unknown, itemCount: number): { outcomes: Outcome[]; reasons: Array<string | null> } {
  const outcomes: Outcome[] = Array.from({ length: itemCount }, () => outcome);
  const reasons: Array<string | null> = Array.from({ length: itemCount }, () => null);
  if (raw === undefined || raw === null) return { outcomes, reasons };
  if (!Array.isArray(raw)) throw new ValidationFailedError({ itemOutcomes: '必须是数组。' });
  const fields: Record<string, string> = {};
  raw.forEach((entry, i) => {
    const item = (entry as { item?: unknown })?.item;
    const o = (entry as { outcome?: unknown })?.outcome as Outcome;
    const reason = (entry as { reason?: unknown })?.reason;
    if (typeof item !== 'number' || !Number.isInteger(item) || item < 0 || item >= itemCount) {
      fields[`itemOutcomes.${i}.item`] = `事项序号必须在 0 到 ${itemCount - 1} 之间。`;
    } else if (!DECIDABLE_OUTCOMES.includes(o)) {
      fields[`itemOutcomes.${i}.outcome`] = '不是有效的答复结果代码。';
    } else if (reason !== undefined && reason !== null && (typeof reason !== 'string' || reason.length > 2000)) {
      fields[`itemOutcomes.${i}.reason`] = '理由必须是不超过 2000 个字符的文本。';
    } else {
      outcomes[item] = o;
      reasons[item] = typeof reason === 'string' && reason.trim() ? reason.trim() : null;
    }
  });
  if (Object.keys(fields).length) throw new ValidationFailedError(fields);
  return { outcomes, reasons };
}
