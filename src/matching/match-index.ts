import type { DirectoryAccount } from './account-directory.js';
import { TokenNormalizer, type NormalizedToken } from './normalize-token.js';
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
import { TokenAutomatonBuilder, type TokenAutomaton } from './token-automaton.js';
import type { TokenizedText } from './tokenize-text.js';

// Cleared when full: article vocabularies are Zipfian, so a bounded cache keeps almost every hit.
const TOKEN_CACHE_LIMIT = 200_000;
const DISTINCTIVE_NAME_LETTERS = 10;
/** A short name shorter than this ("X" from "X Corp") would match everywhere; keep the full name only. */
const MIN_SHORT_NAME_LETTERS = 3;
const LATIN_WORD = /^[\p{Script=Latin}\p{N}]+$/u;
const DIGITS = /^\p{N}+$/u;

/**
 * Everything needed to find accounts in articles: one token automaton over every name, alias,
 * domain, contact name and keyword of every account, plus the classification rules.
 */
export class MatchIndex {
  private readonly tokenIdCache = new Map<string, number>();
  /** Ids of single dense-script characters by char code; -1 until first seen. */
  private readonly denseCharIds = new Int32Array(0x10000).fill(-1);
  private readonly normalizer = new TokenNormalizer();

  constructor(
    readonly accounts: readonly DirectoryAccount[],
    readonly rules: RuleSet,
    readonly automaton: TokenAutomaton,
    readonly entries: PatternEntries,
    private readonly vocabulary: ReadonlyMap<string, number>,
  ) {}

  /** Automaton token ids for a tokenised article; 0 for words that appear in no pattern. */
  tokenIds(doc: TokenizedText): Int32Array {
    const ids = new Int32Array(doc.count);
    const cache = this.tokenIdCache;
    for (let t = 0; t < doc.count; t++) {
      if (doc.dense[t] === 1) {
        const code = doc.text.charCodeAt(doc.starts[t] ?? 0);
        let id = this.denseCharIds[code] ?? 0;
        if (id < 0) {
          id = this.vocabulary.get(this.normalizer.normalize(doc.raw(t)).key) ?? 0;
          this.denseCharIds[code] = id;
        }
        ids[t] = id;
        continue;
      }
      const raw = doc.raw(t);
      let id = cache.get(raw);
      if (id === undefined) {
        id = this.vocabulary.get(this.normalizer.normalize(raw).key) ?? 0;
        if (cache.size >= TOKEN_CACHE_LIMIT) cache.clear();
        cache.set(raw, id);
      }
      ids[t] = id;
    }
    return ids;
  }

  /** Primary form and match key of one article token. */
  normalize(doc: TokenizedText, token: number): NormalizedToken {
    return this.normalizer.normalize(doc.raw(token));
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
  accounts.forEach((account, i) => builder.addAccount(account, i));
  return builder.finish(accounts);
}

class IndexBuilder {
  private readonly vocabulary = new Map<string, number>();
  private readonly automaton = new TokenAutomatonBuilder();
  private readonly drafts: EntryDraft[] = [];
  private readonly normalizer = new TokenNormalizer(1_000_000);
  /** Patterns already claimed by the account being added, to keep one claim per pattern and person. */
  private readonly claimed = new Set<string>();

  constructor(private readonly rules: RuleSet) {}

  addAccount(account: DirectoryAccount, index: number): void {
    this.claimed.clear();
    for (const [role, text] of [['name', account.name] as const, ...account.aliases.map((a) => ['alias', a] as const)]) {
      const tokens = phraseTokens(text, this.normalizer);
      this.add(tokens, index, -1, role);
      const short = this.withoutDesignators(tokens);
      if (short) this.add(short, index, -1, 'short_name');
    }
    const domain = account.domain?.trim().toLowerCase().replace(/^[a-z]+:\/\//, '').replace(/^www\./, '').split('/')[0];
    if (domain) this.add(phraseTokens(domain, this.normalizer), index, -1, 'domain');
    account.contacts.forEach((contact, c) => {
      for (const name of [contact.name, ...contact.aliases]) this.add(phraseTokens(name, this.normalizer), index, c, 'contact');
    });
    for (const keyword of account.keywords) this.add(phraseTokens(keyword, this.normalizer), index, -1, 'keyword');
  }

  finish(accounts: readonly DirectoryAccount[]): MatchIndex {
    const automaton = this.automaton.build();
    const entries = PatternEntries.build(this.drafts, automaton.stateCount);
    return new MatchIndex(accounts, this.rules, automaton, entries, this.vocabulary);
  }

  private add(tokens: PhraseTokens, account: number, contact: number, role: MentionRole): void {
    if (tokens.keys.length === 0) return;
    const pattern = this.automaton.add(tokens.keys.map((key) => this.tokenId(key)));
    // The same words reached twice for one account or contact (name "Acme", alias "ACME"): keep the first.
    const claim = `${pattern}/${contact}/${role === 'keyword'}`;
    if (this.claimed.has(claim)) return;
    this.claimed.add(claim);
    this.drafts.push(this.draft(tokens, pattern, account, contact, role));
  }

  private draft(tokens: PhraseTokens, pattern: number, account: number, contact: number, role: MentionRole): EntryDraft {
    const letters = countLetters(tokens);
    const latin = tokens.surfaces.every((s) => LATIN_WORD.test(s));
    const surface = tokens.surfaces[0] ?? '';
    const acronym = latin && tokens.keys.length === 1 && letters === 3 && surface === surface.toUpperCase();
    const common = this.rules.commonWords.has(tokens.keys.join(' '));
    const short = letters <= 2 || (latin && letters <= 3) || tokens.keys.every((key) => DIGITS.test(key));
    const ambiguous = role !== 'domain' && (common || (short && !acronym));
    let weight: number;
    if (role === 'keyword') weight = KEYWORD_WEIGHT;
    else if (role === 'contact') weight = CONTACT_WEIGHT;
    else if (role === 'domain') weight = DOMAIN_WEIGHT;
    else if (ambiguous) weight = AMBIGUOUS_ALIAS_WEIGHT;
    else weight = aliasSpecificity(letters, tokens.words) * (role === 'short_name' ? SHORT_NAME_FACTOR : 1);
    const distinctive = role === 'contact' && !common && tokens.words >= 2 && letters >= DISTINCTIVE_NAME_LETTERS;
    const capitalised = latin && tokens.surfaces.some((s) => s !== s.toLowerCase());
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
    const fits = (designator: readonly string[], at: number): boolean => designator.every((key, i) => tokens.keys[at + i] === key);
    for (let changed = true; changed; ) {
      changed = false;
      const leading = (byFirstKey.get(tokens.keys[from] ?? '') ?? []).find((d) => to - from > d.length && fits(d, from));
      if (leading) {
        from += leading.length;
        changed = true;
      }
      const trailing = (byLastKey.get(tokens.keys[to - 1] ?? '') ?? []).find((d) => to - from > d.length && fits(d, to - d.length));
      if (trailing) {
        to -= trailing.length;
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
    let id = this.vocabulary.get(key);
    if (id === undefined) {
      id = this.vocabulary.size + 1;
      this.vocabulary.set(key, id);
    }
    return id;
  }
}

function countLetters(tokens: PhraseTokens): number {
  let letters = 0;
  for (const key of tokens.keys) letters += key.length;
  return letters;
}
