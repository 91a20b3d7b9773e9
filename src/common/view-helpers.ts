import hbs from 'hbs';

/**
 * The one Handlebars instance of the app: the one Express renders pages with (hbs's own), also
 * compiling the mail templates, so pages and mail share the helpers registered here, once.
 */
export const handlebars = hbs.handlebars;

/** The only Handlebars helpers: formatting and comparison, never rules. */
export const VIEW_HELPERS = {
  eq: (a: unknown, b: unknown) => a === b,
  // Handlebars passes its options object last.
  or: (...args: unknown[]) => args.slice(0, -1).some(Boolean),
  and: (...args: unknown[]) => args.slice(0, -1).every(Boolean),
  not: (a: unknown) => !a,
  json: (value: unknown) => JSON.stringify(value, null, 2),
};

for (const [name, helper] of Object.entries(VIEW_HELPERS)) handlebars.registerHelper(name, helper);
