import hbs from 'hbs';
import { MailTemplates } from '../notifications/mail-templates';
import { handlebars, VIEW_HELPERS } from './view-helpers';

const render = (template: string, context: Record<string, unknown> = {}, options: CompileOptions = {}) => handlebars.compile(template, { strict: true, ...options })(context);

describe('the Handlebars instance of pages and mail', () => {
  it('is the one Express renders pages with, and has exactly the view helpers', () => {
    expect(handlebars).toBe(hbs.handlebars);
    for (const name of Object.keys(VIEW_HELPERS)) expect(handlebars.helpers[name]).toBe(VIEW_HELPERS[name as keyof typeof VIEW_HELPERS]);
  });

  it('compiles the mail templates, escaping the HTML part and not the text part', () => {
    const compile = jest.spyOn(handlebars, 'compile');
    try {
      const mail = new MailTemplates().render('withdrawal', '撤回', { withdrawnOn: '2026-06-15', trackingNumber: '2026-000001', agencyName: '<某县>"交通"&运输局' });
      expect(compile).toHaveBeenCalledTimes(2);
      expect(mail.html).toContain('<p>&lt;某县&gt;&quot;交通&quot;&amp;运输局</p>');
      expect(mail.text).toContain('\n<某县>"交通"&运输局');
      expect(mail.html).toContain('<strong>2026-000001</strong>');
    } finally {
      compile.mockRestore();
    }
  });
});

describe('view helpers', () => {
  const yesNo = (expr: string, context: Record<string, unknown>) => render(`{{#if ${expr}}}yes{{else}}no{{/if}}`, context);

  it('eq compares strictly', () => {
    expect(yesNo('(eq a b)', { a: 'stored', b: 'stored' })).toBe('yes');
    expect(yesNo('(eq a b)', { a: 1, b: '1' })).toBe('no');
    expect(yesNo('(eq a "provisional")', { a: 'provisional' })).toBe('yes');
    expect(render('{{eq a b}}', { a: 1, b: 1 })).toBe('true');
  });

  it('or is true when any argument is, not counting the options Handlebars passes last', () => {
    expect(yesNo('(or a b)', { a: null, b: 0 })).toBe('no');
    expect(yesNo('(or a b)', { a: null, b: 'next' })).toBe('yes');
    expect(yesNo('(or a)', { a: false })).toBe('no');
    expect(yesNo('(or a b c)', { a: '', b: undefined, c: 1 })).toBe('yes');
  });

  it('not negates, and nests with eq', () => {
    expect(yesNo('(not a)', { a: false })).toBe('yes');
    expect(yesNo('(not a)', { a: 'x' })).toBe('no');
    expect(yesNo('(not (eq rowspan 1))', { rowspan: 2 })).toBe('yes');
    expect(yesNo('(not (eq rowspan 1))', { rowspan: 1 })).toBe('no');
  });

  it('json prints indented JSON, escaped in double braces and raw in triple braces or plain-text templates', () => {
    const value = { name: '<b>"x"</b>', n: 1 };
    expect(render('{{{json v}}}', { v: value })).toBe('{\n  "name": "<b>\\"x\\"</b>",\n  "n": 1\n}');
    expect(render('{{json v}}', { v: value })).toBe('{\n  &quot;name&quot;: &quot;&lt;b&gt;\\&quot;x\\&quot;&lt;/b&gt;&quot;,\n  &quot;n&quot;: 1\n}');
    expect(render('{{json v}}', { v: value }, { noEscape: true })).toBe(render('{{{json v}}}', { v: value }));
  });

  it('escapes what users typed wherever a helper is used in a block', () => {
    expect(render('{{#if (eq kind "a")}}{{text}}{{/if}}', { kind: 'a', text: `<script>alert('x')</script>` })).toBe('&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;');
  });
});
