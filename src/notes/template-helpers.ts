import type Handlebars from 'handlebars';

/**
 * The helpers note templates may use. Each formats in the recipient's locale and time zone, which
 * render() passes in the data frame (`@locale`, `@timeZone`), and each throws on a missing or
 * unusable argument: a note saying "Invalid Date" or "NaN" must never reach the approval inbox.
 * The message ends with " - line:column", like Handlebars' own strict-mode errors.
 */
export const NOTE_HELPERS = ['formatDate', 'formatNumber', 'formatCurrency'] as const;

export interface RecipientFrame {
  locale: string;
  timeZone: string;
}

const DATE_STYLES = ['full', 'long', 'medium', 'short'] as const;
type DateStyle = (typeof DATE_STYLES)[number];

class HelperError extends Error {
  constructor(helper: string, problem: string, options: Handlebars.HelperOptions) {
    const loc = (options as Handlebars.HelperOptions & { loc?: { start: { line: number; column: number } } }).loc;
    super(`${helper}: ${problem}${loc ? ` - ${loc.start.line}:${loc.start.column}` : ''}`);
  }
}

/** Handlebars passes its options object last; the arguments before it are the template's. */
function split(args: unknown[]): { params: unknown[]; options: Handlebars.HelperOptions } {
  return { params: args.slice(0, -1), options: args.at(-1) as Handlebars.HelperOptions };
}

function frame(options: Handlebars.HelperOptions): RecipientFrame {
  const data = (options.data ?? {}) as Partial<RecipientFrame>;
  return { locale: data.locale ?? 'en', timeZone: data.timeZone ?? 'UTC' };
}

function toDate(value: unknown): Date | null {
  // A bare calendar date ("1990-06-15") means that day wherever the recipient is, not UTC midnight.
  if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value)) value = `${value}T12:00:00Z`;
  const date = value instanceof Date ? value : typeof value === 'string' || typeof value === 'number' ? new Date(value) : null;
  return date && !Number.isNaN(date.getTime()) ? date : null;
}

function toNumber(value: unknown): number | null {
  const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
  return Number.isFinite(n) ? n : null;
}

const describe = (value: unknown) => (value === undefined ? 'nothing' : JSON.stringify(value) ?? String(value));

export function registerNoteHelpers(hbs: typeof Handlebars): void {
  /** `{{formatDate event.occurredAt}}` or `{{formatDate occasion.date "short"}}` (full, long, medium, short). */
  hbs.registerHelper('formatDate', (...args: unknown[]) => {
    const { params, options } = split(args);
    const [value, style = 'long'] = params;
    if (params.length < 1 || params.length > 2) throw new HelperError('formatDate', 'expected a date and optionally a style', options);
    const date = toDate(value);
    if (!date) throw new HelperError('formatDate', `expected a date, got ${describe(value)}`, options);
    if (!DATE_STYLES.includes(style as DateStyle)) throw new HelperError('formatDate', `style must be one of ${DATE_STYLES.join(', ')}, got ${describe(style)}`, options);
    const { locale, timeZone } = frame(options);
    return new Intl.DateTimeFormat(locale, { dateStyle: style as DateStyle, timeZone }).format(date);
  });

  /** `{{formatNumber years}}`: grouping and digits of the recipient's locale (e.g. Persian digits for fa). */
  hbs.registerHelper('formatNumber', (...args: unknown[]) => {
    const { params, options } = split(args);
    if (params.length !== 1) throw new HelperError('formatNumber', 'expected one number', options);
    const n = toNumber(params[0]);
    if (n === null) throw new HelperError('formatNumber', `expected a number, got ${describe(params[0])}`, options);
    return new Intl.NumberFormat(frame(options).locale).format(n);
  });

  /** `{{formatCurrency event.data.total "EUR"}}`: the ISO 4217 code is required, never guessed from the locale. */
  hbs.registerHelper('formatCurrency', (...args: unknown[]) => {
    const { params, options } = split(args);
    const [value, currency] = params;
    if (params.length !== 2) throw new HelperError('formatCurrency', 'expected an amount and a currency code, e.g. {{formatCurrency total "EUR"}}', options);
    const n = toNumber(value);
    if (n === null) throw new HelperError('formatCurrency', `expected an amount, got ${describe(value)}`, options);
    if (typeof currency !== 'string' || !/^[A-Za-z]{3}$/.test(currency)) {
      throw new HelperError('formatCurrency', `expected a three-letter currency code, got ${describe(currency)}`, options);
    }
    return new Intl.NumberFormat(frame(options).locale, { style: 'currency', currency: currency.toUpperCase() }).format(n);
  });
}

/** A valid IANA zone, or UTC: a bad zone on a customer row must not stop their note. */
export function safeTimeZone(timeZone: unknown): string {
  if (typeof timeZone !== 'string' || !timeZone) return 'UTC';
  try {
    new Intl.DateTimeFormat('en', { timeZone });
    return timeZone;
  } catch {
    return 'UTC';
  }
}
