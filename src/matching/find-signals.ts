import { classifySpan, UNCLASSIFIED, type Classification, type TokenForms } from './classify-span.js';
import { collectMentions, type Mention } from './collect-mentions.js';
import type { MatchIndex } from './match-index.js';
import type { NormalizedToken } from './normalize-token.js';
import { languagesOfScripts, scriptsIn } from './written-languages.js';
import { NO_CANDIDATES, type PhraseCandidates } from './rule-set.js';
import { resolveAccounts, type IdentifiedAccount } from './resolve-accounts.js';
import type { LanguageRules } from './rule-set.js';
import { HEADLINE_FACTOR, NEIGHBOUR_SENTENCE_FACTOR, signalConfidence, UNCLASSIFIED_STRENGTH } from './score-confidence.js';
import type { Polarity, SignalKind } from './signal-kinds.js';
import { SentenceLocator } from './sentence-locator.js';
import { IS_WHITESPACE, type SentenceSpan } from './split-sentences.js';
import type { TokenizedText } from './tokenize-text.js';
import type { ArticleScanner } from './scan-article.js';

export interface ArticleInput {
  id: string;
  title: string;
  text: string;
  link?: string | null;
  language?: string | null;
}

export interface SignalCandidate {
  articleId: string;
  accountId: string;
  contactId: string | null;
  kind: SignalKind;
  polarity: Polarity;
  confidence: number;
  evidence: string;
}

const EVIDENCE_MAX_CHARS = 500;
const NO_FORM: NormalizedToken = { primary: '', key: '' };

/**
 * Finds the accounts an article is about and what happened to them: at most one signal per
 * account, the strongest. Bad news outranks good news across the whole article, as it does within
 * a sentence, so a recall is never reported as a product launch.
 */
export function findSignals(index: MatchIndex, article: ArticleInput): SignalCandidate[] {
  const title = article.title.trim();
  // The headline is a sentence of its own; a blank line keeps it from running into the body.
  // join, not `+`: it builds one flat string, where `+` builds a rope whose every charCodeAt in
  // the scan goes through an extra indirection.
  const text = title === '' ? article.text : [title, article.text].join('\n\n');
  const scan = index.scan(text);
  const identified = resolveAccounts(collectMentions(index, scan));
  if (identified.length === 0) return [];
  const context = new ArticleContext(index, scan, title.length, article.language ?? null, identified);
  // Plain loops here and below, no flatMap, spread or callbacks: this code runs a few times per
  // article, so V8 optimises it late, and until then every callback and iterator costs extra.
  const signals: SignalCandidate[] = [];
  for (const found of identified) {
    const signal = context.signalFor(found, article.id);
    if (signal) signals.push(signal);
  }
  return signals.sort((a, b) => b.confidence - a.confidence || a.accountId.localeCompare(b.accountId));
}

interface Reading {
  classification: Classification;
  factor: number;
  /** The sentence naming the account. */
  sentence: SentenceSpan;
  /** The sentence the classification came from: the same one, a neighbour, or the headline. */
  source: SentenceSpan;
  mention: Mention;
}

/**
 * What findSignals needs to know about the sentences of one article that names an account. Only
 * the sentences naming an account, their neighbours and the headline are ever cut or classified;
 * each is known by its start offset.
 */
class ArticleContext implements TokenForms {
  private readonly doc: TokenizedText;
  private readonly sentences: SentenceLocator;
  /** Accounts named in each sentence, by sentence start. */
  private readonly sentenceOwners = new Map<number, Set<number>>();
  private readonly classified = new Map<number, Classification>();
  /**
   * Answers already found, by token and by sentence start: an article naming accounts in every
   * paragraph asks about the same sentences and their neighbours over and over.
   */
  private readonly sentenceAtToken = new Map<number, SentenceSpan>();
  private readonly nextSentence = new Map<number, SentenceSpan | null>();
  private readonly previousSentence = new Map<number, SentenceSpan | null>();
  private headline: SentenceSpan | null | undefined;
  /** Rules by the scripts a sentence is written in (see scriptsIn). */
  private readonly rulesByScripts = new Map<number, Set<LanguageRules>>();
  /** Base language codes of the article and of every account it names. */
  private readonly locales = new Set<string>();

  constructor(
    private readonly index: MatchIndex,
    private readonly scan: ArticleScanner,
    private readonly titleLength: number,
    language: string | null,
    identified: readonly IdentifiedAccount[],
  ) {
    this.doc = scan.doc;
    this.sentences = new SentenceLocator(this.doc.text);
    // Plain loops, no spread or callbacks: with them this constructor, built once per article, was
    // compiled twice (a deopt) at ~30 ms each while a fresh worker's first articles waited.
    addBaseLanguage(this.locales, language);
    for (const found of identified) addBaseLanguage(this.locales, index.accounts[found.account]?.locale);
    for (const found of identified) {
      for (const mention of found.mentions) {
        const sentence = this.sentenceOf(mention.first).start;
        const owners = this.sentenceOwners.get(sentence) ?? new Set<number>();
        owners.add(found.account);
        this.sentenceOwners.set(sentence, owners);
      }
    }
  }

  /** Null when every sentence naming the account disclaims it ("not related to Acme Corp"). */
  signalFor(found: IdentifiedAccount, articleId: string): SignalCandidate | null {
    const account = this.index.accounts[found.account];
    if (!account) throw new Error(`account index ${found.account} out of range`);
    const readings: Reading[] = [];
    for (const mention of found.mentions) {
      const reading = this.read(found, mention);
      if (reading) readings.push(reading);
    }
    const best = pickStrongest(readings);
    if (!best) return null;
    const strength = best.classification.kind === 'other' && best.classification.strength === 0
      ? UNCLASSIFIED_STRENGTH
      : best.classification.strength * best.factor;
    const contact = this.contactNear(found, best.sentence);
    return {
      articleId,
      accountId: account.id,
      contactId: contact === null ? null : (account.contacts[contact]?.id ?? null),
      kind: best.classification.kind,
      polarity: best.classification.polarity,
      confidence: signalConfidence(found.identity, strength),
      evidence: this.evidence(best),
    };
  }

  /**
   * What the sentence around one mention says. When it says nothing, a neighbouring sentence or the
   * headline may, provided it does not name another account (whose news it would then be).
   */
  private read(found: IdentifiedAccount, mention: Mention): Reading | null {
    const own = this.sentenceOf(mention.first);
    const direct = this.classify(own);
    if (direct.disclaimed) return null;
    const reading = { classification: direct, factor: 1, sentence: own, source: own, mention };
    if (direct !== UNCLASSIFIED) return reading;
    // Tried in this order, each only if the one before said nothing.
    for (let f = 0; f < FALLBACKS.length; f++) {
      const which = FALLBACK_SIDES[f] ?? 'headline';
      const factor = FALLBACK_FACTORS[f] ?? HEADLINE_FACTOR;
      const sentence = which === 'headline' ? this.headlineFor(own) : this.neighbourOf(own, which);
      if (sentence === null || !this.onlyAbout(sentence, found.account)) continue;
      const classification = this.classify(sentence);
      if (classification !== UNCLASSIFIED && !classification.disclaimed) return { classification, factor, sentence: own, source: sentence, mention };
    }
    return reading;
  }

  /** The headline, for a sentence of the body; null for a sentence of the headline, or without one. */
  private headlineFor(own: SentenceSpan): SentenceSpan | null {
    if (own.start < this.titleLength) return null;
    if (this.headline === undefined) {
      const first = this.sentences.first();
      this.headline = first !== null && first.start < this.titleLength ? first : null;
    }
    return this.headline;
  }

  private neighbourOf(span: SentenceSpan, side: 'next' | 'previous'): SentenceSpan | null {
    const memo = side === 'next' ? this.nextSentence : this.previousSentence;
    let neighbour = memo.get(span.start);
    if (neighbour === undefined) {
      neighbour = side === 'next' ? this.sentences.next(span) : this.sentences.previous(span);
      memo.set(span.start, neighbour);
    }
    return neighbour;
  }

  private classify(span: SentenceSpan): Classification {
    let result = this.classified.get(span.start);
    if (!result) {
      const from = this.doc.firstTokenAtOrAfter(span.start);
      const to = this.doc.firstTokenAtOrAfter(span.end);
      result = classifySpan(this.doc, from, to, this.rulesFor(span), this);
      this.classified.set(span.start, result);
    }
    return result;
  }

  /**
   * Rules of the languages the sentence is written in, the article's language and the locales of
   * the accounts it names (Vietnamese typed without diacritics looks like any Latin text). One set
   * per sentence, so each sentence is classified once however many accounts it names.
   */
  private rulesFor(span: SentenceSpan): Set<LanguageRules> {
    const scripts = scriptsIn(this.doc.text, span.start, span.end);
    let rules = this.rulesByScripts.get(scripts);
    if (!rules) {
      rules = new Set<LanguageRules>();
      for (const tag of languagesOfScripts(scripts)) this.addRules(rules, tag);
      for (const tag of this.locales) this.addRules(rules, tag);
      this.rulesByScripts.set(scripts, rules);
    }
    return rules;
  }

  private addRules(rules: Set<LanguageRules>, tag: string): void {
    const found = this.index.rules.languages.get(tag);
    if (found) rules.add(found);
  }

  formOf(token: number): NormalizedToken {
    return token < this.doc.count ? this.scan.info(token) : NO_FORM;
  }

  phrasesAt(token: number): PhraseCandidates {
    if (token >= this.doc.count) return NO_CANDIDATES;
    const info = this.scan.info(token);
    info.phrases ??= this.index.rules.phrases.startingWith(info.key);
    return info.phrases;
  }

  private sentenceOf(token: number): SentenceSpan {
    let sentence = this.sentenceAtToken.get(token);
    if (sentence === undefined) {
      sentence = this.sentences.at(this.doc.starts[token] ?? 0);
      this.sentenceAtToken.set(token, sentence);
    }
    return sentence;
  }

  private onlyAbout(sentence: SentenceSpan, account: number): boolean {
    const owners = this.sentenceOwners.get(sentence.start);
    if (!owners) return true;
    for (const owner of owners) if (owner !== account) return false;
    return true;
  }

  /** The mentioned contact closest to the evidence sentence, or null. */
  private contactNear(found: IdentifiedAccount, sentence: SentenceSpan): number | null {
    let best: number | null = null;
    let bestDistance = Infinity;
    for (const mention of found.mentions) {
      if (mention.contact < 0) continue;
      const distance = this.sentences.distance(this.sentenceOf(mention.first), sentence);
      if (distance < bestDistance) {
        best = mention.contact;
        bestDistance = distance;
      }
    }
    return best;
  }

  /** The sentence naming the account, joined with the one that was classified when that differs. */
  private evidence(reading: Reading): string {
    const own = this.sentenceText(reading.sentence, reading.mention);
    if (reading.source.start === reading.sentence.start) return own;
    const source = this.sentenceText(reading.source, null);
    return reading.source.start < reading.sentence.start ? `${source} ${own}` : `${own} ${source}`;
  }

  private sentenceText(span: SentenceSpan, mention: Mention | null): string {
    let start = span.start;
    let end = span.end;
    if (end - start > EVIDENCE_MAX_CHARS) {
      // A run-on paragraph without punctuation: keep the window around the mention.
      const centre = mention ? (this.doc.starts[mention.first] ?? start) : start;
      start = Math.max(start, centre - EVIDENCE_MAX_CHARS / 2);
      end = Math.min(end, start + EVIDENCE_MAX_CHARS);
    }
    return collapseWhitespace(this.doc.text.slice(start, end));
  }
}

/** Adds the base language of a tag ("pt" for "pt-BR" or "PT_br"), if there is one. */
function addBaseLanguage(locales: Set<string>, tag: string | null | undefined): void {
  if (!tag) return;
  // What `split(/[-_]/)[0]` gives, without a regex and an array per account and article.
  let end = 0;
  while (end < tag.length && tag.charCodeAt(end) !== 0x2d && tag.charCodeAt(end) !== 0x5f) end++;
  const base = tag.slice(0, end).toLowerCase();
  if (base) locales.add(base);
}

/** Where a plain mention looks for what happened, and how much less sure that reading is. */
const FALLBACKS: readonly (readonly ['next' | 'previous' | 'headline', number])[] = [
  ['next', NEIGHBOUR_SENTENCE_FACTOR],
  ['previous', NEIGHBOUR_SENTENCE_FACTOR],
  ['headline', HEADLINE_FACTOR],
];
// The same, as two flat lists: read by index in `read`, without a tuple to take apart per fallback.
const FALLBACK_SIDES = FALLBACKS.map(([which]) => which);
const FALLBACK_FACTORS = FALLBACKS.map(([, factor]) => factor);

/**
 * The text with each run of whitespace made one space, and none at either end. Most sentences
 * already read so (single spaces, trimmed by the splitter): checking costs less than the regex.
 */
function collapseWhitespace(text: string): string {
  const last = text.length - 1;
  for (let i = 0; i <= last; i++) {
    if (IS_WHITESPACE[text.charCodeAt(i)] !== 1) continue;
    const single = text.charCodeAt(i) === 0x20 && i > 0 && i < last && IS_WHITESPACE[text.charCodeAt(i + 1)] !== 1;
    if (!single) return text.replace(/\s+/g, ' ').trim();
  }
  return text;
}

const RANK: Readonly<Record<Polarity, number>> = { negative: 2, positive: 1, neutral: 0 };

/** Negative before positive before neutral; a named kind before `other`; then the stronger reading. */
function pickStrongest(readings: readonly Reading[]): Reading | null {
  let best = readings[0] ?? null;
  if (!best) return null;
  for (let r = 1; r < readings.length; r++) {
    const reading = readings[r];
    if (!reading) continue;
    const a = reading.classification;
    const b = best.classification;
    const byPolarity = RANK[a.polarity] - RANK[b.polarity];
    const byKind = Number(a.kind !== 'other') - Number(b.kind !== 'other');
    const byStrength = a.strength * reading.factor - b.strength * best.factor;
    if (byPolarity > 0 || (byPolarity === 0 && (byKind > 0 || (byKind === 0 && byStrength > 0)))) best = reading;
  }
  return best;
}
