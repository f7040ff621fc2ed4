import { IS_WHITESPACE, restartBefore, SentenceCursor, type SentenceSpan } from './split-sentences.js';

/** Sentences cut from one place where the splitter can start, as far as they were needed. */
interface Stretch {
  origin: number;
  spans: SentenceSpan[];
  cursor: SentenceCursor;
}

/**
 * The sentences splitSentences would cut, found only around the places asked about. Most of an
 * article is never needed — only the sentences naming an account and their neighbours — so
 * instead of splitting the whole text this starts the splitter at the nearest earlier place where
 * its state is known (see restartBefore) and cuts forward just past the place asked about. What
 * was cut is kept, so asking about nearby places again costs a binary search.
 *
 * Sentences are identified by their start offset: their index in the article would need every
 * sentence before them.
 */
export class SentenceLocator {
  /**
   * Sorted by origin. A new one starts past the end of what the one before had cut, but may grow
   * into the next: both then cut the same sentences, since each starts where the state is known.
   */
  private readonly stretches: Stretch[] = [];
  /** The stretch the last question was answered from: the next is usually close by. */
  private recent: Stretch | null = null;

  constructor(private readonly text: string) {}

  /** The sentence containing the character at `offset`, which must not be whitespace. */
  at(offset: number): SentenceSpan {
    const stretch = this.stretchFor(offset);
    while (stretch.cursor.start <= offset) {
      const span = stretch.cursor.next();
      if (span === null) break;
      stretch.spans.push(span);
    }
    return lastStartingAtOrBefore(stretch.spans, offset) ?? { start: offset, end: offset + 1 };
  }

  /** The sentence before `span`, or null for the first one. */
  previous(span: SentenceSpan): SentenceSpan | null {
    let i = span.start - 1;
    while (i >= 0 && IS_WHITESPACE[this.text.charCodeAt(i)] === 1) i--;
    return i < 0 ? null : this.at(i);
  }

  /** The sentence after `span`, or null for the last one. */
  next(span: SentenceSpan): SentenceSpan | null {
    const i = this.nonSpaceFrom(span.end);
    return i < this.text.length ? this.at(i) : null;
  }

  /** The first sentence, or null when the text is blank. */
  first(): SentenceSpan | null {
    const i = this.nonSpaceFrom(0);
    return i < this.text.length ? this.at(i) : null;
  }

  /** How many sentences apart `a` and `b` are (0 for the same one). */
  distance(a: SentenceSpan, b: SentenceSpan): number {
    const [from, to] = a.start <= b.start ? [a, b] : [b, a];
    let steps = 0;
    for (let at: SentenceSpan | null = from; at !== null && at.start < to.start; at = this.next(at)) steps++;
    return steps;
  }

  /**
   * The stretch to cut `offset` from: the one already reaching closest to it, unless a restart
   * place lies between that stretch's end and `offset`, which saves cutting the gap.
   */
  private stretchFor(offset: number): Stretch {
    const recent = this.recent;
    if (recent && recent.origin <= offset && recent.cursor.start > offset) return recent;
    this.recent = this.findStretch(offset);
    return this.recent;
  }

  private findStretch(offset: number): Stretch {
    // The last stretch starting at or before `offset`, by binary search: an article naming
    // accounts in every paragraph gathers dozens.
    let lo = 0;
    let hi = this.stretches.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((this.stretches[mid]?.origin ?? 0) <= offset) lo = mid + 1;
      else hi = mid;
    }
    const index = lo - 1;
    const before = this.stretches[index];
    if (before && before.cursor.start > offset) return before;
    const restart = restartBefore(this.text, offset, before ? before.cursor.start : 0);
    if (restart === null && before) return before;
    const origin = restart ?? { start: 0, at: 0 };
    const stretch: Stretch = { origin: origin.start, spans: [], cursor: new SentenceCursor(this.text, origin.start, origin.at) };
    this.stretches.splice(index + 1, 0, stretch);
    return stretch;
  }

  private nonSpaceFrom(offset: number): number {
    let i = offset;
    while (i < this.text.length && IS_WHITESPACE[this.text.charCodeAt(i)] === 1) i++;
    return i;
  }
}

function lastStartingAtOrBefore(spans: readonly SentenceSpan[], offset: number): SentenceSpan | undefined {
  let lo = 0;
  let hi = spans.length - 1;
  if (hi < 0 || (spans[0]?.start ?? 0) > offset) return undefined;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((spans[mid]?.start ?? 0) <= offset) lo = mid;
    else hi = mid - 1;
  }
  return spans[lo];
}
