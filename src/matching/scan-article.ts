import { endianness } from 'node:os';
import { PatternHits } from './pattern-hits.js';
import { FNV_OFFSET, hashSpan, hashStep, lowerAscii } from './span-table.js';
import type { TokenAutomaton } from './token-automaton.js';
import { astralClass, CHAR_CLASS, DENSE, HIGH_SURROGATE, SEPARATOR, TokenizedText, UNKNOWN, WORD } from './tokenize-text.js';
import type { TokenInfo, TokenVocabulary } from './token-vocabulary.js';

/** Room for an article of this many code units before the copy first grows (see codesOf). */
const INITIAL_CODES = 1 << 14;
/** A copy grown for one huge article is not kept past it. */
const KEPT_CODES = 1 << 18;
const LITTLE_ENDIAN = endianness() === 'LE';

/**
 * Reads an article once. One pass over its characters cuts the tokens exactly as TokenizedText
 * does, hashes each word while reading its letters and looks the word up by that hash (no
 * substring is cut for a word seen before), writing down its automaton id; the automaton then
 * reads the ids. What comes out is the tokenised text, each token's info, and the automaton's hits.
 *
 * One scanner per index, reused for every article: its arrays, and the ones `scan` returns, are
 * overwritten by the next `scan`. Matching an article is synchronous, so nothing can interleave.
 */
export class ArticleScanner {
  readonly doc = new TokenizedText();
  /**
   * Info of token t, for t < doc.count, or undefined for a dense-script character or a word found
   * in no pattern, not looked up yet: use `info(t)`. (The array is reused: entries from count on
   * are stale.)
   */
  private readonly infos: (TokenInfo | undefined)[] = [];
  /** Where the automaton found patterns in the last article. */
  readonly hits = new PatternHits();
  /** The last article's UTF-16 code units, and the same memory as a Buffer to copy them in with. */
  private codes = new Uint16Array(INITIAL_CODES);
  private codeBytes = Buffer.from(this.codes.buffer);
  /** Automaton id of each token of the last article (0 for a word in no pattern). */
  private ids = new Int32Array(INITIAL_CODES);

  constructor(
    private readonly vocabulary: TokenVocabulary,
    private readonly automaton: TokenAutomaton,
  ) {}

  /**
   * The loop of TokenizedText.cut with a lookup at each token, then the automaton over the ids. A
   * plain-ASCII word the vocabulary's filter rules out gets id 0 and no info until someone asks
   * (see `info`).
   */
  scan(text: string): this {
    const { doc, infos, vocabulary } = this;
    doc.prepare(text);
    const { starts, ends, runs, dense, wordStarts, runStarts, runEnds } = doc;
    const codes = this.codesOf(text);
    const ids = this.idsFor(text.length);
    const length = text.length;
    let count = 0;
    let run = -1;
    let runStart = -1; // start of the current run, or -1 between runs
    let previousDense = false; // the previous token is a dense character of the current run
    let i = 0;
    while (i < length) {
      let code = codes[i] ?? 0;
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
        // A run of dense characters, one token each, read in a loop of its own: Thai is about half
        // the tokens of a mixed stream. Their infos are not written (see `info`).
        wordStarts[count] = previousDense ? UNKNOWN : 1;
        for (;;) {
          starts[count] = i;
          ends[count] = i + 1;
          runs[count] = run;
          dense[count] = 1;
          ids[count] = vocabulary.denseId(code);
          count++;
          i++;
          if (i >= length) break;
          code = codes[i] ?? 0;
          if (CHAR_CLASS[code] !== DENSE) break;
          wordStarts[count] = UNKNOWN;
        }
        previousDense = true;
        continue;
      }
      const start = i;
      let hash = FNV_OFFSET; // hashSpan's, one step per code unit
      let codeBits = 0; // every code unit OR-ed: below 0x80 for a plain-ASCII word
      while (cls === WORD) {
        hash = hashStep(hash, lowerAscii(code));
        codeBits |= code;
        if (code >= 0xd800 && code <= 0xdbff) {
          i++; // the low surrogate belongs to this character
          hash = hashStep(hash, codes[i] ?? 0);
        }
        i++;
        if (i >= length) break;
        code = codes[i] ?? 0;
        cls = CHAR_CLASS[code] ?? SEPARATOR;
        if (cls === HIGH_SURROGATE) cls = astralClass(text, i);
      }
      starts[count] = start;
      ends[count] = i;
      runs[count] = run;
      dense[count] = 0;
      wordStarts[count] = 1;
      if (codeBits < 0x80 && !vocabulary.mayBeAsciiPatternWord(hash)) {
        infos[count] = undefined;
        ids[count] = 0;
      } else {
        const info = vocabulary.word(text, start, i, hash);
        infos[count] = info;
        ids[count] = info.id;
      }
      count++;
      previousDense = false;
    }
    if (runStart >= 0) {
      runStarts[run] = runStart;
      runEnds[run] = length;
    }
    doc.count = count;
    this.hits.clear();
    this.automaton.findAll(ids, count, this.hits);
    return this;
  }

  /**
   * The code units of `text`, in a typed array the scan reads instead of calling charCodeAt:
   * articles come as one-byte strings (English) and two-byte ones (Vietnamese, Thai, Persian), and
   * charCodeAt in a loop that sees both checks the string's kind at every character. Copied by
   * Buffer.write, natively: a loop that only cut the benchmark's articles took 9–12 µs per article
   * over the copy against 21–26 over charCodeAt; the whole match executes ~3 % fewer instructions
   * (bench/matching-instructions.ts). Lone surrogates survive the copy: UTF-16LE writes code units
   * as they are.
   */
  private codesOf(text: string): Uint16Array {
    const length = text.length;
    const current = this.codes.length;
    if (length > current || (current > KEPT_CODES && length <= KEPT_CODES)) {
      this.codes = new Uint16Array(Math.max(INITIAL_CODES, length));
      this.codeBytes = Buffer.from(this.codes.buffer);
    }
    if (LITTLE_ENDIAN) {
      this.codeBytes.write(text, 0, 'utf16le');
    } else {
      for (let i = 0; i < length; i++) this.codes[i] = text.charCodeAt(i);
    }
    return this.codes;
  }

  /** Room for the ids of an article of `length` code units (it has at most that many tokens). */
  private idsFor(length: number): Int32Array {
    const current = this.ids.length;
    if (length > current || (current > KEPT_CODES && length <= KEPT_CODES)) {
      this.ids = new Int32Array(Math.max(INITIAL_CODES, length));
    }
    return this.ids;
  }

  /** What the vocabulary knows about token t of the last scan. */
  info(t: number): TokenInfo {
    const { text, starts, ends, dense } = this.doc;
    if (dense[t] === 1) return this.vocabulary.denseChar(text.charCodeAt(starts[t] ?? 0));
    let info = this.infos[t];
    if (info === undefined) {
      const start = starts[t] ?? 0;
      const end = ends[t] ?? start;
      info = this.vocabulary.word(text, start, end, hashSpan(text, start, end));
      this.infos[t] = info;
    }
    return info;
  }
}
