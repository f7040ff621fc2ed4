export interface SentenceSpan {
  start: number;
  end: number;
}

const NEWLINE = 0x0a;
const RETURN = 0x0d;
const SPACE = 0x20;
const DOT = 0x2e;
/** ! ? ؟ 。 ！ ？ ۔ */
const TERMINATORS = new Set([0x21, 0x3f, 0x061f, 0x3002, 0xff01, 0xff1f, 0x06d4]);
/** Closing quotes and brackets that belong to the sentence they follow: " ' ” ’ ) ] » */
const CLOSERS = new Set([0x22, 0x27, 0x201d, 0x2019, 0x29, 0x5d, 0xbb]);
/** Abbreviations that always lead into more of the sentence ("Dr. Lee", "No. 1", "TP. HCM"). */
const TITLES = new Set(['mr', 'mrs', 'ms', 'dr', 'prof', 'sr', 'jr', 'st', 'no', 'vs', 'gen', 'gov', 'sen', 'rep', 'tp', 'ths', 'ts', 'pgs']);
/** Abbreviations that may also end a sentence ("… bought Acme Corp. The deal …"): they do before a capital. */
const SUFFIXES = new Set(['inc', 'corp', 'co', 'ltd', 'etc', 'dept', 'jan', 'feb', 'mar', 'apr', 'jun', 'jul', 'aug', 'sep', 'sept', 'oct', 'nov', 'dec']);
/** Thai marks sentence ends with a space; shorter pieces are clauses, kept with the next one. */
const MIN_THAI_SENTENCE = 24;
// Per-character regex tests (one per whitespace or letter probed) were a visible share of the
// scan; the same predicates as tables over single UTF-16 code units, computed once.
/** 1 for a whitespace code unit (`\s`). */
export const IS_WHITESPACE = tableOf(/\s/);
const IS_LETTER_OR_DIGIT = tableOf(/[\p{L}\p{N}]/u);
const IS_UPPER = tableOf(/\p{Lu}/u);

function tableOf(pattern: RegExp): Uint8Array {
  const table = new Uint8Array(0x10000);
  for (let code = 0; code < 0x10000; code++) if (pattern.test(String.fromCharCode(code))) table[code] = 1;
  return table;
}

/** Whether the character at i (a code unit; '' past the end) matches; false past the end, as the regex was. */
function charIs(table: Uint8Array, text: string, i: number): boolean {
  return i >= 0 && i < text.length && table[text.charCodeAt(i)] === 1;
}
// What the splitter does with a character; anything else is skipped with one table read.
const LINE_BREAK = 1;
const TERMINATOR = 2;
const FULL_STOP = 3;
const THAI_SPACE_CANDIDATE = 4;
/**
 * Where the splitter has something to decide: a line break, a terminator, a dot, or a space after a
 * Thai letter (the Thai alternative is two characters long; see SentenceCursor.next).
 */
const ACTION_CHARS = /[\n\r.!?\u061F\u3002\uFF01\uFF1F\u06D4]|[\u0E00-\u0E7F] /g;
const ACTION = ((): Uint8Array => {
  const table = new Uint8Array(0x10000);
  table[NEWLINE] = LINE_BREAK;
  table[RETURN] = LINE_BREAK;
  for (const code of TERMINATORS) table[code] = TERMINATOR;
  table[DOT] = FULL_STOP;
  table[SPACE] = THAI_SPACE_CANDIDATE;
  return table;
})();

/**
 * Cuts text into sentences for evidence and classification. Handles '.', '!', '?', '؟', '。',
 * line breaks, and Thai, where a space between Thai words ends a sentence. A '.' ends a sentence
 * only before whitespace, and not after an initial, a known abbreviation ("Corp.") or a Thai
 * abbreviation ("ปตท.").
 */
export function splitSentences(text: string): SentenceSpan[] {
  const spans: SentenceSpan[] = [];
  const cursor = new SentenceCursor(text, 0, 0);
  for (let span = cursor.next(); span !== null; span = cursor.next()) spans.push(span);
  return spans;
}

/**
 * The splitter as a cursor, so a caller can cut only the part of the text it needs: started at
 * the beginning of the text or at a place `restartBefore` found, it yields the same sentences, in
 * order, that splitSentences yields from there on.
 */
export class SentenceCursor {
  private done = false;

  /**
   * `start` is where the sentence being read began; `at` is the next character to read. The
   * splitter's whole state is these two numbers (the Thai rule measures from `start`).
   */
  constructor(
    private readonly text: string,
    public start: number,
    private at: number,
  ) {}

  /** The next sentence, or null after the last. */
  next(): SentenceSpan | null {
    const text = this.text;
    while (!this.done) {
      let closedAt = -1;
      // The regex (compiled to machine code) skips the characters that can never end a sentence,
      // which are almost all of them, faster than a table lookup per character did.
      let at = this.at;
      while (closedAt < 0) {
        ACTION_CHARS.lastIndex = at;
        const match = ACTION_CHARS.exec(text);
        if (match === null) break;
        // The Thai alternative matches the Thai letter before the space.
        const i = match[0].length === 2 ? match.index + 1 : match.index;
        const action = ACTION[text.charCodeAt(i)] ?? 0;
        at = i + 1;
        if (action === THAI_SPACE_CANDIDATE) {
          if (i - this.start >= MIN_THAI_SENTENCE && isThai(nextNonSpace(text, i))) closedAt = i;
        } else if (action === LINE_BREAK) {
          closedAt = i;
        } else if (action === TERMINATOR || endsSentenceAtDot(text, i)) {
          closedAt = endOfTerminators(text, i + 1);
          at = closedAt;
        }
      }
      if (closedAt < 0) {
        closedAt = text.length;
        at = text.length;
        this.done = true;
      }
      this.at = at;
      const span = trimSpan(text, this.start, closedAt);
      this.start = closedAt;
      if (span) return span;
    }
    return null;
  }
}

/**
 * A place at or after `lowest` and before `offset` where the splitter's state is known whatever
 * came before — just after a line break, a '!' or '?', or a sentence-ending '.' — as the
 * arguments for a SentenceCursor; null when there is none. A terminator counts only when the
 * character before it is not one that a run of terminators swallows ("?!", "…”."): only then is
 * it certain the splitter reads it rather than skipping it as part of an earlier run.
 */
export function restartBefore(text: string, offset: number, lowest: number): { start: number; at: number } | null {
  for (let j = offset - 1; j >= lowest; j--) {
    const action = ACTION[text.charCodeAt(j)] ?? 0;
    if (action === LINE_BREAK) return { start: j, at: j + 1 };
    if (action !== TERMINATOR && action !== FULL_STOP) continue;
    if (j > 0 && inTerminatorRun(text.charCodeAt(j - 1))) continue;
    if (action === FULL_STOP && !endsSentenceAtDot(text, j)) continue;
    const end = endOfTerminators(text, j + 1);
    if (end <= offset) return { start: end, at: end };
  }
  return null;
}

/** Terminators, dots and closing quotes right after a sentence end belong to it ("?!", "end.”"). */
function endOfTerminators(text: string, from: number): number {
  let end = from;
  while (end < text.length && inTerminatorRun(text.charCodeAt(end))) end++;
  return end;
}

function inTerminatorRun(code: number): boolean {
  return TERMINATORS.has(code) || code === DOT || CLOSERS.has(code);
}

function isThai(code: number): boolean {
  return code >= 0x0e00 && code <= 0x0e7f;
}

function endsSentenceAtDot(text: string, i: number): boolean {
  // Not read past the end: a read there is NaN, and V8 throws away the compiled splitter the first
  // time an article ends in a dot.
  const next = i + 1 < text.length ? text.charCodeAt(i + 1) : SPACE;
  if (i + 1 < text.length && next !== SPACE && next !== NEWLINE && !CLOSERS.has(next) && !charIs(IS_WHITESPACE, text, i + 1)) return false;
  if (isThai(text.charCodeAt(i - 1))) return false;
  let from = i;
  while (from > 0 && from > i - 6 && charIs(IS_LETTER_OR_DIGIT, text, from - 1)) from--;
  const word = text.slice(from, i);
  if (word.length === 1) return IS_UPPER[word.charCodeAt(0)] !== 1;
  if (word.length > 5) return true;
  const lower = word.toLowerCase();
  if (TITLES.has(lower)) return false;
  return !SUFFIXES.has(lower) || charIs(IS_UPPER, text, nextNonSpaceIndex(text, i + 1));
}


function nextNonSpace(text: string, i: number): number {
  return text.charCodeAt(nextNonSpaceIndex(text, i));
}

function nextNonSpaceIndex(text: string, i: number): number {
  let j = i;
  while (j < text.length && text.charCodeAt(j) === SPACE) j++;
  return j;
}

function trimSpan(text: string, start: number, end: number): SentenceSpan | null {
  let s = start;
  let e = end;
  while (s < e && charIs(IS_WHITESPACE, text, s)) s++;
  while (e > s && charIs(IS_WHITESPACE, text, e - 1)) e--;
  return s < e ? { start: s, end: e } : null;
}
