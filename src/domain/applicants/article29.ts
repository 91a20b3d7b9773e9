import { APPLICANT_TYPES } from '../lifecycle/codes';

/** What Art. 29 asks of a request filed online: who the applicant is and how to reach them. */
export interface Article29Applicant {
  type: string;
  idDocumentNumber?: string | null;
  organisationCode?: string | null;
  phone?: string | null;
  email?: string | null;
  address?: string | null;
}

/**
 * Art. 29: identity proof (an ID number for a natural person; a 统一社会信用代码 or, failing that,
 * an ID number for others) and at least one way to reach the applicant. Returns the missing
 * fields with their messages; empty when the request is complete.
 */
export function article29Gaps(a: Article29Applicant): Record<string, string> {
  const fields: Record<string, string> = {};
  if (a.type === 'natural_person' && !a.idDocumentNumber) fields['applicant.idDocumentNumber'] = '请填写身份证明号码（《条例》第二十九条）。';
  if (a.type !== 'natural_person' && (APPLICANT_TYPES as readonly string[]).includes(a.type) && !a.organisationCode && !a.idDocumentNumber) {
    fields['applicant.organisationCode'] = '请填写统一社会信用代码（《条例》第二十九条）。';
  }
  if (!a.phone && !a.email && !a.address) fields['applicant.phone'] = '请至少填写一种联系方式：电话、电子邮箱或通信地址。';
  return fields;
}
