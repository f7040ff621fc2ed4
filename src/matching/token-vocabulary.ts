import { TokenNormalizer, type NormalizedToken } from './normalize-token.js';
import type { PhraseCandidates } from './rule-set.js';
import { SpanTable } from './span-table.js';
import type { TokenIds } from './token-ids.js';

// Cleared when full: article vocabularies are Zipfian, so a bounded cache keeps almost every hit.
const SPELLING_CACHE_LIMIT = 200_000;
/** Bits in the filter of plain-ASCII pattern words: 512 KB, a few percent of false positives. */
const ASCII_FILTER_BITS = 1 << 22;

/** What the index knows about one spelling of a word, cached across articles. */
export interface TokenInfo extends NormalizedToken {
  /** Automaton token id; 0 for a word in no pattern. */
  id: number;
  /** Rule phrases that may start with this word; filled on first use by classification. */
  phrases: PhraseCandidates | undefined;
}

/**
 * Article words as the index sees them. Every word of every article comes through here, so each
 * spelling is normalised once and then found by hashing its characters in place (see SpanTable);
 * a dense-script character, a token of its own, is found by its char code in an array.
 */
export class TokenVocabulary {
  private readonly spellings = new SpanTable<TokenInfo>(SPELLING_CACHE_LIMIT);
  /** Dense-script characters by char code: 1 + index into denseInfos, or 0 when not seen yet. */
  private readonly denseSlots = new Int32Array(0x10000);
  private readonly denseInfos: TokenInfo[] = [];
  /**
   * Dense-script characters by char code: automaton id, or -1 when not seen yet. Every Thai letter
   * of an article is a token; the scan needs only its id, and one read beats the two of denseChar.
   */
  private readonly denseIds = new Int32Array(0x10000).fill(-1);
  private readonly normalizer = new TokenNormalizer();

  /**
   * A bit per hash (see hashSpan, which lower-cases ASCII) of every plain-ASCII pattern word. Most
   * words of an English article are in no pattern; the filter says so with one memory read,
   * where finding the spelling in the cache costs three scattered ones.
   */
  private readonly asciiFilter = new Int32Array(ASCII_FILTER_BITS >>> 5);

  /**
   * `ids`: match key → automaton token id, for every word of every pattern. `tickerOnly`: by token
   * id, 1 for a word that patterns use only as a ticker ("CHUA"), which a spelling with diacritics
   * or đ folded away ("chưa") cannot be; such a spelling gets id 0 (see IndexBuilder.add).
   */
  constructor(
    private readonly ids: TokenIds,
    private readonly tickerOnly: Uint8Array,
  ) {
    ids.forEachAsciiKey((hash) => {
      const bit = hash & (ASCII_FILTER_BITS - 1);
      this.asciiFilter[bit >>> 5] = (this.asciiFilter[bit >>> 5] ?? 0) | (1 << (bit & 31));
    });
  }

  /**
   * False when a plain-ASCII word whose hashSpan is `hash` is certainly in no pattern: its match
   * key is its lower-cased self, and no pattern word hashes like that.
   */
  mayBeAsciiPatternWord(hash: number): boolean {
    const bit = hash & (ASCII_FILTER_BITS - 1);
    return ((this.asciiFilter[bit >>> 5] ?? 0) & (1 << (bit & 31))) !== 0;
  }

  /** The spaced-script word text[start, end), whose hashSpan is `hash`. */
  word(text: string, start: number, end: number, hash: number): TokenInfo {
    let info = this.spellings.findHashed(text, start, end, hash);
    if (info === undefined) {
      const raw = text.slice(start, end);
      info = this.describe(raw);
      this.spellings.insert(raw, info);
    }
    return info;
  }

  /** One character of a script written without spaces. */
  denseChar(code: number): TokenInfo {
    const slot = this.denseSlots[code] ?? 0;
    if (slot > 0) return this.denseInfos[slot - 1] ?? this.describe(String.fromCharCode(code));
    const info = this.describe(String.fromCharCode(code));
    this.denseInfos.push(info);
    this.denseSlots[code] = this.denseInfos.length;
    this.denseIds[code] = info.id;
    return info;
  }

  /** denseChar(code).id. */
  denseId(code: number): number {
    const id = this.denseIds[code] ?? -1;
    return id >= 0 ? id : this.denseChar(code).id;
  }

  private describe(raw: string): TokenInfo {
    const { primary, key } = this.normalizer.normalize(raw);
    let id = this.ids.get(key);
    // Once per spelling, so the scan pays nothing for it; a key other patterns share is left to
    // the mention check (TICKER).
    if (primary !== key && this.tickerOnly[id] === 1) id = 0;
    return { primary, key, id, phrases: undefined };
  }
}
