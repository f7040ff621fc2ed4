import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import Handlebars from 'handlebars';
import { AppError } from '../errors.js';

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

/**
 * Note templates live in `templates/notes/<key>/<locale>.hbs`: a front-matter block with the
 * subject, then the body. Notes are plain text (the email layer escapes them into HTML), so the
 * note itself is compiled without HTML escaping; `strict` makes a missing variable an error instead
 * of an empty greeting, and `knownHelpersOnly` refuses helpers we did not register.
 */
export class NoteTemplates {
  private readonly hbs = Handlebars.create();
  private readonly cache = new Map<string, Promise<CompiledNote | null>>();

  constructor(private readonly dir: string) {}

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
      const facts = withoutBlanks(context);
      try {
        return {
          subject: compiled.subject(facts).trim(),
          body: compiled.body(facts).trim() + '\n',
          locale: compiled.locale,
          templatePath: compiled.templatePath,
        };
      } catch (err) {
        throw new AppError(
          'RAPPORT_TEMPLATE_INVALID',
          `${compiled.templatePath}: ${(err as Error).message}`,
          { field: 'template' },
          { cause: err },
        );
      }
    }
    throw new AppError('RAPPORT_TEMPLATE_NOT_FOUND', `No template "${key}" for locale ${locale} (or its fallbacks)`, {
      field: 'template',
    });
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
    const { subject, body } = splitFrontMatter(source, templatePath);
    const options = { strict: true, knownHelpersOnly: true, noEscape: true } as const;
    try {
      const compiledSubject = this.hbs.compile(subject, options);
      const compiledBody = this.hbs.compile(body, options);
      // Compilation is lazy in Handlebars; precompiling now surfaces syntax errors at load time.
      this.hbs.precompile(subject, options);
      this.hbs.precompile(body, options);
      return { subject: compiledSubject, body: compiledBody, locale, templatePath };
    } catch (err) {
      throw new AppError('RAPPORT_TEMPLATE_INVALID', `${templatePath}: ${(err as Error).message}`, { field: 'template' }, { cause: err });
    }
  }
}

function splitFrontMatter(source: string, templatePath: string): { subject: string; body: string } {
  const match = /^\uFEFF?---\r?\n([\s\S]*?)\r?\n---\r?\n?([\s\S]*)$/.exec(source);
  if (!match) {
    throw new AppError('RAPPORT_TEMPLATE_INVALID', `${templatePath}: expected a front matter block (---) with a subject line`, {
      field: 'template',
    });
  }
  const subjectLine = (match[1] ?? '').split(/\r?\n/).find((l) => l.startsWith('subject:'));
  if (!subjectLine) {
    throw new AppError('RAPPORT_TEMPLATE_INVALID', `${templatePath}: front matter has no "subject:" line`, { field: 'template' });
  }
  return { subject: subjectLine.slice('subject:'.length).trim(), body: match[2] ?? '' };
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
