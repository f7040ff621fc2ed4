import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Handlebars from 'handlebars';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { isRightToLeft } from '../../delivery/email-message.js';

const WEB_TEMPLATES = fileURLToPath(new URL('../../../templates/web/', import.meta.url));

/** Fields → messages, shown beside each field of a form that was refused. */
export type FieldErrors = Record<string, string>;

/**
 * The web app's pages: `templates/web/<page>.hbs` inside `layout.hbs`, with partials from
 * `templates/web/partials/`. Unlike note templates these are HTML, so escaping stays ON: every
 * `{{value}}` is escaped and only helpers below return SafeStrings, built from escaped parts.
 * Prototype access stays off (Handlebars' default).
 */
export class WebViews {
  private readonly hbs = Handlebars.create();
  private readonly pages = new Map<string, Handlebars.TemplateDelegate>();
  private readonly layout: Handlebars.TemplateDelegate;

  constructor(private readonly dir = WEB_TEMPLATES) {
    const partials = path.join(dir, 'partials');
    for (const file of readdirSync(partials).filter((f) => f.endsWith('.hbs'))) {
      this.hbs.registerPartial(file.slice(0, -4), readFileSync(path.join(partials, file), 'utf8'));
    }
    registerHelpers(this.hbs);
    this.layout = this.compile('layout');
  }

  private compile(name: string): Handlebars.TemplateDelegate {
    let page = this.pages.get(name);
    if (!page) {
      // Not strict: optional parts of a page (errors, notices) are simply absent from the context.
      page = this.hbs.compile(readFileSync(path.join(this.dir, `${name}.hbs`), 'utf8'));
      this.pages.set(name, page);
    }
    return page;
  }

  render(name: string, context: Record<string, unknown>): string {
    const body = this.compile(name)(context);
    return this.layout({ ...context, body: new Handlebars.SafeString(body) });
  }
}

/** Renders a page for the signed-in user (or the login page), with the layout's common context. */
export function sendPage(
  views: WebViews,
  request: FastifyRequest,
  reply: FastifyReply,
  name: string,
  context: Record<string, unknown>,
  status = 200,
) {
  const user = request.web?.user ?? null;
  const html = views.render(name, {
    ...context,
    page: name,
    user,
    csrf: request.web?.csrfToken ?? context['csrf'] ?? '',
    nav: user
      ? { inbox: user.role !== 'marketing', marketing: user.role !== 'account_manager' }
      : null,
  });
  return reply.status(status).type('text/html; charset=utf-8').header('cache-control', 'no-store').send(html);
}

const escape = Handlebars.Utils.escapeExpression;

function registerHelpers(hbs: typeof Handlebars): void {
  hbs.registerHelper('eq', (a: unknown, b: unknown) => a === b);
  hbs.registerHelper('or', (a: unknown, b: unknown) => a || b);
  hbs.registerHelper('and', (a: unknown, b: unknown) => a && b);
  hbs.registerHelper('includes', (list: unknown, v: unknown) => Array.isArray(list) && list.includes(v));
  hbs.registerHelper('textDir', (locale: unknown) => (typeof locale === 'string' && isRightToLeft(locale) ? 'rtl' : 'ltr'));
  /** A date-time in the viewer's time zone, e.g. "23 Nov 2026, 09:30". */
  hbs.registerHelper('dateTime', (value: unknown, timeZone: unknown) => {
    if (!(value instanceof Date) && typeof value !== 'string') return '';
    const tz = typeof timeZone === 'string' ? timeZone : 'UTC';
    return new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: tz }).format(new Date(value));
  });
  /** An amount with its currency, e.g. "€12.50"; an unknown currency code falls back to "12.50 XYZ". */
  hbs.registerHelper('money', (amount: unknown, currency: unknown) => {
    const n = Number(amount);
    const code = String(currency ?? '');
    try {
      return new Intl.NumberFormat('en-GB', { style: 'currency', currency: code }).format(n);
    } catch {
      return `${n.toFixed(2)} ${code}`;
    }
  });
  hbs.registerHelper('isoDate', (value: unknown) => (value instanceof Date ? value.toISOString() : ''));
  /** A plain-text note as paragraphs, the way the email's HTML part shows it. */
  hbs.registerHelper('paragraphs', (text: unknown) => {
    const parts = String(text ?? '').trim().split(/\n{2,}/);
    return new Handlebars.SafeString(parts.map((p) => `<p>${escape(p).replaceAll('\n', '<br>')}</p>`).join('\n'));
  });
  hbs.registerHelper('array', (...args: unknown[]) => args.slice(0, -1));
  hbs.registerHelper('concat', (...args: unknown[]) => args.slice(0, -1).map(String).join(''));
  hbs.registerHelper('json', (value: unknown) => JSON.stringify(value, null, 2));
  hbs.registerHelper('humanize', (value: unknown) => String(value ?? '').replaceAll('_', ' '));
}
