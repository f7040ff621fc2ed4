import { classifySpan, UNCLASSIFIED, type Classification, type TokenForms } from './classify-span.js';
import { collectMentions, type Mention } from './collect-mentions.js';
import type { MatchIndex, TokenInfo } from './match-index.js';
import { ARABIC_SCRIPT_CHAR, LATIN_LETTER, THAI_CHAR, VIETNAMESE_LETTER, type NormalizedToken } from './normalize-token.js';
import type { CompiledPhrase } from './rule-set.js';
import { resolveAccounts, type IdentifiedAccount } from './resolve-accounts.js';
import type { LanguageRules } from './rule-set.js';
import { HEADLINE_FACTOR, NEIGHBOUR_SENTENCE_FACTOR, signalConfidence, UNCLASSIFIED_STRENGTH } from './score-confidence.js';
import type { Polarity, SignalKind } from './signal-kinds.js';
import { sentenceAt, splitSentences, type SentenceSpan } from './split-sentences.js';
import { TokenizedText } from './tokenize-text.js';

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
  const text = title === '' ? article.text : `${title}\n\n${article.text}`;
  const doc = new TokenizedText(text);
  const tokens = index.lookUp(doc);
  const identified = resolveAccounts(collectMentions(index, doc, tokens));
  if (identified.length === 0) return [];
  const context = new ArticleContext(index, doc, tokens.infos, title.length, article.language ?? null, identified);
  const signals = identified.flatMap((found) => context.signalFor(found, article.id) ?? []);
  return signals.sort((a, b) => b.confidence - a.confidence || a.accountId.localeCompare(b.accountId));
}

interface Reading {
  classification: Classification;
  factor: number;
  /** The sentence naming the account. */
  sentence: number;
  /** The sentence the classification came from: the same one, a neighbour, or the headline. */
  source: number;
  mention: Mention;
}

class ArticleContext implements TokenForms {
  private readonly sentences: SentenceSpan[];
  private readonly sentenceOwners: Map<number, Set<number>>;
  private readonly classified: (Classification | undefined)[] = [];
  /** Base language codes of the article and of every account it names. */
  private readonly locales = new Set<string>();

  constructor(
    private readonly index: MatchIndex,
    private readonly doc: TokenizedText,
    private readonly infos: readonly TokenInfo[],
    private readonly titleLength: number,
    language: string | null,
    identified: readonly IdentifiedAccount[],
  ) {
    this.sentences = splitSentences(doc.text);
    this.sentenceOwners = new Map();
    for (const tag of [language, ...identified.map((found) => index.accounts[found.account]?.locale)]) {
      const base = tag?.toLowerCase().split(/[-_]/)[0];
      if (base) this.locales.add(base);
    }
    for (const found of identified) {
      for (const mention of found.mentions) {
        const sentence = this.sentenceOf(mention.first);
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
    const readings = found.mentions.flatMap((mention) => this.read(found, mention) ?? []);
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
    const fallbacks: [number, number][] = [[own + 1, NEIGHBOUR_SENTENCE_FACTOR], [own - 1, NEIGHBOUR_SENTENCE_FACTOR]];
    if ((this.sentences[own]?.start ?? 0) >= this.titleLength) fallbacks.push([0, HEADLINE_FACTOR]);
    for (const [sentence, factor] of fallbacks) {
      if (sentence < 0 || sentence >= this.sentences.length || !this.onlyAbout(sentence, found.account)) continue;
      if (factor === HEADLINE_FACTOR && (this.sentences[sentence]?.start ?? 0) >= this.titleLength) continue;
      const classification = this.classify(sentence);
      if (classification !== UNCLASSIFIED && !classification.disclaimed) return { classification, factor, sentence: own, source: sentence, mention };
    }
    return reading;
  }

  private classify(sentence: number): Classification {
    let result = this.classified[sentence];
    if (!result) {
      const span = this.sentences[sentence];
      if (!span) return UNCLASSIFIED;
      const from = this.doc.firstTokenAtOrAfter(span.start);
      const to = this.doc.firstTokenAtOrAfter(span.end);
      result = classifySpan(this.doc, from, to, this.rulesFor(span), this);
      this.classified[sentence] = result;
    }
    return result;
  }

  /**
   * Rules of the languages the sentence is written in, the article's language and the locales of
   * the accounts it names (Vietnamese typed without diacritics looks like any Latin text). One set
   * per sentence, so each sentence is classified once however many accounts it names.
   */
  private rulesFor(span: SentenceSpan): Set<LanguageRules> {
    const text = this.doc.text.slice(span.start, span.end);
    const written: string[] = [];
    if (THAI_CHAR.test(text)) written.push('th');
    if (ARABIC_SCRIPT_CHAR.test(text)) written.push('fa', 'ar', 'ur');
    if (LATIN_LETTER.test(text)) written.push('en');
    if (VIETNAMESE_LETTER.test(text)) written.push('vi');
    const rules = new Set<LanguageRules>();
    for (const tag of [...written, ...this.locales]) {
      const found = this.index.rules.languages.get(tag);
      if (found) rules.add(found);
    }
    return rules;
  }

  formOf(token: number): NormalizedToken {
    return this.infos[token] ?? NO_FORM;
  }

  phrasesAt(token: number): readonly CompiledPhrase[] {
    const info = this.infos[token];
    if (!info) return [];
    info.phrases ??= this.index.rules.phrases.startingWith(info.key);
    return info.phrases;
  }

  private sentenceOf(token: number): number {
    return sentenceAt(this.sentences, this.doc.starts[token] ?? 0);
  }

  private onlyAbout(sentence: number, account: number): boolean {
    const owners = this.sentenceOwners.get(sentence);
    return !owners || [...owners].every((owner) => owner === account);
  }

  /** The mentioned contact closest to the evidence sentence, or null. */
  private contactNear(found: IdentifiedAccount, sentence: number): number | null {
    let best: number | null = null;
    let bestDistance = Infinity;
    for (const mention of found.mentions) {
      if (mention.contact < 0) continue;
      const distance = Math.abs(this.sentenceOf(mention.first) - sentence);
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
    if (reading.source === reading.sentence) return own;
    const source = this.sentenceText(reading.source, null);
    return reading.source < reading.sentence ? `${source} ${own}` : `${own} ${source}`;
  }

  private sentenceText(sentence: number, mention: Mention | null): string {
    const span = this.sentences[sentence] ?? { start: 0, end: this.doc.text.length };
    let start = span.start;
    let end = span.end;
    if (end - start > EVIDENCE_MAX_CHARS) {
      // A run-on paragraph without punctuation: keep the window around the mention.
      const centre = mention ? (this.doc.starts[mention.first] ?? start) : start;
      start = Math.max(start, centre - EVIDENCE_MAX_CHARS / 2);
      end = Math.min(end, start + EVIDENCE_MAX_CHARS);
    }
    return this.doc.text.slice(start, end).replace(/\s+/g, ' ').trim();
  }
}

const RANK: Readonly<Record<Polarity, number>> = { negative: 2, positive: 1, neutral: 0 };

/** Negative before positive before neutral; a named kind before `other`; then the stronger reading. */
function pickStrongest(readings: readonly Reading[]): Reading | null {
  let best = readings[0] ?? null;
  if (!best) return null;
  for (const reading of readings.slice(1)) {
    const a = reading.classification;
    const b = best.classification;
    const byPolarity = RANK[a.polarity] - RANK[b.polarity];
    const byKind = Number(a.kind !== 'other') - Number(b.kind !== 'other');
    const byStrength = a.strength * reading.factor - b.strength * best.factor;
    if (byPolarity > 0 || (byPolarity === 0 && (byKind > 0 || (byKind === 0 && byStrength > 0)))) best = reading;
  }
  return best;
}
