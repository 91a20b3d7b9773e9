import { Injectable } from '@nestjs/common';
import type Handlebars from 'handlebars';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { VIEWS_DIR } from '../common/paths';
import { handlebars } from '../common/view-helpers';

export type MailTemplate = 'acknowledgement' | 'receipt-notice' | 'notice' | 'digest' | 'withdrawal' | 'reply-delivery' | 'transfer';

export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

/** Renders views/emails/<name>.html.hbs (escaped) and <name>.text.hbs (plain), with the pages' Handlebars and helpers. */
@Injectable()
export class MailTemplates {
  private readonly compiled = new Map<string, Handlebars.TemplateDelegate>();

  render(name: MailTemplate, subject: string, context: Record<string, unknown>): RenderedMail {
    return {
      subject,
      html: this.template(`${name}.html.hbs`, false)(context),
      text: this.template(`${name}.text.hbs`, true)(context),
    };
  }

  private template(file: string, plain: boolean): Handlebars.TemplateDelegate {
    let t = this.compiled.get(file);
    if (!t) {
      t = handlebars.compile(readFileSync(join(VIEWS_DIR, 'emails', file), 'utf8'), { noEscape: plain, strict: true });
      this.compiled.set(file, t);
    }
    return t;
  }
}
