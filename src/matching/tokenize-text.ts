import { isDenseScriptCode } from './normalize-token.js';

const SEPARATOR = 0;
const WORD = 1;
const DENSE = 2;

/**
 * Character classes for the Basic Multilingual Plane, computed once: word characters are letters,
 * marks, digits, plus ZWNJ/ZWJ, which sit inside Persian words ("می‌خواهد") and must not split them.
 * A table lookup per character is several times faster than a Unicode regex over the article.
 */
const CHAR_CLASS = ((): Uint8Array => {
  const table = new Uint8Array(0x10000);
  const word = /^[\p{L}\p{M}\p{N}\u200C\u200D]$/u;
  for (let code = 0; code < 0x10000; code++) {
    if (code >= 0xd800 && code <= 0xdfff) continue; // surrogate halves: see classAt
    if (word.test(String.fromCharCode(code))) table[code] = isDenseScriptCode(code) ? DENSE : WORD;
  }
  return table;
})();
const ASTRAL_WORD = /^[\p{L}\p{M}\p{N}]$/u;

// One segmenter for every dense script: ICU picks its dictionary by script, not by locale.
const wordSegmenter = new Intl.Segmenter('th', { granularity: 'word' });

const UNKNOWN = -1;

/**
 * An article cut into tokens once, keeping original character offsets so evidence can be cut from
 * the original text. Words in spaced scripts are one token each; in dense scripts (Thai…) every
 * character is a token and `isWordStart` says where Intl.Segmenter puts word boundaries. The
 * segmenter is slow next to the table scan, so it runs only on the runs a caller asks about.
 */
export class TokenizedText {
  readonly count: number;
  readonly starts: Int32Array;
  readonly ends: Int32Array;
  /** Index of the maximal run of word characters the token belongs to. */
  readonly runs: Int32Array;
  /** 1 for a character of a script written without spaces. */
  readonly dense: Uint8Array;
  private readonly runStarts: number[] = [];
  private readonly runEnds: number[] = [];
  private readonly wordStarts: Int8Array;

  constructor(readonly text: string) {
    const length = text.length;
    const starts = (this.starts = new Int32Array(length));
    const ends = (this.ends = new Int32Array(length));
    const runs = (this.runs = new Int32Array(length));
    const dense = (this.dense = new Uint8Array(length));
    const wordStarts = (this.wordStarts = new Int8Array(length));
    let count = 0;
    let run = -1;
    let pieceStart = -1; // start of the current spaced-script token, or -1
    let inRun = false;
    for (let i = 0; i < length; i++) {
      let code = text.charCodeAt(i);
      let cls = CHAR_CLASS[code] ?? SEPARATOR;
      if (code >= 0xd800 && code <= 0xdbff) {
        // A letter outside the BMP (CJK extension B, historic scripts) is rare: a regex is fine.
        cls = ASTRAL_WORD.test(text.slice(i, i + 2)) ? WORD : SEPARATOR;
        code = -1;
      }
      if (cls === SEPARATOR) {
        if (pieceStart >= 0) count = this.push(count, pieceStart, i, run, 0, 1);
        pieceStart = -1;
        if (inRun) this.runEnds.push(i);
        inRun = false;
        continue;
      }
      if (!inRun) {
        run++;
        this.runStarts.push(i);
        inRun = true;
      }
      if (cls === DENSE) {
        if (pieceStart >= 0) count = this.push(count, pieceStart, i, run, 0, 1);
        pieceStart = -1;
        const followsDense = count > 0 && runs[count - 1] === run && dense[count - 1] === 1;
        starts[count] = i;
        ends[count] = i + 1;
        runs[count] = run;
        dense[count] = 1;
        wordStarts[count] = followsDense ? UNKNOWN : 1;
        count++;
      } else if (pieceStart < 0) {
        pieceStart = i;
      }
      if (code === -1) i++; // the low surrogate belongs to this character
    }
    if (pieceStart >= 0) count = this.push(count, pieceStart, length, run, 0, 1);
    if (inRun) this.runEnds.push(length);
    this.count = count;
  }

  raw(token: number): string {
    return this.text.slice(this.starts[token], this.ends[token]);
  }

  /** True when a word begins at this token (always for spaced scripts). */
  isWordStart(token: number): boolean {
    let known = this.wordStarts[token] ?? 1;
    if (known === UNKNOWN) {
      this.segmentRun(this.runs[token] ?? 0, token);
      known = this.wordStarts[token] ?? 1;
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

  private push(count: number, start: number, end: number, run: number, dense: number, wordStart: number): number {
    this.starts[count] = start;
    this.ends[count] = end;
    this.runs[count] = run;
    this.dense[count] = dense;
    this.wordStarts[count] = wordStart;
    return count + 1;
  }

  private segmentRun(run: number, someToken: number): void {
    const runStart = this.runStarts[run] ?? 0;
    const boundaries = new Set<number>();
    for (const segment of wordSegmenter.segment(this.text.slice(runStart, this.runEnds[run] ?? 0))) {
      boundaries.add(runStart + segment.index);
    }
    let first = someToken;
    while (first > 0 && this.runs[first - 1] === run) first--;
    for (let t = first; t < this.count && this.runs[t] === run; t++) {
      if (this.wordStarts[t] === UNKNOWN) this.wordStarts[t] = boundaries.has(this.starts[t] ?? 0) ? 1 : 0;
    }
  }
}
