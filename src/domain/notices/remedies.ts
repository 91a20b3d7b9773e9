import { IsoDate } from '../calendar';

/** The agency settings a remedies paragraph names (D16); null when not set. */
export interface RemedyBodies {
  /** 行政复议机关, e.g. 某某县人民政府. */
  reviewOrgan: string | null;
  /** The court of first instance, e.g. 某某县人民法院. */
  court: string | null;
}

export const NO_REMEDY_BODIES: RemedyBodies = { reviewOrgan: null, court: null };

/** 《中华人民共和国行政复议法》 as revised on 2023-09-01 is in force from this date. */
export const REVIEW_LAW_2023_IN_FORCE = '2024-01-01';

/** How much of a decision withholds information: decides whether review must come first (D16). */
export type Withholding = 'none' | 'part' | 'all';

export interface RemedyInput {
  /** The date of the notice: the law in force on that day applies. */
  on: IsoDate;
  withholding: Withholding;
  bodies: RemedyBodies;
  /** What is contested and the document received, e.g. 本答复 / 本告知书. */
  subject: string;
  document: string;
}

const REVIEW_LAW = '《中华人民共和国行政复议法》';
const LITIGATION_LAW = '《中华人民共和国行政诉讼法》';

/**
 * The remedies paragraph of a notice (D16). Before 2024 and for anything that withholds nothing:
 * review within 60 days (行政复议法 2017 Art. 9(1); 2023 Art. 20(1)) or suit within six months
 * (行政诉讼法 Art. 46(1)). From 2024 a decision not to disclose must go to review first
 * (2023 Art. 23(1)(四)); suit follows within 15 days of the review decision (行政诉讼法 Art. 45). Kept
 * short: a two-item reply still prints on one A4 page.
 */
export function remediesText(p: RemedyInput): string {
  const organ = p.bodies.reviewOrgan ? `向${p.bodies.reviewOrgan}` : '依法向行政复议机关';
  const court = p.bodies.court ? `向${p.bodies.court}` : '依法向有管辖权的人民法院';
  const inForce2023 = p.on >= REVIEW_LAW_2023_IN_FORCE;
  const either = `可以自收到${p.document}之日起六十日内${organ}申请行政复议，也可以自收到${p.document}之日起六个月内${court}提起行政诉讼`;
  if (!inForce2023 || p.withholding === 'none') {
    return `如对${p.subject}不服，${either}（${REVIEW_LAW}${inForce2023 ? '第二十条第一款' : '第九条第一款'}、${LITIGATION_LAW}第四十六条第一款）。`;
  }
  const what = p.withholding === 'all' ? '对本机关不予公开的决定不服的' : `对${p.subject}中不予公开的部分不服的`;
  const first =
    `${what}，应当依照${REVIEW_LAW}第二十三条第一款第（四）项的规定先申请行政复议：自收到${p.document}之日起六十日内${organ}申请行政复议，` +
    `对行政复议决定不服的，可以自收到行政复议决定书之日起十五日内${court}提起行政诉讼`;
  return p.withholding === 'all' ? `${first}。` : `${first}；对${p.subject}的其他内容不服的，${either}。`;
}
