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
    // One backing buffer instead of five: each typed-array allocation costs more than zeroing
    // the bytes, and this runs once per article.
    const buffer = new ArrayBuffer(length * 14);
    this.starts = new Int32Array(buffer, 0, length);
    this.ends = new Int32Array(buffer, length * 4, length);
    this.runs = new Int32Array(buffer, length * 8, length);
    this.dense = new Uint8Array(buffer, length * 12, length);
    this.wordStarts = new Int8Array(buffer, length * 13, length);
    this.count = scanTokens(text, this);
  }

  /** @internal Receives tokens from scanTokens. */
  token(index: number, start: number, end: number, run: number, dense: boolean, followsDense: boolean): void {
    this.starts[index] = start;
    this.ends[index] = end;
    this.runs[index] = run;
    this.dense[index] = dense ? 1 : 0;
    this.wordStarts[index] = followsDense ? UNKNOWN : 1;
  }

  /** @internal Receives runs from scanTokens. */
  run(start: number, end: number): void {
    this.runStarts.push(start);
    this.runEnds.push(end);
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

/** Where scanTokens reports what it finds; a class, not callbacks, so the hot loop allocates nothing. */
export interface TokenSink {
  token(index: number, start: number, end: number, run: number, dense: boolean, followsDense: boolean): void;
  run(start: number, end: number): void;
}

/**
 * The tokeniser shared by articles and by names and rule phrases, so both are cut the same way.
 * Returns the number of tokens.
 */
export function scanTokens(text: string, sink: TokenSink): number {
  const length = text.length;
  let count = 0;
  let run = -1;
  let runStart = -1;
  let pieceStart = -1; // start of the current spaced-script token, or -1
  let previousDense = false; // the previous token is a dense character of the current run
  for (let i = 0; i < length; i++) {
    const code = text.charCodeAt(i);
    let cls = CHAR_CLASS[code] ?? SEPARATOR;
    const astral = code >= 0xd800 && code <= 0xdbff;
    // A letter outside the BMP (CJK extension B, historic scripts) is rare: a regex is fine.
    if (astral) cls = ASTRAL_WORD.test(text.slice(i, i + 2)) ? WORD : SEPARATOR;
    if (cls === SEPARATOR) {
      if (pieceStart >= 0) sink.token(count++, pieceStart, i, run, false, false);
      pieceStart = -1;
      if (runStart >= 0) sink.run(runStart, i);
      runStart = -1;
      previousDense = false;
      continue;
    }
    if (runStart < 0) {
      run++;
      runStart = i;
    }
    if (cls === DENSE) {
      if (pieceStart >= 0) {
        sink.token(count++, pieceStart, i, run, false, false);
        previousDense = false;
      }
      pieceStart = -1;
      sink.token(count++, i, i + 1, run, true, previousDense);
      previousDense = true;
    } else if (pieceStart < 0) {
      pieceStart = i;
      previousDense = false;
    }
    if (astral) i++; // the low surrogate belongs to this character
  }
  if (pieceStart >= 0) sink.token(count++, pieceStart, length, run, false, false);
  if (runStart >= 0) sink.run(runStart, length);
  return count;
}
