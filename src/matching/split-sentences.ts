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
const IS_WHITESPACE = tableOf(/\s/);
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
  let start = 0;
  const close = (end: number): void => {
    const span = trimSpan(text, start, end);
    if (span) spans.push(span);
    start = end;
  };
  for (let i = 0; i < text.length; i++) {
    const action = ACTION[text.charCodeAt(i)] ?? 0;
    if (action === 0) continue;
    if (action === THAI_SPACE_CANDIDATE) {
      if (i - start >= MIN_THAI_SENTENCE && isThai(text.charCodeAt(i - 1)) && isThai(nextNonSpace(text, i))) close(i);
    } else if (action === LINE_BREAK) {
      close(i);
    } else if (action === TERMINATOR || endsSentenceAtDot(text, i)) {
      let end = i + 1;
      while (end < text.length && (TERMINATORS.has(text.charCodeAt(end)) || text.charCodeAt(end) === DOT || CLOSERS.has(text.charCodeAt(end)))) end++;
      close(end);
      i = end - 1;
    }
  }
  close(text.length);
  return spans;
}

/** Index of the span containing `offset` (or the last one starting before it). */
export function sentenceAt(spans: readonly SentenceSpan[], offset: number): number {
  let lo = 0;
  let hi = spans.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((spans[mid]?.start ?? 0) <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

function isThai(code: number): boolean {
  return code >= 0x0e00 && code <= 0x0e7f;
}

function endsSentenceAtDot(text: string, i: number): boolean {
  const next = text.charCodeAt(i + 1);
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
