import { ArticleContext, type Reading } from './article-context.js';
import { collectMentions } from './collect-mentions.js';
import type { MatchIndex } from './match-index.js';
import { resolveAccounts, type IdentifiedAccount } from './resolve-accounts.js';
import { signalConfidence, UNCLASSIFIED_STRENGTH } from './score-confidence.js';
import type { Polarity, SignalKind } from './signal-kinds.js';

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
    const signal = signalFor(index, context, found, article.id);
    if (signal) signals.push(signal);
  }
  return signals.sort(strongestFirst);
}

function strongestFirst(a: SignalCandidate, b: SignalCandidate): number {
  return b.confidence - a.confidence || a.accountId.localeCompare(b.accountId);
}

/** Null when every sentence naming the account disclaims it ("not related to Acme Corp"). */
function signalFor(index: MatchIndex, context: ArticleContext, found: IdentifiedAccount, articleId: string): SignalCandidate | null {
  const account = index.accounts[found.account];
  if (!account) throw new Error(`account index ${found.account} out of range`);
  const best = pickStrongest(context.readingsOf(found));
  if (!best) return null;
  const strength = best.classification.kind === 'other' && best.classification.strength === 0
    ? UNCLASSIFIED_STRENGTH
    : best.classification.strength * best.factor;
  const contact = context.contactNear(found, best.sentence);
  return {
    articleId,
    accountId: account.id,
    contactId: contact === null ? null : (account.contacts[contact]?.id ?? null),
    kind: best.classification.kind,
    polarity: best.classification.polarity,
    confidence: signalConfidence(found.identity, strength),
    evidence: context.evidence(best),
  };
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
