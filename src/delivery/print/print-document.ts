import { readFile } from 'node:fs/promises';
import path from 'node:path';
import Handlebars from 'handlebars';
import { isRightToLeft } from '../email-message.js';
import { fontFaceCss } from './print-fonts.js';
import { pageSize, type PrintFormat } from './print-formats.js';

/** One note to print, as plain text: templates escape it (HTML escaping stays ON for print). */
export interface PrintNote {
  deliveryId: string;
  locale: string;
  subject: string;
  body: string;
  /** The address block, first line the recipient's name (see postalAddressLines). */
  recipient: string[];
  /** One short line above the address in a letter's window, e.g. "Acme · 1 Main St · Springfield". */
  returnAddress?: string;
  /** Who sends it (the account manager), printed small on a folded card's back cover. */
  sender?: string;
  /** When the note is dated, as the recipient writes dates. */
  date?: Date;
}

const pt = (v: number) => `${v.toFixed(3)}pt`;

/** The format's geometry as CSS custom properties plus the page size; print.css does the rest. */
export function formatCss(format: PrintFormat): string {
  const page = pageSize(format);
  const a = format.address;
  return [
    `@page { size: ${pt(page.width)} ${pt(page.height)}; margin: 0; }`,
    ':root {',
    `  --page-w: ${pt(page.width)}; --page-h: ${pt(page.height)};`,
    `  --trim-w: ${pt(format.trim.width)}; --trim-h: ${pt(format.trim.height)};`,
    `  --bleed: ${pt(format.bleed)}; --safe: ${pt(format.safe)};`,
    a ? `  --addr-x: ${pt(a.x)}; --addr-y: ${pt(a.y)}; --addr-w: ${pt(a.width)}; --addr-h: ${pt(a.height)}; --addr-return: ${pt(a.returnLine)};` : '',
    '}',
  ].join('\n');
}

/** Blank lines separate paragraphs; single line breaks stay line breaks. */
export const paragraphsOf = (body: string): string[][] =>
  body
    .trim()
    .split(/\n\s*\n/)
    .map((p) => p.split('\n').map((l) => l.trim()).filter(Boolean))
    .filter((p) => p.length > 0);

/**
 * Print templates: templates/print/<layout>.hbs for one note, document.hbs around a batch, and
 * print.css. Compiled once; unlike note templates, HTML escaping is ON — the note is plain text
 * written by people and must never become markup.
 */
export class PrintTemplates {
  private readonly hbs = Handlebars.create();
  private readonly compiled = new Map<string, Promise<Handlebars.TemplateDelegate>>();
  private css: Promise<string> | null = null;

  constructor(private readonly dir: string) {}

  async document(format: PrintFormat, notes: PrintNote[]): Promise<string> {
    const [documentTemplate, noteTemplate, css] = await Promise.all([this.template('document'), this.template(format.layout), this.stylesheet()]);
    const rendered = notes.map((note) =>
      noteTemplate({
        deliveryId: note.deliveryId,
        lang: note.locale,
        dir: isRightToLeft(note.locale) ? 'rtl' : 'ltr',
        subject: note.subject,
        paragraphs: paragraphsOf(note.body),
        recipient: note.recipient,
        returnAddress: note.returnAddress ?? '',
        sender: note.sender ?? '',
        date: formatDate(note.date ?? new Date(), note.locale),
      }),
    );
    return documentTemplate({ format: format.name, css: `${fontFaceCss()}\n${formatCss(format)}\n${css}`, notes: rendered });
  }

  private template(name: string): Promise<Handlebars.TemplateDelegate> {
    let pending = this.compiled.get(name);
    if (!pending) {
      pending = readFile(path.join(this.dir, 'print', `${name}.hbs`), 'utf8').then((source) =>
        this.hbs.compile(source, { strict: true, knownHelpersOnly: true }),
      );
      this.compiled.set(name, pending);
      pending.catch(() => this.compiled.delete(name));
    }
    return pending;
  }

  private stylesheet(): Promise<string> {
    this.css ??= readFile(path.join(this.dir, 'print', 'print.css'), 'utf8');
    return this.css;
  }
}

function formatDate(date: Date, locale: string): string {
  try {
    return new Intl.DateTimeFormat(locale, { dateStyle: 'long' }).format(date);
  } catch {
    return date.toISOString().slice(0, 10);
  }
}

/** Countries that write "City, Region Postcode" on one line. */
const CITY_FIRST = new Set(['US', 'CA', 'AU']);

/**
 * The address block as the recipient's post expects it: name, street lines, then the postal line
 * ("12345 City" in most of Europe, "City, ST 12345" in North America and Australia), then the
 * country in English capitals when one is given (international mail is sorted by that line).
 */
export function postalAddressLines(c: {
  name: string;
  addressLines: string[];
  postalCode: string | null;
  city: string | null;
  region: string | null;
  country: string | null;
}): string[] {
  const lines = [c.name, ...c.addressLines];
  if (c.country && CITY_FIRST.has(c.country)) {
    lines.push([c.city ? `${c.city},` : '', c.region ?? '', c.postalCode ?? ''].filter(Boolean).join(' '));
  } else {
    lines.push([c.postalCode ?? '', c.city ?? ''].filter(Boolean).join(' '));
    if (c.region) lines.push(c.region);
  }
  if (c.country) lines.push((new Intl.DisplayNames(['en'], { type: 'region' }).of(c.country) ?? c.country).toUpperCase());
  return lines.map((l) => l.trim()).filter(Boolean);
}
