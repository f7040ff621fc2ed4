import { grown } from './grown-array.js';

const INITIAL_HITS = 64;

/**
 * Where the automaton found patterns in one article: pattern id, first and last token of each
 * occurrence, three numbers side by side. One list per scanner, emptied for each article.
 */
export class PatternHits {
  private data = new Int32Array(INITIAL_HITS * 3);
  count = 0;

  clear(): void {
    this.count = 0;
  }

  add(pattern: number, first: number, last: number): void {
    let at = this.count * 3;
    if (at + 3 > this.data.length) this.data = grown(this.data);
    this.data[at++] = pattern;
    this.data[at++] = first;
    this.data[at] = last;
    this.count++;
  }

  pattern(hit: number): number {
    return this.data[hit * 3] ?? 0;
  }

  first(hit: number): number {
    return this.data[hit * 3 + 1] ?? 0;
  }

  last(hit: number): number {
    return this.data[hit * 3 + 2] ?? 0;
  }
}
