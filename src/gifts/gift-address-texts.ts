import { readFile } from 'node:fs/promises';
import path from 'node:path';
import Handlebars from 'handlebars';
import { isRightToLeft } from '../delivery/email-message.js';

/**
 * The words of the address-confirmation email and page, per language: templates/gift-address/
 * <locale>.json (strings, some with {{placeholders}}) and page.hbs (the page around them). A locale
 * without a file, or a file missing a string, falls back to English. Strings are rendered as plain
 * text; the page template escapes them (HTML escaping stays ON: names and addresses come from people).
 */
export interface GiftAddressStrings {
  emailSubject: string;
  emailBody: string;
  title: string;
  intro: string;
  name: string;
  line1: string;
  line2: string;
  line3: string;
  postalCode: string;
  city: string;
  region: string;
  country: string;
  submit: string;
  fixErrors: string;
  confirmedTitle: string;
  confirmed: string;
  alreadyConfirmed: string;
  closed: string;
  expiredTitle: string;
  expired: string;
  invalidTitle: string;
  invalid: string;
  errors: Record<string, string>;
}

export interface PageField {
  name: string;
  label: string;
  value: string;
  autocomplete: string;
  error?: string;
}

export interface GiftAddressPage {
  title: string;
  message?: string;
  address?: string[];
  form?: { action: string; invalid: boolean; fields: PageField[] };
}

const FALLBACK = 'en';

export class GiftAddressTexts {
  private readonly hbs = Handlebars.create();
  private readonly strings = new Map<string, Promise<GiftAddressStrings | null>>();
  private page: Promise<Handlebars.TemplateDelegate> | null = null;

  constructor(private readonly dir: string) {}

  /** The strings for `locale` ("fa-IR" → fa), English where the language or a string is missing. */
  async for(locale: string): Promise<{ lang: string; t: GiftAddressStrings }> {
    const language = locale.split('-')[0]?.toLowerCase() ?? FALLBACK;
    const english = await this.load(FALLBACK);
    if (!english) throw new Error(`templates/gift-address/${FALLBACK}.json is missing`);
    const own = language === FALLBACK ? null : await this.load(language);
    if (!own) return { lang: FALLBACK, t: english };
    return { lang: language, t: { ...english, ...own, errors: { ...english.errors, ...own.errors } } };
  }

  /** Fills a string's {{placeholders}} as plain text. */
  fill(text: string, values: Record<string, string>): string {
    return this.hbs.compile(text, { noEscape: true, strict: false, knownHelpersOnly: true })(values);
  }

  async renderPage(lang: string, t: GiftAddressStrings, page: GiftAddressPage): Promise<string> {
    this.page ??= readFile(path.join(this.dir, 'gift-address', 'page.hbs'), 'utf8').then((source) => this.hbs.compile(source, { knownHelpersOnly: true }));
    this.page.catch(() => (this.page = null));
    return (await this.page)({ lang, dir: isRightToLeft(lang) ? 'rtl' : 'ltr', t, ...page });
  }

  private load(language: string): Promise<GiftAddressStrings | null> {
    let pending = this.strings.get(language);
    if (!pending) {
      // Only a plain language code names a file: the locale comes from customer data.
      pending = /^[a-z]{2,3}$/.test(language)
        ? readFile(path.join(this.dir, 'gift-address', `${language}.json`), 'utf8').then(
            (text) => JSON.parse(text) as GiftAddressStrings,
            (err: NodeJS.ErrnoException) => {
              if (err.code === 'ENOENT') return null;
              throw err;
            },
          )
        : Promise.resolve(null);
      this.strings.set(language, pending);
    }
    return pending;
  }
}

const cache = new Map<string, GiftAddressTexts>();
/** One loader per templates folder for the process. */
export function giftAddressTexts(templatesDir: string): GiftAddressTexts {
  const dir = path.resolve(templatesDir);
  let texts = cache.get(dir);
  if (!texts) cache.set(dir, (texts = new GiftAddressTexts(dir)));
  return texts;
}
