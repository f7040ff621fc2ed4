import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import Handlebars from 'handlebars';
import { AppError } from '../errors.js';
import { NOTE_HELPERS, registerNoteHelpers, safeTimeZone, type RecipientFrame } from './template-helpers.js';
import { sampleNoteContext } from './sample-context.js';

export interface RenderedNote {
  subject: string;
  body: string;
  /** The locale of the template actually used after fallback (e.g. "vi" for "vi-VN"). */
  locale: string;
  templatePath: string;
}

interface CompiledNote {
  subject: Handlebars.TemplateDelegate;
  body: Handlebars.TemplateDelegate;
  locale: string;
  templatePath: string;
}

const COMPILE_OPTIONS = {
  strict: true,
  knownHelpersOnly: true,
  knownHelpers: Object.fromEntries(NOTE_HELPERS.map((name) => [name, true])),
  noEscape: true,
} as const;

/** A partial's variants by locale ("" is the default, `signature.hbs`; "vi" is `signature.vi.hbs`). */
type Partials = Map<string, Map<string, Handlebars.TemplateDelegate>>;

/**
 * Note templates live in `templates/notes/<key>/<locale>.hbs`: a front-matter block with the
 * subject, then the body. Notes are plain text (the email layer escapes them into HTML), so the
 * note itself is compiled without HTML escaping; `strict` makes a missing variable an error instead
 * of an empty greeting, and `knownHelpersOnly` refuses helpers we did not register (the formatting
 * helpers in template-helpers.ts are the only ones). Partials come from `templates/partials/`:
 * `{{> signature}}` uses `signature.<locale>.hbs` for the note's locale, else `signature.hbs`.
 * Error messages give line:column in the template file, front matter included.
 */
export class NoteTemplates {
  private readonly hbs = Handlebars.create();
  private readonly cache = new Map<string, Promise<CompiledNote | null>>();
  private partials: Promise<Partials> | null = null;

  constructor(private readonly dir: string) {
    registerNoteHelpers(this.hbs);
  }

  /** Locale fallback: `vi-VN` → `vi` → the account default → `en`. */
  static candidateLocales(locale: string, accountDefault?: string | null): string[] {
    const chain = [locale, locale.split('-')[0] ?? locale, accountDefault ?? '', 'en'];
    return [...new Set(chain.filter(Boolean).map((l) => l.toLowerCase()))];
  }

  async render(key: string, locale: string, context: object, accountDefault?: string | null): Promise<RenderedNote> {
    if (!/^[a-z0-9][a-z0-9-]*$/.test(key)) {
      throw new AppError('RAPPORT_TEMPLATE_NOT_FOUND', `Template key "${key}" is not a valid name`, { field: 'template' });
    }
    for (const candidate of NoteTemplates.candidateLocales(locale, accountDefault)) {
      const compiled = await this.load(key, candidate);
      if (!compiled) continue;
      return this.renderCompiled(compiled, locale, context);
    }
    throw new AppError('RAPPORT_TEMPLATE_NOT_FOUND', `No template "${key}" for locale ${locale} (or its fallbacks)`, {
      field: 'template',
    });
  }

  /**
   * Compiles a template's source as render() would and renders it with sample data covering every
   * variable the shipped templates use, so a syntax error, an unknown helper or partial, a missing
   * variable or a bad helper argument is thrown (RAPPORT_TEMPLATE_INVALID, naming the template,
   * the line and the variable) before the template is saved or shipped.
   */
  async validateTemplateSource(source: string, where: { key: string; locale: string; context?: object }): Promise<RenderedNote> {
    const templatePath = path.join(this.dir, 'notes', where.key, `${where.locale}.hbs`);
    const compiled = await this.compileSource(source, templatePath, where.locale);
    return this.renderCompiled(compiled, where.locale, where.context ?? sampleNoteContext('Mai Nguyen', where.locale));
  }

  /** Validates every template under notes/ from disk; one problem per broken template, [] when all are good. */
  async check(): Promise<{ templatePath: string; problem: string }[]> {
    const problems: { templatePath: string; problem: string }[] = [];
    for (const { key, locales } of await this.list()) {
      for (const locale of locales) {
        const templatePath = path.join(this.dir, 'notes', key, `${locale}.hbs`);
        try {
          await this.validateTemplateSource(await readFile(templatePath, 'utf8'), { key, locale });
        } catch (err) {
          if (!(err instanceof AppError)) throw err;
          problems.push({ templatePath, problem: err.message });
        }
      }
    }
    return problems;
  }

  /** Every template key with the locales it exists in, for the template screens. */
  async list(): Promise<{ key: string; locales: string[] }[]> {
    const root = path.join(this.dir, 'notes');
    const keys = await readdir(root, { withFileTypes: true }).catch(() => []);
    const out: { key: string; locales: string[] }[] = [];
    for (const entry of keys.filter((e) => e.isDirectory() && /^[a-z0-9][a-z0-9-]*$/.test(e.name)).sort((a, b) => a.name.localeCompare(b.name))) {
      const files = await readdir(path.join(root, entry.name));
      const locales = files.filter((f) => f.endsWith('.hbs')).map((f) => f.slice(0, -4)).sort();
      if (locales.length) out.push({ key: entry.name, locales });
    }
    return out;
  }

  private load(key: string, locale: string): Promise<CompiledNote | null> {
    const cacheKey = `${key}/${locale}`;
    let pending = this.cache.get(cacheKey);
    if (!pending) {
      pending = this.compileFile(key, locale);
      this.cache.set(cacheKey, pending);
      // A failed compile must not be cached forever: the file may be fixed while we run.
      pending.catch(() => this.cache.delete(cacheKey));
    }
    return pending;
  }

  private async compileFile(key: string, locale: string): Promise<CompiledNote | null> {
    const templatePath = path.join(this.dir, 'notes', key, `${locale}.hbs`);
    let source: string;
    try {
      source = await readFile(templatePath, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
    return this.compileSource(source, templatePath, locale);
  }

  private async compileSource(source: string, templatePath: string, locale: string): Promise<CompiledNote> {
    await this.loadPartials();
    const { subject, body } = splitFrontMatter(source, templatePath);
    try {
      return { subject: this.compileChecked(subject), body: this.compileChecked(body), locale, templatePath };
    } catch (err) {
      throw new AppError('RAPPORT_TEMPLATE_INVALID', `${templatePath}: ${(err as Error).message}`, { field: 'template' }, { cause: err });
    }
  }

  private compileChecked(source: string): Handlebars.TemplateDelegate {
    const compiled = this.hbs.compile(source, COMPILE_OPTIONS);
    // Compilation is lazy in Handlebars; precompiling now surfaces syntax errors at load time.
    this.hbs.precompile(source, COMPILE_OPTIONS);
    return compiled;
  }

  private renderCompiled(compiled: CompiledNote, requestedLocale: string, context: object): RenderedNote {
    const facts = withoutBlanks(context);
    const options = { data: recipientFrame(compiled.locale, requestedLocale, context), partials: {} as Record<string, Handlebars.TemplateDelegate> };
    return this.withPartials(compiled, options.partials, () => {
      try {
        return {
          subject: compiled.subject(facts, options).trim(),
          body: compiled.body(facts, options).trim() + '\n',
          locale: compiled.locale,
          templatePath: compiled.templatePath,
        };
      } catch (err) {
        throw new AppError('RAPPORT_TEMPLATE_INVALID', `${compiled.templatePath}: ${(err as Error).message}`, { field: 'template' }, { cause: err });
      }
    });
  }

  /** Fills `into` with each partial's variant for the note's locale (loaded before any compile). */
  private withPartials<T>(compiled: CompiledNote, into: Record<string, Handlebars.TemplateDelegate>, run: () => T): T {
    const chain = [...NoteTemplates.candidateLocales(compiled.locale).filter((l) => l !== 'en' || compiled.locale === 'en'), ''];
    for (const [name, variants] of this.loadedPartials) {
      const variant = chain.map((l) => variants.get(l)).find(Boolean);
      if (variant) into[name] = variant;
    }
    return run();
  }

  private loadedPartials: Partials = new Map();

  /** Reads `partials/*.hbs` once, compiled with the notes' options (strict, known helpers only). */
  private loadPartials(): Promise<Partials> {
    this.partials ??= (async () => {
      const root = path.join(this.dir, 'partials');
      const files = await readdir(root).catch(() => [] as string[]);
      const partials: Partials = new Map();
      for (const file of files.filter((f) => /^[a-z0-9][a-z0-9-]*(\.[a-z]{2,3}(-[a-z0-9]+)?)?\.hbs$/i.test(f)).sort()) {
        const [name = '', locale = ''] = file.slice(0, -'.hbs'.length).toLowerCase().split('.');
        const partialPath = path.join(root, file);
        try {
          const compiled = this.compileChecked(await readFile(partialPath, 'utf8'));
          partials.set(name, (partials.get(name) ?? new Map()).set(locale, compiled));
        } catch (err) {
          throw new AppError('RAPPORT_TEMPLATE_INVALID', `${partialPath}: ${(err as Error).message}`, { field: 'template' }, { cause: err });
        }
      }
      this.loadedPartials = partials;
      return partials;
    })();
    // A broken partial must not be cached forever: the file may be fixed while we run.
    this.partials.catch(() => (this.partials = null));
    return this.partials;
  }
}

/**
 * Dates and numbers follow the recipient: their own locale (vi-VN) when the note is in its
 * language, else the note's locale (a German reader of the English fallback gets English dates),
 * and their time zone (`recipient.timeZone` in the context; UTC when absent or invalid).
 */
function recipientFrame(templateLocale: string, requestedLocale: string, context: object): RecipientFrame {
  const recipient = (context as { recipient?: { timeZone?: unknown } }).recipient;
  const sameLanguage = requestedLocale.split('-')[0]?.toLowerCase() === templateLocale.split('-')[0];
  let locale = sameLanguage ? requestedLocale : templateLocale;
  try {
    locale = Intl.getCanonicalLocales(locale)[0] ?? templateLocale;
  } catch {
    locale = templateLocale;
  }
  return { locale, timeZone: safeTimeZone(recipient?.timeZone) };
}

function splitFrontMatter(source: string, templatePath: string): { subject: string; body: string } {
  const match = /^\uFEFF?---\r?\n([\s\S]*?)\r?\n---\r?\n?([\s\S]*)$/.exec(source);
  if (!match) {
    throw new AppError('RAPPORT_TEMPLATE_INVALID', `${templatePath}: expected a front matter block (---) with a subject line`, {
      field: 'template',
    });
  }
  const frontMatter = (match[1] ?? '').split(/\r?\n/);
  const subjectIndex = frontMatter.findIndex((l) => l.startsWith('subject:'));
  const subjectLine = frontMatter[subjectIndex];
  if (subjectLine === undefined) {
    throw new AppError('RAPPORT_TEMPLATE_INVALID', `${templatePath}: front matter has no "subject:" line`, { field: 'template' });
  }
  // Leading newlines make Handlebars' line numbers those of the file (both parts are trimmed after rendering).
  const subject = '\n'.repeat(subjectIndex + 1) + subjectLine.slice('subject:'.length).trim();
  return { subject, body: '\n'.repeat(frontMatter.length + 2) + (match[2] ?? '') };
}

/**
 * Handlebars' strict mode only throws for keys that are absent; a key holding null, undefined or
 * a blank string would render as "" (or "undefined"). Dropping those keys makes every one of them
 * a "not defined" error, while `{{#if}}` still treats them as false.
 */
export function withoutBlanks(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutBlanks);
  if (value instanceof Date || value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (v === null || v === undefined || (typeof v === 'string' && v.trim() === '')) continue;
    out[k] = withoutBlanks(v);
  }
  return out;
}
