import { isDenseScriptCode } from './normalize-token.js';

export const SEPARATOR = 0;
export const WORD = 1;
export const DENSE = 2;
/** A high surrogate: the class is that of the character it starts (see astralClass). */
export const HIGH_SURROGATE = 3;

/**
 * Character classes for the Basic Multilingual Plane, computed once: word characters are letters,
 * marks, digits, plus ZWNJ/ZWJ, which sit inside Persian words ("می‌خواهد") and must not split them.
 * A table lookup per character is several times faster than a Unicode regex over the article.
 */
export const CHAR_CLASS = ((): Uint8Array => {
  const table = new Uint8Array(0x10000);
  const word = /^[\p{L}\p{M}\p{N}\u200C\u200D]$/u;
  for (let code = 0; code < 0x10000; code++) {
    if (code >= 0xd800 && code <= 0xdbff) table[code] = HIGH_SURROGATE;
    if (code >= 0xd800 && code <= 0xdfff) continue;
    if (word.test(String.fromCharCode(code))) table[code] = isDenseScriptCode(code) ? DENSE : WORD;
  }
  return table;
})();
const ASTRAL_WORD = /^[\p{L}\p{M}\p{N}]$/u;

/** The class of a character outside the BMP, starting at i with a high surrogate. */
export function astralClass(text: string, i: number): number {
  // A letter outside the BMP (CJK extension B, historic scripts) is rare: a regex is fine.
  return ASTRAL_WORD.test(text.slice(i, i + 2)) ? WORD : SEPARATOR;
}

// One segmenter for every dense script: ICU picks its dictionary by script, not by locale.
const wordSegmenter = new Intl.Segmenter('th', { granularity: 'word' });

/** A word start only the segmenter can decide (see TokenizedText.isWordStart). */
export const UNKNOWN = -1;
/** Buffers for texts up to this many code units are kept for the next text; bigger ones are not. */
const KEPT_CAPACITY = 1 << 18;

/**
 * A text cut into tokens, keeping original character offsets so evidence can be cut from the
 * original text. Words in spaced scripts are one token each; in dense scripts (Thai…) every
 * character is a token and `isWordStart` says where Intl.Segmenter puts word boundaries. The
 * segmenter is slow next to the table scan, so it runs only on the runs a caller asks about.
 *
 * How names, rule phrases and articles are cut, so both sides of a match are cut the same way
 * (articles by ArticleScanner, with a copy of `cut`; see there). The buffers are reused from one
 * text to the next: the scanner cuts thousands of articles a second, and allocating (and zeroing)
 * fresh arrays for each cost more than the cut. So the arrays are longer than `count`, and their
 * entries from `count` on are stale.
 */
export class TokenizedText {
  text = '';
  count = 0;
  starts = new Int32Array(0);
  ends = new Int32Array(0);
  /** Index of the maximal run of word characters the token belongs to. */
  runs = new Int32Array(0);
  /** 1 for a character of a script written without spaces. */
  dense = new Uint8Array(0);
  /** @internal 1 where a word starts, 0 where not, UNKNOWN until the segmenter has been asked. */
  wordStarts = new Int8Array(0);
  /** @internal Start and end offsets of each run, by run index. */
  runStarts = new Int32Array(0);
  /** @internal */
  runEnds = new Int32Array(0);
  /** The segmenter's reading of the run last asked about, in this text (see segmentAt). */
  private segments: Intl.Segments | null = null;
  private segmentedRun = -1;

  constructor(text?: string) {
    if (text !== undefined) this.tokenize(text);
  }

  /** Cuts `text`, forgetting the previous one. */
  tokenize(text: string): void {
    this.prepare(text);
    this.count = this.cut(text);
  }

  /**
   * @internal For a tokeniser of its own (ArticleScanner): takes `text` and makes room for its
   * tokens, which the caller then writes and counts in `count`.
   */
  prepare(text: string): void {
    this.text = text;
    this.count = 0;
    this.segmentedRun = -1;
    this.reserve(text.length + 1);
  }

  /**
   * The loop over the characters. ArticleScanner.scan has a copy of it that also hashes and looks
   * up every token as it is cut; scan-article.test.ts checks that both cut every text alike. A
   * copy, because V8 compiles a loop for the inputs it first sees: this one, first run on hundreds
   * of thousands of short names while an index is built, then ran articles two to three times
   * slower than a loop that has only ever seen articles (and sharing even the token stores through
   * a helper cost the scanner a third of its speed).
   */
  private cut(text: string): number {
    const { starts, ends, runs, dense, wordStarts, runStarts, runEnds } = this;
    const length = text.length;
    let count = 0;
    let run = -1;
    let runStart = -1; // start of the current run, or -1 between runs
    let previousDense = false; // the previous token is a dense character of the current run
    let i = 0;
    while (i < length) {
      let code = text.charCodeAt(i);
      let cls = CHAR_CLASS[code] ?? SEPARATOR;
      if (cls === HIGH_SURROGATE) cls = astralClass(text, i);
      if (cls === SEPARATOR) {
        if (runStart >= 0) {
          runStarts[run] = runStart;
          runEnds[run] = i;
          runStart = -1;
        }
        previousDense = false;
        i++;
        continue;
      }
      if (runStart < 0) {
        run++;
        runStart = i;
      }
      if (cls === DENSE) {
        // A dense-script character is a token of its own; inside a run of them only the
        // segmenter knows where words start.
        starts[count] = i;
        ends[count] = i + 1;
        runs[count] = run;
        dense[count] = 1;
        wordStarts[count] = previousDense ? UNKNOWN : 1;
        count++;
        previousDense = true;
        i++;
        continue;
      }
      const start = i;
      while (cls === WORD) {
        if (code >= 0xd800 && code <= 0xdbff) i++; // the low surrogate belongs to this character
        i++;
        if (i >= length) break;
        code = text.charCodeAt(i);
        cls = CHAR_CLASS[code] ?? SEPARATOR;
        if (cls === HIGH_SURROGATE) cls = astralClass(text, i);
      }
      starts[count] = start;
      ends[count] = i;
      runs[count] = run;
      dense[count] = 0;
      wordStarts[count] = 1;
      count++;
      previousDense = false;
    }
    if (runStart >= 0) {
      runStarts[run] = runStart;
      runEnds[run] = length;
    }
    return count;
  }

  raw(token: number): string {
    return this.text.slice(this.starts[token], this.ends[token]);
  }

  /** True when a word begins at this token (always for spaced scripts). */
  isWordStart(token: number): boolean {
    let known = this.wordStarts[token] ?? 1;
    if (known === UNKNOWN) {
      known = this.segmentAt(this.runs[token] ?? 0, token);
      this.wordStarts[token] = known;
    }
    return known === 1;
  }

  /** True when a word ends with this token: the next token starts a new word or another run. */
  isWordEnd(token: number): boolean {
    const next = token + 1;
    if (next >= this.count || this.runs[next] !== this.runs[token]) return true;
    return this.isWordStart(next);
  }

  /** Index of the first token starting at or after `offset`. */
  firstTokenAtOrAfter(offset: number): number {
    let lo = 0;
    let hi = this.count;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((this.starts[mid] ?? 0) < offset) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Room for `capacity` tokens and runs; an outsized buffer from one huge text is not kept. */
  private reserve(capacity: number): void {
    const current = this.starts.length;
    if (capacity <= current && (current <= KEPT_CAPACITY || capacity > KEPT_CAPACITY)) return;
    // One backing buffer instead of seven: each typed-array allocation costs more than its bytes.
    const buffer = new ArrayBuffer(capacity * 22);
    this.starts = new Int32Array(buffer, 0, capacity);
    this.ends = new Int32Array(buffer, capacity * 4, capacity);
    this.runs = new Int32Array(buffer, capacity * 8, capacity);
    this.runStarts = new Int32Array(buffer, capacity * 12, capacity);
    this.runEnds = new Int32Array(buffer, capacity * 16, capacity);
    this.dense = new Uint8Array(buffer, capacity * 20, capacity);
    this.wordStarts = new Int8Array(buffer, capacity * 21, capacity);
  }

  /**
   * Asks the segmenter whether a word starts at `token`, inside a run of dense characters. The
   * segmenter reads the whole run, not a window around the token: ICU reads Thai with a dictionary
   * and lookahead, so a boundary can depend on characters well before or after it. `containing`
   * answers for one place without building a segment object for every word of the run, and the
   * run's Segments are kept for the next question, which is usually about the same run.
   *
   * One answer settles every dense character of the word found: classification asks about each
   * character of a Thai sentence in turn, and now pays one `containing` per word, not per character.
   */
  private segmentAt(run: number, token: number): number {
    const runStart = this.runStarts[run] ?? 0;
    if (this.segmentedRun !== run || this.segments === null) {
      this.segments = wordSegmenter.segment(this.text.slice(runStart, this.runEnds[run] ?? 0));
      this.segmentedRun = run;
    }
    const offset = (this.starts[token] ?? 0) - runStart;
    const segment = this.segments.containing(offset);
    if (segment === undefined) return 0;
    const wordStart = runStart + segment.index;
    const wordEnd = wordStart + segment.segment.length;
    const { starts, runs, wordStarts } = this;
    for (let t = token - 1; t >= 0 && runs[t] === run && (starts[t] ?? 0) >= wordStart; t--) {
      if (wordStarts[t] === UNKNOWN) wordStarts[t] = starts[t] === wordStart ? 1 : 0;
    }
    for (let t = token + 1; t < this.count && runs[t] === run && (starts[t] ?? 0) < wordEnd; t++) {
      if (wordStarts[t] === UNKNOWN) wordStarts[t] = starts[t] === wordStart ? 1 : 0;
    }
    return segment.index === offset ? 1 : 0;
  }
}
