import { APPLICANT_TYPE_HELP, APPLICANT_TYPE_LABELS, CHANNEL_LABELS, CHANNEL_RECEIPT_RULES, Channel, DELIVERY_METHOD_LABELS, ID_DOCUMENT_TYPE_LABELS } from '../domain/lifecycle';
import { OptionView, toOptions } from '../common/form-options';

export const FORM_ITEM_SLOTS = 5;

export interface RequestFormView {
  values: Record<string, unknown>;
  errors: Record<string, string>;
  errorList: string[];
  applicantTypes: OptionView[];
  idDocumentTypes: OptionView[];
  deliveryMethods: OptionView[];
  channels: OptionView[];
  items: Array<{ index: number; number: number; value: string; error: string | null }>;
}

/** Staff channels: online submissions arrive through the citizen form. */
const STAFF_CHANNELS: Channel[] = ['in_person', 'mail', 'ordinary_mail', 'fax'];

export function buildRequestForm(values: Record<string, unknown> = {}, errors: Record<string, string> = {}): RequestFormView {
  const applicant = (values.applicant ?? {}) as Record<string, string>;
  const items = Array.isArray(values.items) ? (values.items as Array<{ description?: string }>) : [];
  const channelLabels = Object.fromEntries(STAFF_CHANNELS.map((c) => [c, CHANNEL_LABELS[c]]));
  return {
    values,
    errors,
    errorList: Object.values(errors),
    applicantTypes: toOptions(APPLICANT_TYPE_LABELS, applicant.type, APPLICANT_TYPE_HELP),
    idDocumentTypes: toOptions(ID_DOCUMENT_TYPE_LABELS, applicant.idDocumentType ?? 'resident_id'),
    deliveryMethods: toOptions(DELIVERY_METHOD_LABELS, (values.deliveryMethod as string) ?? 'electronic'),
    channels: toOptions(channelLabels, values.channel as string, CHANNEL_RECEIPT_RULES),
    items: Array.from({ length: FORM_ITEM_SLOTS }, (_, index) => ({
      index,
      number: index + 1,
      value: items[index]?.description ?? '',
      error: errors[`items.${index}.description`] ?? null,
    })),
  };
}

/** Keeps only the item slots that were filled in; none means "the description is the only item". */
export function normaliseItems(body: Record<string, unknown>): Record<string, unknown> {
  const raw = body.items;
  const list = Array.isArray(raw) ? raw : raw && typeof raw === 'object' ? Object.values(raw) : [];
  const filled = list.filter((i) => i && typeof i === 'object' && typeof (i as { description?: unknown }).description === 'string');
  const next = { ...body };
  if (filled.length) next.items = filled;
  else delete next.items;
  return next;
}
