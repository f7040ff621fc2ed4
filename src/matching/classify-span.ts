import { diacriticsCompatible, type NormalizedToken } from './normalize-token.js';
import type { CompiledPhrase, LanguageRules, PhraseCandidates, RankedPhrase } from './rule-set.js';
import { polarityOfKind, type Polarity, type SignalKind } from './signal-kinds.js';
import type { TokenizedText } from './tokenize-text.js';

export interface Classification {
  kind: SignalKind;
  polarity: Polarity;
  /** 0–1: how sure the rules are; 0 when nothing fired. */
  strength: number;
  /** The sentence says it is not about the company it names ("not related to Acme Corp"). */
  disclaimed: boolean;
}

export const UNCLASSIFIED: Classification = { kind: 'other', polarity: 'neutral', strength: 0, disclaimed: false };
const DISCLAIMED: Classification = { ...UNCLASSIFIED, disclaimed: true };

interface PhraseHit {
  phrase: CompiledPhrase;
  first: number;
  last: number;
  /** Length in characters, for overlap resolution. */
  span: number;
}

/** Per token of the article: primary form and match key, and the rule phrases that may start there. */
export interface TokenForms {
  formOf(token: number): NormalizedToken;
  phrasesAt(token: number): PhraseCandidates;
}

/**
 * Classifies the tokens [from, to) — one sentence — with the rules of the given languages.
 *
 * Bad news wins: a negative kind anywhere in the sentence beats any positive one ("recall despite
 * record sales" is a recall), and a positive kind with a reversal next to it becomes bad news of
 * kind `other` ("award revoked"), because a congratulation then would be worse than silence. A
 * negation next to a kind ("denies layoffs") leaves a neutral `other`. A disclaimer ("not related
 * to") marks the whole sentence as not being about the company it names.
 */
export function classifySpan(
  doc: TokenizedText,
  from: number,
  to: number,
  languages: ReadonlySet<LanguageRules>,
  forms: TokenForms,
): Classification {
  if (languages.size === 0 || from >= to) return UNCLASSIFIED;
  const found = findPhrases(doc, from, to, languages, forms);
  if (found.length === 0) return UNCLASSIFIED;
  const hits = found.length === 1 ? found : keepLongest(found);
  const cues: PhraseHit[] = [];
  let kinds = false;
  for (const hit of hits) {
    if (hit.phrase.role === 'disclaimer') return DISCLAIMED;
    if (hit.phrase.role === 'negation' || hit.phrase.role === 'reversal') cues.push(hit);
    else kinds ||= hit.phrase.kind !== null;
  }
  // Word positions only when a cue can modify a kind: in Thai each costs the segmenter a question
  // per word of the sentence, and a sentence with a negation but no kind phrase is common.
  const words = cues.length > 0 && kinds ? wordPositions(doc, from, to) : null;
  let negative: Classification | null = null;
  let positive: Classification | null = null;
  let reversed: Classification | null = null;
  let negated: Classification | null = null;
  for (const hit of hits) {
    const kind = hit.phrase.kind;
    if (hit.phrase.role !== 'kind' || kind === null) continue;
    const weight = hit.phrase.weight;
    const modifier = words ? nearestModifier(hit, cues, words, from) : null;
    const polarity = polarityOfKind(kind);
    if (modifier === 'reversal' && polarity === 'positive') {
      reversed = stronger(reversed, { kind: 'other', polarity: 'negative', strength: 0.8 * weight, disclaimed: false });
    } else if (modifier !== null) {
      negated = stronger(negated, { kind: 'other', polarity: 'neutral', strength: 0.5 * weight, disclaimed: false });
    } else if (polarity === 'negative') {
      negative = stronger(negative, { kind, polarity, strength: weight, disclaimed: false });
    } else {
      positive = stronger(positive, { kind, polarity, strength: weight, disclaimed: false });
    }
  }
  return negative ?? reversed ?? positive ?? negated ?? UNCLASSIFIED;
}

function stronger(current: Classification | null, candidate: Classification): Classification {
  return current !== null && current.strength >= candidate.strength ? current : candidate;
}

function findPhrases(
  doc: TokenizedText,
  from: number,
  to: number,
  languages: ReadonlySet<LanguageRules>,
  forms: TokenForms,
): PhraseHit[] {
  const hits: PhraseHit[] = [];
  const ranks: number[] = [];
  for (let t = from; t < to; t++) {
    const candidates = forms.phrasesAt(t);
    const before = hits.length;
    tryPhrases(candidates.loose, doc, t, to, languages, forms, hits, ranks);
    if (candidates.bySecondKey.size > 0 && t + 1 < to) {
      const group = candidates.bySecondKey.get(forms.formOf(t + 1).key);
      if (group) tryPhrases(group, doc, t, to, languages, forms, hits, ranks);
    }
    // Hits starting at one word keep the order startingWith lists their phrases in, which
    // decides ties between equally strong phrases.
    if (hits.length - before > 1) sortByRank(hits, ranks, before);
  }
  return hits;
}

function tryPhrases(
  group: readonly RankedPhrase[],
  doc: TokenizedText,
  t: number,
  to: number,
  languages: ReadonlySet<LanguageRules>,
  forms: TokenForms,
  hits: PhraseHit[],
  ranks: number[],
): void {
  for (const { phrase, rank } of group) {
    if (languages.has(phrase.rules) && matchesAt(doc, phrase, t, to, forms)) {
      const last = t + phrase.keys.length - 1;
      hits.push({ phrase, first: t, last, span: (doc.ends[last] ?? 0) - (doc.starts[t] ?? 0) });
      ranks.push(rank);
    }
  }
}

/** Insertion sort of hits[from…] (a handful) by rank. */
function sortByRank(hits: PhraseHit[], ranks: number[], from: number): void {
  for (let i = from + 1; i < hits.length; i++) {
    const hit = hits[i];
    const rank = ranks[i] ?? 0;
    if (!hit) continue;
    let j = i - 1;
    for (; j >= from && (ranks[j] ?? 0) > rank; j--) {
      hits[j + 1] = hits[j] ?? hit;
      ranks[j + 1] = ranks[j] ?? 0;
    }
    hits[j + 1] = hit;
    ranks[j + 1] = rank;
  }
}

function matchesAt(doc: TokenizedText, phrase: CompiledPhrase, at: number, to: number, forms: TokenForms): boolean {
  const n = phrase.keys.length;
  if (at + n > to) return false;
  const lastIsPrefix = phrase.open && doc.dense[at + n - 1] !== 1;
  for (let k = 0; k < n; k++) {
    const { key, primary } = forms.formOf(at + k);
    const wanted = phrase.keys[k] ?? '';
    const wantedPrimary = phrase.primaries[k] ?? '';
    if (k === n - 1 && lastIsPrefix) {
      if (!key.startsWith(wanted)) return false;
      if (!diacriticsCompatible(primary.slice(0, wantedPrimary.length), wantedPrimary, wanted)) return false;
    } else {
      if (key !== wanted || !diacriticsCompatible(primary, wantedPrimary, wanted)) return false;
    }
    // A one-word Vietnamese phrase without its diacritics is too often another word ("kien" is
    // kiện, kiến or kiên); longer phrases keep enough context to be read without them.
    if (n === 1 && primary === key && wantedPrimary !== wanted) return false;
  }
  if (!doc.isWordStart(at)) return false;
  return phrase.open || doc.isWordEnd(at + n - 1);
}

// Overlapping phrases: the longer one is what was written ("เลื่อนตำแหน่ง" is a promotion even though
// "เลื่อน" alone means postponed).
function keepLongest(hits: PhraseHit[]): PhraseHit[] {
  const kept: PhraseHit[] = [];
  for (const hit of [...hits].sort(longestFirst)) {
    let overlaps = false;
    for (const other of kept) overlaps ||= hit.last >= other.first && hit.first <= other.last;
    if (!overlaps) kept.push(hit);
  }
  return kept.sort(inTextOrder);
}

function longestFirst(a: PhraseHit, b: PhraseHit): number {
  return b.span - a.span || a.first - b.first;
}

function inTextOrder(a: PhraseHit, b: PhraseHit): number {
  return a.first - b.first;
}

/** Word number of each token in [from, to): dense-script characters of one word share a number. */
function wordPositions(doc: TokenizedText, from: number, to: number): Int32Array {
  const words = new Int32Array(to - from);
  let word = -1;
  for (let t = from; t < to; t++) {
    if (doc.isWordStart(t)) word++;
    words[t - from] = word;
  }
  return words;
}

function nearestModifier(hit: PhraseHit, cues: readonly PhraseHit[], words: Int32Array, from: number): 'reversal' | 'negation' | null {
  const { before, after } = hit.phrase.rules.window;
  const hitFirst = words[hit.first - from] ?? 0;
  const hitLast = words[hit.last - from] ?? 0;
  let found: 'reversal' | 'negation' | null = null;
  for (const cue of cues) {
    const inWindow =
      (cue.last < hit.first && hitFirst - (words[cue.last - from] ?? 0) <= before) ||
      (cue.first > hit.last && (words[cue.first - from] ?? 0) - hitLast <= after);
    if (!inWindow) continue;
    if (cue.phrase.role === 'reversal') return 'reversal';
    found = 'negation';
  }
  return found;
}
