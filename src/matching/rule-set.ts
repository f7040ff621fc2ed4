import { phraseTokens } from './phrase-tokens.js';
import type { RuleFile, RulePhrase } from './rule-files.js';
import type { ClassifiedKind } from './signal-kinds.js';

export type PhraseRole = 'kind' | 'negation' | 'reversal' | 'disclaimer';

export interface LanguageRules {
  language: string;
  /** How many words before and after a kind phrase a negation or reversal reaches. */
  window: { before: number; after: number };
}

export interface CompiledPhrase {
  text: string;
  keys: string[];
  primaries: string[];
  /** From a trailing `*`: the last word may continue. */
  open: boolean;
  role: PhraseRole;
  kind: ClassifiedKind | null;
  weight: number;
  rules: LanguageRules;
}

const OPEN_PREFIX = 3;
const MEMO_LIMIT = 100_000;

/** A candidate phrase and its place in the order `startingWith` lists them (the order hits keep). */
export interface RankedPhrase {
  phrase: CompiledPhrase;
  rank: number;
}

/**
 * The rule phrases that may start at one word, grouped by what they need next. Nearly every
 * candidate fails on its second word, so a sentence's words look up their one group by that word
 * instead of trying each candidate in turn (dozens per Thai letter).
 */
export interface PhraseCandidates {
  /** Phrases tried in full wherever the word is: one-word phrases, and two-word ones whose last word may be a prefix. */
  loose: readonly RankedPhrase[];
  /** Every other phrase, by the match key its second word must have. */
  bySecondKey: ReadonlyMap<string, readonly RankedPhrase[]>;
}

export const NO_CANDIDATES: PhraseCandidates = { loose: [], bySecondKey: new Map() };

/**
 * Every rule phrase of every language, found by the match key of its first word. One-word open
 * phrases ("acquir*") are found by prefix, and the answer per key is memoised, so classifying a
 * sentence costs one map read per word.
 */
export class PhraseLookup {
  private readonly byFirstKey = new Map<string, CompiledPhrase[]>();
  private readonly openByPrefix = new Map<string, CompiledPhrase[]>();
  private readonly memo = new Map<string, PhraseCandidates>();

  add(phrase: CompiledPhrase, dense: boolean): void {
    const first = phrase.keys[0] ?? '';
    if (phrase.open && phrase.keys.length === 1 && !dense) append(this.openByPrefix, first.slice(0, OPEN_PREFIX), phrase);
    else append(this.byFirstKey, first, phrase);
    this.memo.clear();
  }

  /** Phrases, in any language, that may start at a word whose match key is `key`. */
  startingWith(key: string): PhraseCandidates {
    const exact = this.byFirstKey.get(key);
    let open: CompiledPhrase[] | undefined;
    for (let length = 1; length <= OPEN_PREFIX && length <= key.length; length++) {
      for (const phrase of this.openByPrefix.get(key.slice(0, length)) ?? []) {
        if (key.startsWith(phrase.keys[0] ?? '')) (open ??= []).push(phrase);
      }
    }
    // Most words start no phrase (every name in an article is a word not seen before): they are
    // answered from the two small maps above. Only the others go through the memo, whose reads
    // and writes on a map of up to 100,000 keys cost cache misses (about 4% of matching, profiled).
    if (exact === undefined && open === undefined) return NO_CANDIDATES;
    let found = this.memo.get(key);
    if (found === undefined) {
      found = groupBySecondKey([...(exact ?? []), ...(open ?? [])]);
      if (this.memo.size >= MEMO_LIMIT) this.memo.clear();
      this.memo.set(key, found);
    }
    return found;
  }
}

function groupBySecondKey(phrases: readonly CompiledPhrase[]): PhraseCandidates {
  if (phrases.length === 0) return NO_CANDIDATES;
  const loose: RankedPhrase[] = [];
  const bySecondKey = new Map<string, RankedPhrase[]>();
  phrases.forEach((phrase, rank) => {
    // A two-word open phrase's second word is matched as a prefix (unless dense): no exact key.
    if (phrase.keys.length === 1 || (phrase.keys.length === 2 && phrase.open)) loose.push({ phrase, rank });
    else append(bySecondKey, phrase.keys[1] ?? '', { phrase, rank });
  });
  return { loose, bySecondKey };
}

export interface RuleSet {
  languages: Map<string, LanguageRules>;
  phrases: PhraseLookup;
  /** Match keys of common words, single- or multi-word, joined by spaces. */
  commonWords: Set<string>;
  /** Legal-form words as match-key sequences, longest first, by their first and by their last key. */
  designators: { byFirstKey: Map<string, string[][]>; byLastKey: Map<string, string[][]> };
}

const DEFAULT_WINDOW = { before: 4, after: 3 };

/** Merges rule files by language; later files add to earlier ones and may override the window. */
export function compileRules(files: readonly RuleFile[]): RuleSet {
  const languages = new Map<string, LanguageRules>();
  const phrases = new PhraseLookup();
  const commonWords = new Set<string>();
  const designators = new Map<string, string[]>();
  for (const file of files) {
    let rules = languages.get(file.language);
    if (!rules) {
      rules = { language: file.language, window: DEFAULT_WINDOW };
      languages.set(file.language, rules);
    }
    if (file.negationWindow) rules.window = file.negationWindow;
    const add = (phrase: RulePhrase, role: PhraseRole, kind: ClassifiedKind | null): void => {
      if (rules) addPhrase(phrases, rules, phrase, role, kind);
    };
    for (const [kind, list] of Object.entries(file.kinds) as [ClassifiedKind, RulePhrase[]][]) list.forEach((p) => add(p, 'kind', kind));
    file.negations.forEach((p) => add(p, 'negation', null));
    file.reversals.forEach((p) => add(p, 'reversal', null));
    file.disclaimers.forEach((p) => add(p, 'disclaimer', null));
    for (const word of file.commonWords) commonWords.add(phraseTokens(word).keys.join(' '));
    for (const designator of file.companyDesignators) {
      const keys = phraseTokens(designator).keys;
      if (keys.length > 0) designators.set(keys.join(' '), keys);
    }
  }
  const byFirstKey = new Map<string, string[][]>();
  const byLastKey = new Map<string, string[][]>();
  for (const keys of [...designators.values()].sort((a, b) => b.length - a.length)) {
    append(byFirstKey, keys[0] ?? '', keys);
    append(byLastKey, keys[keys.length - 1] ?? '', keys);
  }
  return { languages, phrases, commonWords, designators: { byFirstKey, byLastKey } };
}

function addPhrase(lookup: PhraseLookup, rules: LanguageRules, phrase: RulePhrase, role: PhraseRole, kind: ClassifiedKind | null): void {
  const text = typeof phrase === 'string' ? phrase : phrase.phrase;
  const weight = typeof phrase === 'string' ? 1 : phrase.weight;
  const open = text.endsWith('*');
  const tokens = phraseTokens(open ? text.slice(0, -1) : text);
  if (tokens.keys.length === 0) return;
  lookup.add({ text, keys: tokens.keys, primaries: tokens.primaries, open, role, kind, weight, rules }, tokens.dense);
}

function append<T>(map: Map<string, T[]>, key: string, value: T): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
