import type Handlebars from 'handlebars';

/** The only Handlebars helpers: formatting and comparison, never rules. */
export function registerViewHelpers(hb: typeof Handlebars): void {
  hb.registerHelper('eq', (a: unknown, b: unknown) => a === b);
  hb.registerHelper('or', (...args: unknown[]) => args.slice(0, -1).some(Boolean));
  hb.registerHelper('not', (a: unknown) => !a);
  hb.registerHelper('json', (value: unknown) => JSON.stringify(value, null, 2));
}
