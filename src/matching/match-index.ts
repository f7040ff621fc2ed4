import type { DirectoryAccount } from './account-directory.js';
import { TokenNormalizer } from './normalize-token.js';
import { ACRONYM, AMBIGUOUS, CAPITALISED, DISTINCTIVE, EntryDrafts, PatternEntries, TICKER, type EntryDraft, type MentionRole } from './pattern-entries.js';
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
import { hasCapital, isAllDigits, isLatinWord, isTickerWord } from './name-shape.js';
import { ArticleScanner } from './scan-article.js';
import { TokenAutomatonBuilder, type TokenAutomaton } from './token-automaton.js';
import { TokenIds } from './token-ids.js';
import { TokenVocabulary } from './token-vocabulary.js';

const DISTINCTIVE_NAME_LETTERS = 10;
/** A short name shorter than this ("X" from "X Corp") would match everywhere; keep the full name only. */
const MIN_SHORT_NAME_LETTERS = 3;

/**
 * Everything needed to find accounts in articles: one token automaton over every name, alias,
 * domain, contact name and keyword of every account, plus the classification rules.
 */
export class MatchIndex {
  private readonly scanner: ArticleScanner;

  constructor(
    readonly accounts: readonly DirectoryAccount[],
    readonly rules: RuleSet,
    readonly automaton: TokenAutomaton,
    readonly entries: PatternEntries,
    vocabulary: TokenIds,
    tickerOnly: Uint8Array,
  ) {
    this.scanner = new ArticleScanner(new TokenVocabulary(vocabulary, tickerOnly), automaton);
  }

  /**
   * Tokens, token infos and automaton hits of `text`, read in one pass. The result is the index's
   * one scanner: it is valid until the next call (see ArticleScanner).
   */
  scan(text: string): ArticleScanner {
    return this.scanner.scan(text);
  }
}

/**
 * Builds the index. Accounts are taken as already validated; rules are the built-in ones plus every
 * `*.json` in `extraRulesDir` (throws RuleFileError naming the file and field on a bad one).
 */
export function buildMatchIndex(accounts: DirectoryAccount[], opts: { extraRulesDir?: string } = {}): MatchIndex {
  const builder = new IndexBuilder(loadRules(opts));
  for (let i = 0; i < accounts.length; i++) {
    const account = accounts[i];
    if (account) builder.addAccount(account, i);
  }
  return builder.finish(accounts);
}

/** Accounts added between two looks at the clock: a few hundred microseconds of work. */
const ACCOUNTS_PER_CLOCK_CHECK = 64;

export interface SliceOptions {
  /** Work this long, then let the event loop run (default 20 ms). */
  sliceMs?: number;
  /** How to let it run (default: until the next setImmediate); tests count the calls. */
  yieldToLoop?: () => Promise<void>;
}

/**
 * The same index as buildMatchIndex, for a process that serves other work meanwhile (the API, the
 * email lanes): accounts are added in slices of about `sliceMs`, and between two slices the event
 * loop runs whatever is waiting. Built in one go, 100,000 accounts held every request and every send
 * of the process for ~3 s each time an account changed. What is left unsliced is building the automaton
 * and then its entries from all accounts at once (~0.2 s and ~0.3 s at 100,000 on the benchmark's machine).
 */
export async function buildMatchIndexInSlices(accounts: DirectoryAccount[], opts: { extraRulesDir?: string } & SliceOptions = {}): Promise<MatchIndex> {
  const { sliceMs = 20, yieldToLoop = () => new Promise<void>((resolve) => setImmediate(resolve)) } = opts;
  const builder = new IndexBuilder(loadRules(opts));
  let sliceStart = performance.now();
  for (let i = 0; i < accounts.length; i++) {
    const account = accounts[i];
    if (account) builder.addAccount(account, i);
    if (i % ACCOUNTS_PER_CLOCK_CHECK === ACCOUNTS_PER_CLOCK_CHECK - 1 && performance.now() - sliceStart >= sliceMs) {
      await yieldToLoop();
      sliceStart = performance.now();
    }
  }
  await yieldToLoop();
  const automaton = builder.buildAutomaton();
  await yieldToLoop();
  return builder.finishWith(automaton, accounts);
}

function loadRules(opts: { extraRulesDir?: string | undefined }): RuleSet {
  return compileRules([...builtInRuleFiles(), ...(opts.extraRulesDir ? loadRuleDirectory(opts.extraRulesDir) : [])]);
}

class IndexBuilder {
  private readonly vocabulary = new TokenIds();
  /** By token id: 1 while every pattern using the word is a ticker (see add), else 0. */
  private readonly tickerOnly: number[] = [0];
  private readonly automaton = new TokenAutomatonBuilder();
  private readonly drafts = new EntryDrafts();
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
    return this.finishWith(this.buildAutomaton(), accounts);
  }

  /** The first half of `finish`, which buildMatchIndexInSlices does apart from the second. */
  buildAutomaton(): TokenAutomaton {
    return this.automaton.build();
  }

  finishWith(automaton: TokenAutomaton, accounts: readonly DirectoryAccount[]): MatchIndex {
    const entries = PatternEntries.build(this.drafts, automaton.stateCount);
    return new MatchIndex(accounts, this.rules, automaton, entries, this.vocabulary, Uint8Array.from(this.tickerOnly));
  }

  private add(tokens: PhraseTokens, account: number, contact: number, role: MentionRole): void {
    if (tokens.keys.length === 0) return;
    const ids: number[] = [];
    for (const key of tokens.keys) ids.push(this.tokenId(key));
    const pattern = this.automaton.add(ids);
    // A ticker or abbreviation (isTickerWord: one word of 2–6 ASCII capitals and digits, as an
    // account's name, alias or short name) is spelled exactly: "CHUA" names the company in "CHUA
    // rose" or "Chua rose", but "chưa" (not yet) only folds to it. So a ticker does not match an
    // article word that had diacritics or đ folded away; other names match with and without them.
    // Rejected where the article's word is looked up when the word is in tickers only (see
    // TokenVocabulary), else when the mention is checked (TICKER in collect-mentions.ts).
    const ticker = (role === 'name' || role === 'alias' || role === 'short_name') && isTickerWord(tokens.surfaces);
    if (!ticker) for (const id of ids) this.tickerOnly[id] = 0;
    // The same words reached twice for one account or contact (name "Acme", alias "ACME"): keep the first.
    const keyword = role === 'keyword' ? 1 : 0;
    const claimed = this.claimed;
    for (let i = 0; i < claimed.length; i += 3) {
      if (claimed[i] === pattern && claimed[i + 1] === contact && claimed[i + 2] === keyword) return;
    }
    claimed.push(pattern, contact, keyword);
    this.drafts.add(this.draft(tokens, pattern, account, contact, role, ticker));
  }

  private draft(tokens: PhraseTokens, pattern: number, account: number, contact: number, role: MentionRole, ticker: boolean): EntryDraft {
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
      flags: (ambiguous ? AMBIGUOUS : 0) | (capitalised ? CAPITALISED : 0) | (acronym ? ACRONYM : 0) | (distinctive ? DISTINCTIVE : 0) | (ticker ? TICKER : 0),
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
    if (id === 0) {
      id = this.vocabulary.add(key);
      this.tickerOnly[id] = 1;
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
  if (!candidates) return 0;
  for (let c = 0; c < candidates.length; c++) {
    const designator = candidates[c];
    if (!designator || designator.length >= length) continue;
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
