import type { DirectoryAccount } from './account-directory.js';
import { TokenNormalizer, type NormalizedToken } from './normalize-token.js';
import type { CompiledPhrase } from './rule-set.js';
import { ACRONYM, AMBIGUOUS, CAPITALISED, DISTINCTIVE, PatternEntries, type EntryDraft, type MentionRole } from './pattern-entries.js';
import { hasDiacritics, phraseTokens, type PhraseTokens } from './phrase-tokens.js';
import { builtInRuleFiles, loadRuleDirectory } from './rule-files.js';
import { compileRules, type RuleSet } from './rule-set.js';
import {
  AMBIGUOUS_ALIAS_WEIGHT,
  aliasSpecificity,
  CONTACT_WEIGHT,
  DOMAIN_WEIGHT,
  KEYWORD_WEIGHT,
  SHORT_NAME_FACTOR,
} from './score-confidence.js';
import { hasCapital, isAllDigits, isLatinWord } from './name-shape.js';
import { SpanTable } from './span-table.js';
import { TokenAutomatonBuilder, type TokenAutomaton } from './token-automaton.js';
import type { TokenizedText } from './tokenize-text.js';

// Cleared when full: article vocabularies are Zipfian, so a bounded cache keeps almost every hit.
const TOKEN_CACHE_LIMIT = 200_000;

/** What the index knows about one spelling of a word, cached across articles. */
export interface TokenInfo extends NormalizedToken {
  /** Automaton token id; 0 for a word in no pattern. */
  id: number;
  /** Rule phrases that may start with this word; filled on first use by classification. */
  phrases: readonly CompiledPhrase[] | undefined;
}

/** An article's tokens as the index sees them: ids for the automaton, info for everything else. */
export interface ArticleTokens {
  ids: Int32Array;
  infos: TokenInfo[];
}
const DISTINCTIVE_NAME_LETTERS = 10;
/** A short name shorter than this ("X" from "X Corp") would match everywhere; keep the full name only. */
const MIN_SHORT_NAME_LETTERS = 3;

/**
 * Everything needed to find accounts in articles: one token automaton over every name, alias,
 * domain, contact name and keyword of every account, plus the classification rules.
 */
export class MatchIndex {
  private readonly tokenCache = new SpanTable<TokenInfo>(TOKEN_CACHE_LIMIT);
  /** Single dense-script characters by char code. */
  private readonly denseChars: (TokenInfo | undefined)[] = [];
  private readonly normalizer = new TokenNormalizer();

  constructor(
    readonly accounts: readonly DirectoryAccount[],
    readonly rules: RuleSet,
    readonly automaton: TokenAutomaton,
    readonly entries: PatternEntries,
    private readonly vocabulary: ReadonlyMap<string, number>,
  ) {}

  /** Looks every token of an article up once: one cache read per token in the common case. */
  lookUp(doc: TokenizedText): ArticleTokens {
    const ids = new Int32Array(doc.count);
    const infos: TokenInfo[] = new Array<TokenInfo>(doc.count);
    const cache = this.tokenCache;
    // Locals rather than property reads: this loop runs once per token of every article.
    const { text, starts, ends, dense, count } = doc;
    const denseChars = this.denseChars;
    for (let t = 0; t < count; t++) {
      let info: TokenInfo | undefined;
      const start = starts[t] ?? 0;
      if (dense[t] === 1) {
        const code = text.charCodeAt(start);
        info = denseChars[code];
        if (info === undefined) {
          info = this.describe(text.slice(start, ends[t]));
          denseChars[code] = info;
        }
      } else {
        const end = ends[t] ?? start;
        info = cache.find(text, start, end);
        if (info === undefined) {
          const raw = text.slice(start, end);
          info = this.describe(raw);
          cache.insert(raw, info);
        }
      }
      ids[t] = info.id;
      infos[t] = info;
    }
    return { ids, infos };
  }

  private describe(raw: string): TokenInfo {
    const { primary, key } = this.normalizer.normalize(raw);
    return { primary, key, id: this.vocabulary.get(key) ?? 0, phrases: undefined };
  }
}

/**
 * Builds the index. Accounts are taken as already validated; rules are the built-in ones plus every
 * `*.json` in `extraRulesDir` (throws RuleFileError naming the file and field on a bad one).
 */
export function buildMatchIndex(accounts: DirectoryAccount[], opts: { extraRulesDir?: string } = {}): MatchIndex {
  const ruleFiles = [...builtInRuleFiles(), ...(opts.extraRulesDir ? loadRuleDirectory(opts.extraRulesDir) : [])];
  const rules = compileRules(ruleFiles);
  const builder = new IndexBuilder(rules);
  for (let i = 0; i < accounts.length; i++) {
    const account = accounts[i];
    if (account) builder.addAccount(account, i);
  }
  return builder.finish(accounts);
}

class IndexBuilder {
  private readonly vocabulary = new Map<string, number>();
  private readonly automaton = new TokenAutomatonBuilder();
  private readonly drafts: EntryDraft[] = [];
  private readonly normalizer = new TokenNormalizer();
  /** (pattern, contact, keyword?) triples claimed by the account being added: a handful, so a flat list. */
  private readonly claimed: number[] = [];
  /**
   * Keys and ids already looked up for the account being added. Its name, short name and aliases
   * repeat the same words, and a dozen string comparisons beat a probe into a vocabulary of
   * 100,000s of words, which misses the CPU cache.
   */
  private readonly recentKeys: string[] = [];
  private readonly recentIds: number[] = [];
  /**
   * First words of the common-word phrases. Few names start with one, so the joined-key lookup
   * (a string built per pattern) is skipped for almost all of the 100,000s of patterns.
   */
  private readonly commonFirstKeys = new Set<string>();

  constructor(private readonly rules: RuleSet) {
    for (const phrase of rules.commonWords) this.commonFirstKeys.add(phrase.split(' ')[0] ?? '');
  }

  addAccount(account: DirectoryAccount, index: number): void {
    this.claimed.length = 0;
    this.recentKeys.length = 0;
    this.recentIds.length = 0;
    this.addName(account.name, index, 'name');
    for (const alias of account.aliases) this.addName(alias, index, 'alias');
    const domain = account.domain?.trim().toLowerCase().replace(/^[a-z]+:\/\//, '').replace(/^www\./, '').split('/')[0];
    if (domain) this.add(phraseTokens(domain, this.normalizer), index, -1, 'domain');
    for (let c = 0; c < account.contacts.length; c++) {
      const contact = account.contacts[c];
      if (!contact) continue;
      this.add(phraseTokens(contact.name, this.normalizer), index, c, 'contact');
      for (const alias of contact.aliases) this.add(phraseTokens(alias, this.normalizer), index, c, 'contact');
    }
    for (const keyword of account.keywords) this.add(phraseTokens(keyword, this.normalizer), index, -1, 'keyword');
  }

  private addName(text: string, account: number, role: 'name' | 'alias'): void {
    const tokens = phraseTokens(text, this.normalizer);
    this.add(tokens, account, -1, role);
    const short = this.withoutDesignators(tokens);
    if (short) this.add(short, account, -1, 'short_name');
  }

  finish(accounts: readonly DirectoryAccount[]): MatchIndex {
    const automaton = this.automaton.build();
    const entries = PatternEntries.build(this.drafts, automaton.stateCount);
    return new MatchIndex(accounts, this.rules, automaton, entries, this.vocabulary);
  }

  private add(tokens: PhraseTokens, account: number, contact: number, role: MentionRole): void {
    if (tokens.keys.length === 0) return;
    const ids: number[] = [];
    for (const key of tokens.keys) ids.push(this.tokenId(key));
    const pattern = this.automaton.add(ids);
    // The same words reached twice for one account or contact (name "Acme", alias "ACME"): keep the first.
    const keyword = role === 'keyword' ? 1 : 0;
    const claimed = this.claimed;
    for (let i = 0; i < claimed.length; i += 3) {
      if (claimed[i] === pattern && claimed[i + 1] === contact && claimed[i + 2] === keyword) return;
    }
    claimed.push(pattern, contact, keyword);
    this.drafts.push(this.draft(tokens, pattern, account, contact, role));
  }

  private draft(tokens: PhraseTokens, pattern: number, account: number, contact: number, role: MentionRole): EntryDraft {
    const letters = countLetters(tokens);
    let latin = true;
    for (const s of tokens.surfaces) latin &&= isLatinWord(s);
    const surface = tokens.surfaces[0] ?? '';
    const acronym = latin && tokens.keys.length === 1 && letters === 3 && surface === surface.toUpperCase();
    const common = this.commonFirstKeys.has(tokens.keys[0] ?? '') && this.rules.commonWords.has(tokens.keys.join(' '));
    const short = letters <= 2 || (latin && letters <= 3) || isAllDigits(tokens.keys);
    const ambiguous = role !== 'domain' && (common || (short && !acronym));
    let weight: number;
    if (role === 'keyword') weight = KEYWORD_WEIGHT;
    else if (role === 'contact') weight = CONTACT_WEIGHT;
    else if (role === 'domain') weight = DOMAIN_WEIGHT;
    else if (ambiguous) weight = AMBIGUOUS_ALIAS_WEIGHT;
    else weight = aliasSpecificity(letters, tokens.words) * (role === 'short_name' ? SHORT_NAME_FACTOR : 1);
    const distinctive = role === 'contact' && !common && tokens.words >= 2 && letters >= DISTINCTIVE_NAME_LETTERS;
    const capitalised = latin && hasCapital(tokens.surfaces);
    return {
      pattern,
      account,
      contact,
      role,
      weight,
      flags: (ambiguous ? AMBIGUOUS : 0) | (capitalised ? CAPITALISED : 0) | (acronym ? ACRONYM : 0) | (distinctive ? DISTINCTIVE : 0),
      primaries: hasDiacritics(tokens) ? tokens.primaries : null,
    };
  }

  /** The name without leading/trailing legal-form words, or null when nothing (or too much) was stripped. */
  private withoutDesignators(tokens: PhraseTokens): PhraseTokens | null {
    const { byFirstKey, byLastKey } = this.rules.designators;
    let from = 0;
    let to = tokens.keys.length;
    for (let changed = true; changed; ) {
      changed = false;
      const leading = designatorAt(byFirstKey.get(tokens.keys[from] ?? ''), tokens.keys, from, to - from, 0);
      if (leading > 0) {
        from += leading;
        changed = true;
      }
      const trailing = designatorAt(byLastKey.get(tokens.keys[to - 1] ?? ''), tokens.keys, from, to - from, 1);
      if (trailing > 0) {
        to -= trailing;
        changed = true;
      }
    }
    if (from === 0 && to === tokens.keys.length) return null;
    const short: PhraseTokens = {
      keys: tokens.keys.slice(from, to),
      primaries: tokens.primaries.slice(from, to),
      surfaces: tokens.surfaces.slice(from, to),
      dense: tokens.dense,
      words: tokens.dense ? 1 : to - from,
    };
    return countLetters(short) >= MIN_SHORT_NAME_LETTERS ? short : null;
  }

  private tokenId(key: string): number {
    const recent = this.recentKeys;
    for (let i = 0; i < recent.length; i++) if (recent[i] === key) return this.recentIds[i] ?? 0;
    let id = this.vocabulary.get(key);
    if (id === undefined) {
      id = this.vocabulary.size + 1;
      this.vocabulary.set(key, id);
    }
    recent.push(key);
    this.recentIds.push(id);
    return id;
  }
}

/**
 * Length of the longest designator (candidates are longest first) found at the start (`atEnd` 0)
 * or the end (1) of keys[from, from + length), leaving at least one key; 0 when none fits.
 */
function designatorAt(candidates: readonly string[][] | undefined, keys: readonly string[], from: number, length: number, atEnd: 0 | 1): number {
  for (const designator of candidates ?? []) {
    if (designator.length >= length) continue;
    const at = atEnd === 1 ? from + length - designator.length : from;
    let fits = true;
    for (let i = 0; i < designator.length && fits; i++) fits = keys[at + i] === designator[i];
    if (fits) return designator.length;
  }
  return 0;
}

function countLetters(tokens: PhraseTokens): number {
  let letters = 0;
  for (const key of tokens.keys) letters += key.length;
  return letters;
}
