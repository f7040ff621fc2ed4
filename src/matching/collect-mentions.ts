import type { MatchIndex } from './match-index.js';
import { diacriticsCompatible } from './normalize-token.js';
import { ACRONYM, AMBIGUOUS, CAPITALISED, DISTINCTIVE, TICKER, type MentionRole } from './pattern-entries.js';
import { AMBIGUOUS_ALIAS_WEIGHT, WITHOUT_DIACRITICS_FACTOR } from './score-confidence.js';
import type { ArticleScanner } from './scan-article.js';

/** One place in the article where a pattern of one account (or one of its contacts) was found. */
export interface Mention {
  account: number;
  /** Index into the account's contacts, or -1. */
  contact: number;
  role: MentionRole;
  distinctive: boolean;
  pattern: number;
  first: number;
  last: number;
  ambiguous: boolean;
  weight: number;
}

interface Hit {
  pattern: number;
  first: number;
  last: number;
}

/**
 * Turns the automaton's hits from the article scan into mentions, keeping the ones that survive
 * the checks the automaton cannot do: Thai word boundaries, diacritics, and letter case.
 *
 * Contact names and keywords are checked second, and only for accounts already named (or for
 * distinctive contact names): a common person name can be claimed by hundreds of contacts, and
 * only the ones whose company is in the article matter.
 */
export function collectMentions(index: MatchIndex, scan: ArticleScanner): Mention[] {
  const { doc } = scan;
  const hits: Hit[] = [];
  const found = scan.hits;
  for (let h = 0; h < found.count; h++) {
    const first = found.first(h);
    const last = found.last(h);
    // Dense scripts: the match must start and end on a word boundary Intl.Segmenter agrees with.
    if (doc.isWordStart(first) && doc.isWordEnd(last)) hits.push({ pattern: found.pattern(h), first, last });
  }
  if (hits.length === 0) return [];
  const entries = index.entries;
  const mentions: Mention[] = [];
  const named = new Set<number>();
  for (const hit of hits) {
    for (let e = entries.from(hit.pattern); e < entries.to(hit.pattern); e++) {
      if (!entries.namesAccount(e)) continue;
      const mention = checkMention(index, scan, e, hit);
      if (mention) {
        mentions.push(mention);
        named.add(mention.account);
      }
    }
  }
  for (const hit of hits) {
    for (let e = entries.from(hit.pattern); e < entries.to(hit.pattern); e++) {
      if (entries.namesAccount(e)) continue;
      if (!named.has(entries.account(e)) && (entries.flags(e) & DISTINCTIVE) === 0) continue;
      const mention = checkMention(index, scan, e, hit);
      if (mention) mentions.push(mention);
    }
  }
  return dropContained(mentions);
}

function checkMention(index: MatchIndex, scan: ArticleScanner, entry: number, hit: Hit): Mention | null {
  const doc = scan.doc;
  const entries = index.entries;
  const flags = entries.flags(entry);
  // Flags read up front, not in the rare branches that need them: a branch first taken hundreds
  // of articles into a run has no type feedback, and V8 then discards the compiled function.
  const capitalised = (flags & CAPITALISED) !== 0;
  const role = entries.role(entry);
  let ambiguous = (flags & AMBIGUOUS) !== 0;
  let weight = entries.weight(entry);
  if ((flags & TICKER) !== 0) {
    // A ticker is one word; the article's word folded from diacritics or đ is another word.
    const { primary, key } = scan.info(hit.first);
    if (primary !== key) return null;
  }
  const primaries = entries.primariesOf(entry);
  if (primaries) {
    let dropped = false;
    for (let k = 0; k <= hit.last - hit.first; k++) {
      const { primary, key } = scan.info(hit.first + k);
      const wanted = primaries[k] ?? primary;
      if (!diacriticsCompatible(primary, wanted, key)) return null;
      if (primary !== wanted) dropped = true;
    }
    if (dropped) {
      weight *= WITHOUT_DIACRITICS_FACTOR;
      // One Vietnamese syllable without its marks could be several other words.
      if (hit.first === hit.last) ambiguous = true;
    }
  }
  const surface = doc.text.slice(doc.starts[hit.first], doc.ends[hit.last]);
  if ((flags & ACRONYM) !== 0 && surface !== surface.toUpperCase()) ambiguous = true;
  if (ambiguous && role !== 'keyword' && role !== 'contact') {
    // "apple" in lower case is the fruit: an alias written with capitals must appear with them.
    if (capitalised && surface === surface.toLowerCase()) return null;
    weight = Math.min(weight, AMBIGUOUS_ALIAS_WEIGHT);
  }
  return {
    account: entries.account(entry),
    contact: entries.contact(entry),
    role,
    distinctive: (flags & DISTINCTIVE) !== 0,
    pattern: hit.pattern,
    first: hit.first,
    last: hit.last,
    ambiguous,
    weight,
  };
}

/**
 * A mention inside a longer one is not a mention: "Acme" in "Acme Bank" names the bank, and the
 * short name "Acme" inside "Acme Corp" is the same mention counted once. Keywords are exempt: they
 * only corroborate.
 */
function dropContained(mentions: Mention[]): Mention[] {
  const spans = mentions.filter((m) => m.role !== 'keyword').sort((a, b) => a.first - b.first || b.last - a.last);
  const contained = new Set<Mention>();
  // Sorted by start, longest first: a span is contained when an earlier one reaches at least as far and is longer.
  let reach = -1;
  let reachLength = -1;
  for (const m of spans) {
    const length = m.last - m.first;
    if (m.last <= reach && length < reachLength) contained.add(m);
    if (m.last > reach || (m.last === reach && length > reachLength)) {
      reach = m.last;
      reachLength = m.last - m.first;
    }
  }
  return contained.size === 0 ? mentions : mentions.filter((m) => !contained.has(m));
}
