export interface OptionView {
  value: string;
  label: string;
  selected: boolean;
  help?: string;
}

export function toOptions(labels: Record<string, string>, selected?: string | null, help?: Record<string, string>): OptionView[] {
  return Object.entries(labels).map(([value, label]) => ({ value, label, selected: value === selected, help: help?.[value] }));
}

/** Drops the form-only fields and turns empty strings into "absent". */
export function cleanFormBody(body: unknown, drop: string[] = ['_csrf', 'submissionToken']): Record<string, unknown> {
  const clean = (v: unknown): unknown => {
    if (typeof v === 'string') return v.trim() === '' ? undefined : v;
    if (Array.isArray(v)) return v.map(clean);
    if (v && typeof v === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, val] of Object.entries(v)) {
        const c = clean(val);
        if (c !== undefined) out[k] = c;
      }
      return out;
    }
    return v;
  };
  const result = (clean(body ?? {}) as Record<string, unknown>) ?? {};
  for (const key of drop) delete result[key];
  return result;
}

/** Field messages to list under a form's error message, without repeating the message itself. */
export function fieldMessagesBesides(message: string, fields: Record<string, string> | undefined): string[] {
  return [...new Set(Object.values(fields ?? {}))].filter((m) => m !== message);
}
