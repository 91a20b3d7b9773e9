/** Applicant types: the Section 3 columns, in report order. */
export const APPLICANT_TYPES = ['natural_person', 'commercial_enterprise', 'research_institution', 'social_welfare_org', 'legal_service_org', 'other_org'] as const;
export type ApplicantType = (typeof APPLICANT_TYPES)[number];

export const APPLICANT_TYPE_LABELS: Record<ApplicantType, string> = {
  natural_person: '自然人',
  commercial_enterprise: '商业企业',
  research_institution: '科研机构',
  social_welfare_org: '社会公益组织',
  legal_service_org: '法律服务机构',
  other_org: '其他',
};

/** Plain-words help for the filing form. */
export const APPLICANT_TYPE_HELP: Record<ApplicantType, string> = {
  natural_person: '以个人名义申请的公民（包括以个人身份申请的律师、个体工商户经营者）',
  commercial_enterprise: '公司、企业等以营利为目的的组织',
  research_institution: '高等院校、科研院所等从事科学研究的机构',
  social_welfare_org: '慈善组织、基金会、志愿服务组织等公益性社会组织',
  legal_service_org: '律师事务所、公证机构、基层法律服务所等',
  other_org: '其他法人或者非法人组织，如社会团体、村（居）民委员会、事业单位',
};

export const CHANNELS = ['in_person', 'mail', 'ordinary_mail', 'online', 'fax'] as const;
export type Channel = (typeof CHANNELS)[number];

export const CHANNEL_LABELS: Record<Channel, string> = {
  in_person: '当面提交',
  mail: '邮寄（需签收）',
  ordinary_mail: '平常信函',
  online: '互联网渠道',
  fax: '传真',
};

/** Art. 31: which date counts as 收到申请之日 for each channel. */
export const CHANNEL_RECEIPT_RULES: Record<Channel, string> = {
  in_person: '当面提交的，以提交之日为收到申请之日。',
  mail: '以邮寄方式提交的，以行政机关签收之日为收到申请之日。',
  ordinary_mail: '以平常信函等无需签收的邮寄方式提交的，政府信息公开工作机构应当于收到申请的当日与申请人确认，确认之日为收到申请之日。',
  online: '通过互联网渠道提交的，以双方确认之日为收到申请之日。',
  fax: '通过政府信息公开工作机构的传真提交的，以双方确认之日为收到申请之日。',
};

export const DELIVERY_METHODS = ['electronic', 'paper_mail', 'pickup', 'email', 'fax'] as const;
export type DeliveryMethod = (typeof DELIVERY_METHODS)[number];

export const DELIVERY_METHOD_LABELS: Record<DeliveryMethod, string> = {
  electronic: '电子数据（网上查阅或下载）',
  email: '电子邮件',
  paper_mail: '纸质文本邮寄',
  pickup: '纸质文本自行领取',
  fax: '传真',
};

/** Whom an agency consults before replying (Art. 32 third party, Art. 34 another agency). */
export const CONSULTATION_PARTY_LABELS: Record<'third_party' | 'agency', string> = {
  third_party: '第三方',
  agency: '其他机关',
};

export const ID_DOCUMENT_TYPES = ['resident_id', 'passport', 'hk_macao_permit', 'taiwan_permit', 'foreign_permanent_resident', 'other'] as const;
export type IdDocumentType = (typeof ID_DOCUMENT_TYPES)[number];

export const ID_DOCUMENT_TYPE_LABELS: Record<IdDocumentType, string> = {
  resident_id: '居民身份证',
  passport: '护照',
  hk_macao_permit: '港澳居民来往内地通行证',
  taiwan_permit: '台湾居民来往大陆通行证',
  foreign_permanent_resident: '外国人永久居留身份证',
  other: '其他身份证明',
};

/** The 21 leaf result rows of the 2021 format, in order. */
export const OUTCOMES = [
  'granted',
  'partially_granted',
  'withheld_state_secret',
  'withheld_law_prohibits',
  'withheld_three_security_one_stability',
  'withheld_third_party_rights',
  'withheld_internal_affairs',
  'withheld_process_info',
  'withheld_law_enforcement_file',
  'withheld_administrative_inquiry',
  'unable_not_held',
  'unable_needs_creation',
  'unable_unclear_after_correction',
  'not_processed_petition_complaint',
  'not_processed_repeat',
  'not_processed_publication',
  'not_processed_excessive',
  'not_processed_confirm_or_reissue',
  'other_overdue_correction',
  'other_unpaid_fee',
  'other_other',
] as const;
export type Outcome = (typeof OUTCOMES)[number];

/** Outcomes that only lifecycle steps produce, never a `decided` event. */
export const STEP_ONLY_OUTCOMES: readonly Outcome[] = ['other_overdue_correction', 'other_unpaid_fee', 'other_other'];
export const DECIDABLE_OUTCOMES = OUTCOMES.filter((o) => !STEP_ONLY_OUTCOMES.includes(o));

export interface OutcomeInfo {
  row: string;
  label: string;
  basis: string;
  family: 'granted' | 'partial' | 'withheld' | 'unable' | 'not_processed' | 'other';
}

export const OUTCOME_INFO: Record<Outcome, OutcomeInfo> = {
  granted: { row: '（一）', label: '予以公开', basis: '《条例》第三十六条第（一）、（二）项', family: 'granted' },
  partially_granted: { row: '（二）', label: '部分公开', basis: '《条例》第三十七条', family: 'partial' },
  withheld_state_secret: { row: '（三）1', label: '属于国家秘密', basis: '《条例》第十四条、第三十六条第（三）项', family: 'withheld' },
  withheld_law_prohibits: { row: '（三）2', label: '其他法律行政法规禁止公开', basis: '《条例》第十四条、第三十六条第（三）项', family: 'withheld' },
  withheld_three_security_one_stability: { row: '（三）3', label: '危及“三安全一稳定”', basis: '《条例》第十四条、第三十六条第（三）项', family: 'withheld' },
  withheld_third_party_rights: { row: '（三）4', label: '保护第三方合法权益', basis: '《条例》第十五条、第三十二条', family: 'withheld' },
  withheld_internal_affairs: { row: '（三）5', label: '属于三类内部事务信息', basis: '《条例》第十六条第一款', family: 'withheld' },
  withheld_process_info: { row: '（三）6', label: '属于四类过程性信息', basis: '《条例》第十六条第二款', family: 'withheld' },
  withheld_law_enforcement_file: { row: '（三）7', label: '属于行政执法案卷', basis: '《条例》第十六条第二款', family: 'withheld' },
  withheld_administrative_inquiry: { row: '（三）8', label: '属于行政查询事项', basis: '《条例》第三十六条第（七）项', family: 'withheld' },
  unable_not_held: { row: '（四）1', label: '本机关不掌握相关政府信息', basis: '《条例》第三十六条第（四）、（五）项', family: 'unable' },
  unable_needs_creation: { row: '（四）2', label: '没有现成信息需要另行制作', basis: '《条例》第三十八条', family: 'unable' },
  unable_unclear_after_correction: { row: '（四）3', label: '补正后申请内容仍不明确', basis: '《条例》第三十条', family: 'unable' },
  not_processed_petition_complaint: { row: '（五）1', label: '信访举报投诉类申请', basis: '《条例》第三十九条第一款', family: 'not_processed' },
  not_processed_repeat: { row: '（五）2', label: '重复申请', basis: '《条例》第三十六条第（六）项', family: 'not_processed' },
  not_processed_publication: { row: '（五）3', label: '要求提供公开出版物', basis: '《条例》第三十九条第二款', family: 'not_processed' },
  not_processed_excessive: { row: '（五）4', label: '无正当理由大量反复申请', basis: '《条例》第三十五条', family: 'not_processed' },
  not_processed_confirm_or_reissue: { row: '（五）5', label: '要求行政机关确认或重新出具已获取信息', basis: '—', family: 'not_processed' },
  other_overdue_correction: { row: '（六）1', label: '申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请', basis: '《条例》第三十条', family: 'other' },
  other_unpaid_fee: { row: '（六）2', label: '申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请', basis: '《政府信息公开信息处理费管理办法》', family: 'other' },
  other_other: { row: '（六）3', label: '其他', basis: '—', family: 'other' },
};

export function outcomeLabel(outcome: Outcome): string {
  const info = OUTCOME_INFO[outcome];
  return `${info.row} ${info.label}`;
}

export const STATUSES = ['awaiting_confirmation', 'in_progress', 'awaiting_correction', 'consulting', 'awaiting_fee', 'concluded', 'withdrawn'] as const;
export type RequestStatus = (typeof STATUSES)[number];

export const STATUS_LABELS: Record<RequestStatus, string> = {
  awaiting_confirmation: '待确认收到',
  in_progress: '办理中',
  awaiting_correction: '等待补正',
  consulting: '征求意见中',
  awaiting_fee: '等待缴费',
  concluded: '已办结',
  withdrawn: '已撤回（未受理）',
};

/** Statuses in which the agency is working on a received application (its clock has started). */
export const OPEN_WORK_STATUSES: readonly RequestStatus[] = ['in_progress', 'awaiting_correction', 'consulting', 'awaiting_fee'];
/** Statuses that end a request's life: concluded (counted) or withdrawn before receipt (D19, never counted). */
export const FINAL_STATUSES: readonly RequestStatus[] = ['concluded', 'withdrawn'];

export function isOpenStatus(status: string): boolean {
  return (OPEN_WORK_STATUSES as readonly string[]).includes(status);
}
