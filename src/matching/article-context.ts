import { classifySpan, UNCLASSIFIED, type Classification, type TokenForms } from './classify-span.js';
import type { Mention } from './collect-mentions.js';
import type { MatchIndex } from './match-index.js';
import type { NormalizedToken } from './normalize-token.js';
import type { IdentifiedAccount } from './resolve-accounts.js';
import { NO_CANDIDATES, type LanguageRules, type PhraseCandidates } from './rule-set.js';
import { HEADLINE_FACTOR, NEIGHBOUR_SENTENCE_FACTOR } from './score-confidence.js';
import { SentenceLocator } from './sentence-locator.js';
import { IS_WHITESPACE, type SentenceSpan } from './split-sentences.js';
import type { ArticleScanner } from './scan-article.js';
import type { TokenizedText } from './tokenize-text.js';
import { languagesOfScripts, scriptsIn } from './written-languages.js';

const EVIDENCE_MAX_CHARS = 500;
const NO_FORM: NormalizedToken = { primary: '', key: '' };

/** What one mention of an account says about it, and where that was read. */
export interface Reading {
  classification: Classification;
  factor: number;
  /** The sentence naming the account. */
  sentence: SentenceSpan;
  /** The sentence the classification came from: the same one, a neighbour, or the headline. */
  source: SentenceSpan;
  mention: Mention;
}

/** No account, or several: see SentenceFacts.owner. */
const NO_OWNER = -1;
const SEVERAL_OWNERS = -2;

/** What was found out about one sentence, so that no question about it is answered twice. */
class SentenceFacts {
  /** The one account the sentence names, NO_OWNER, or SEVERAL_OWNERS. */
  owner = NO_OWNER;
  classification: Classification | null = null;
  /** The neighbouring sentences: undefined until asked, null when there is none. */
  next: SentenceSpan | null | undefined = undefined;
  previous: SentenceSpan | null | undefined = undefined;

  constructor(readonly span: SentenceSpan) {}
}

/**
 * What findSignals needs to know about the sentences of one article that names an account. Only
 * the sentences naming an account, their neighbours and the headline are ever cut or classified;
 * each is known by its start offset, and what is found out about it is kept in one record.
 */
export class ArticleContext implements TokenForms {
  private readonly doc: TokenizedText;
  private readonly sentences: SentenceLocator;
  /** Facts about the sentences asked about, by sentence start. */
  private readonly facts = new Map<number, SentenceFacts>();
  /** The sentence of each mention's first token, by token. */
  private readonly sentenceAtToken = new Map<number, SentenceSpan>();
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
    addBaseLanguage(this.locales, language);
    for (const found of identified) addBaseLanguage(this.locales, index.accounts[found.account]?.locale);
    for (const found of identified) {
      for (const mention of found.mentions) {
        const facts = this.factsOf(this.sentenceOf(mention.first));
        if (facts.owner === NO_OWNER) facts.owner = found.account;
        else if (facts.owner !== found.account) facts.owner = SEVERAL_OWNERS;
      }
    }
  }

  /** The strongest reading of each mention of the account, as listed; none when every sentence disclaims it. */
  readingsOf(found: IdentifiedAccount): Reading[] {
    const readings: Reading[] = [];
    for (const mention of found.mentions) {
      const reading = this.read(found, mention);
      if (reading) readings.push(reading);
    }
    return readings;
  }

  /** The mentioned contact closest to the evidence sentence, or null. */
  contactNear(found: IdentifiedAccount, sentence: SentenceSpan): number | null {
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
  evidence(reading: Reading): string {
    const own = this.sentenceText(reading.sentence, reading.mention);
    if (reading.source.start === reading.sentence.start) return own;
    const source = this.sentenceText(reading.source, null);
    return reading.source.start < reading.sentence.start ? `${source} ${own}` : `${own} ${source}`;
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

  /**
   * What the sentence around one mention says. When it says nothing, a neighbouring sentence or the
   * headline may, provided it does not name another account (whose news it would then be).
   */
  private read(found: IdentifiedAccount, mention: Mention): Reading | null {
    const own = this.sentenceOf(mention.first);
    const ownFacts = this.factsOf(own);
    const direct = this.classify(ownFacts, own);
    if (direct.disclaimed) return null;
    const reading = { classification: direct, factor: 1, sentence: own, source: own, mention };
    if (direct !== UNCLASSIFIED) return reading;
    // Tried in this order, each only if the one before said nothing.
    for (const which of FALLBACK_SIDES) {
      const factor = which === 'headline' ? HEADLINE_FACTOR : NEIGHBOUR_SENTENCE_FACTOR;
      const sentence = which === 'headline' ? this.headlineFor(own) : this.neighbourOf(ownFacts, own, which);
      if (sentence === null) continue;
      const facts = this.factsOf(sentence);
      if (facts.owner !== NO_OWNER && facts.owner !== found.account) continue; // names another account
      const classification = this.classify(facts, sentence);
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

  /** The sentence next to `span` (whose facts these are), found once. */
  private neighbourOf(facts: SentenceFacts, span: SentenceSpan, side: 'next' | 'previous'): SentenceSpan | null {
    if (side === 'next') {
      if (facts.next === undefined) facts.next = this.sentences.next(span);
      return facts.next;
    }
    if (facts.previous === undefined) facts.previous = this.sentences.previous(span);
    return facts.previous;
  }

  /** What `span` (whose facts these are) says, found once. */
  private classify(facts: SentenceFacts, span: SentenceSpan): Classification {
    if (facts.classification === null) {
      const from = this.doc.firstTokenAtOrAfter(span.start);
      const to = this.doc.firstTokenAtOrAfter(span.end);
      facts.classification = classifySpan(this.doc, from, to, this.rulesFor(span), this);
    }
    return facts.classification;
  }

  /** The facts of the sentence starting where `span` does: the splitter may cut a sentence twice (see SentenceLocator). */
  private factsOf(span: SentenceSpan): SentenceFacts {
    let facts = this.facts.get(span.start);
    if (!facts) {
      facts = new SentenceFacts(span);
      this.facts.set(span.start, facts);
    }
    return facts;
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
      for (const language of languagesOfScripts(scripts)) this.addRules(rules, language);
      for (const locale of this.locales) this.addRules(rules, locale);
      this.rulesByScripts.set(scripts, rules);
    }
    return rules;
  }

  private addRules(rules: Set<LanguageRules>, tag: string): void {
    const found = this.index.rules.languages.get(tag);
    if (found) rules.add(found);
  }

  private sentenceOf(token: number): SentenceSpan {
    let sentence = this.sentenceAtToken.get(token);
    if (!sentence) {
      sentence = this.sentences.at(this.doc.starts[token] ?? 0);
      this.sentenceAtToken.set(token, sentence);
    }
    return sentence;
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

/** Where a plain mention looks for what happened, in order; a neighbour counts NEIGHBOUR_SENTENCE_FACTOR, the headline HEADLINE_FACTOR. */
const FALLBACK_SIDES: readonly ('next' | 'previous' | 'headline')[] = ['next', 'previous', 'headline'];

/** Adds the base language of a tag ("pt" for "pt-BR" or "PT_br"), if there is one. */
function addBaseLanguage(locales: Set<string>, tag: string | null | undefined): void {
  if (!tag) return;
  // What `split(/[-_]/)[0]` gives, without a regex and an array per account and article.
  let end = 0;
  while (end < tag.length && tag.charCodeAt(end) !== 0x2d && tag.charCodeAt(end) !== 0x5f) end++;
  const base = tag.slice(0, end).toLowerCase();
  if (base) locales.add(base);
}

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
