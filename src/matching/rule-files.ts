import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { describeIssues } from './describe-issues.js';
import { ClassifiedKind } from './signal-kinds.js';

/**
 * A phrase that marks a kind of news. A trailing `*` lets the last word continue ("acquir*" finds
 * acquires, acquired, acquisition); `weight` (default 1) says how sure the phrase alone is
 * ("raises" may be about prices, "funding round" is not).
 */
export const RulePhrase = z.union([
  z.string().trim().min(1),
  z.strictObject({ phrase: z.string().trim().min(1), weight: z.number().gt(0).max(1) }),
]);
export type RulePhrase = z.infer<typeof RulePhrase>;

/**
 * One rule file: built-in ones live in `src/matching/rules/<language>.json`; marketing adds more in
 * a directory of their own. Files for the same language are merged, so an extension file only
 * lists what it adds.
 */
export const RuleFile = z.strictObject({
  language: z.string().regex(/^[a-z]{2,3}$/, 'expected a lowercase ISO 639 code such as "en"'),
  description: z.string().optional(),
  kinds: z.partialRecord(ClassifiedKind, z.array(RulePhrase)).default({}),
  /** Words that cancel a kind near them ("not", "denies"): the mention becomes neutral. */
  negations: z.array(z.string().trim().min(1)).default([]),
  /** Words that turn good news bad ("award revoked", "deal called off"). */
  reversals: z.array(z.string().trim().min(1)).default([]),
  /** Phrases saying a sentence is not about the company it names ("not related to"): its mentions are ignored. */
  disclaimers: z.array(z.string().trim().min(1)).default([]),
  /** How many words before and after a kind phrase a negation or reversal reaches. */
  negationWindow: z.strictObject({ before: z.number().int().min(0).max(20), after: z.number().int().min(0).max(20) }).optional(),
  /** Everyday words that are also company names ("Apple", "Sun"): such an alias needs corroboration. */
  commonWords: z.array(z.string().trim().min(1)).default([]),
  /** Legal-form words stripped from names to derive the short name ("Acme Corp" → "Acme"). */
  companyDesignators: z.array(z.string().trim().min(1)).default([]),
});
export type RuleFile = z.infer<typeof RuleFile>;

export class RuleFileError extends Error {
  override readonly name = 'RuleFileError';
  constructor(
    readonly file: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export const BUILT_IN_RULES_DIR = fileURLToPath(new URL('./rules/', import.meta.url));

let builtIn: RuleFile[] | undefined;

/** The rule files shipped with Rapport, read once per process. */
export function builtInRuleFiles(): RuleFile[] {
  builtIn ??= loadRuleDirectory(BUILT_IN_RULES_DIR);
  return builtIn;
}

/** Every `*.json` file in `dir`, in name order so merges are deterministic. */
export function loadRuleDirectory(dir: string): RuleFile[] {
  let names: string[];
  try {
    names = readdirSync(dir, { withFileTypes: true })
      .filter((entry) => entry.isFile() && entry.name.endsWith('.json'))
      .map((entry) => entry.name)
      .sort();
  } catch (error) {
    throw new RuleFileError(dir, `cannot read rule directory ${dir}: ${(error as Error).message}`, { cause: error });
  }
  return names.map((name) => loadRuleFile(join(dir, name)));
}

export function loadRuleFile(path: string): RuleFile {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new RuleFileError(path, `${path}: ${(error as Error).message}`, { cause: error });
  }
  const parsed = RuleFile.safeParse(data);
  if (!parsed.success) throw new RuleFileError(path, describeIssues(path, parsed.error.issues, data));
  return parsed.data;
}
