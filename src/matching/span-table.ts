import { grown } from './grown-array.js';
import { doubledSlots, EMPTY, emptySlots, fillSlot, freeSlot, HASH, KEY_LENGTH, KEY_START, SLOT, VALUE } from './hashed-slots.js';

/**
 * A bounded hash map keyed by a span of a string, looked up without cutting the span out. Every
 * word of every article goes through one of these, and `text.slice` plus `Map.get` costs a string
 * allocation and a second pass over the characters per word; hashing the characters in place
 * does neither for the words already seen, which (Zipf) is almost all of them.
 *
 * Open addressing with linear probing over a power-of-two slot array; each slot holds its entry's
 * hash and where its key's code units are in one pool, values live in an array by entry. When
 * `limit` entries are stored the table is emptied, so a long-running worker stays
 * bounded, as the Map it replaces did.
 */
const INITIAL_SLOTS = 1024;
/**
 * FNV-1a over UTF-16 code units with ASCII capitals lower-cased: start from FNV_OFFSET, then
 * `hashStep(hash, lowerAscii(code))` once per code unit. Lower-casing costs a few collisions
 * ("Apple", "apple": told apart by comparing the characters) and saves the article scanner a
 * second hash: the same one filters plain-ASCII words (see TokenVocabulary.mayBeAsciiPatternWord).
 */
export const FNV_OFFSET = 0x811c9dc5;

export function hashStep(hash: number, code: number): number {
  return Math.imul(hash ^ code, 0x01000193);
}

/** The code unit lower-cased if it is an ASCII capital. */
export function lowerAscii(code: number): number {
  return code >= 0x41 && code <= 0x5a ? code | 0x20 : code;
}

export function hashSpan(text: string, start: number, end: number): number {
  let hash = FNV_OFFSET;
  for (let i = start; i < end; i++) hash = hashStep(hash, lowerAscii(text.charCodeAt(i)));
  return hash;
}

/**
 * Room for the keys of ~10,000 spellings before the pool first grows. V8 treats a field never
 * written since construction as a constant, which speeds up the comparisons, and discards the
 * compiled article scan when it is first written: better late in a worker's life than early.
 */
const INITIAL_POOL = 1 << 16;

export class SpanTable<T> {
  /**
   * SLOT numbers per slot, side by side, so a probe compares hash and length without reading a
   * scattered array or string object (every article word probes).
   */
  private slots = emptySlots(INITIAL_SLOTS);
  private mask = INITIAL_SLOTS - 1;
  /**
   * The code units of every key, end to end. Comparing a span with a typed array beats comparing
   * it with a key string: one representation, no string header to fetch, and no sliced string
   * pinning the article it was cut from.
   */
  private pool = new Uint16Array(INITIAL_POOL);
  private poolLength = 0;
  private values: T[] = [];
  /** Hash and free slot of the last failed `find`, for the `insert` that follows it. */
  private pendingHash = 0;
  private pendingSlot = 0;

  constructor(private readonly limit: number) {}

  get size(): number {
    return this.values.length;
  }

  /** The value stored for text[start, end), or undefined; remembers where to insert it. */
  find(text: string, start: number, end: number): T | undefined {
    return this.findHashed(text, start, end, hashSpan(text, start, end));
  }

  /**
   * `find` with the span's hash (see hashSpan) already known: the article scanner computes it while
   * it reads the characters, so a word is read once, not twice.
   */
  findHashed(text: string, start: number, end: number, hash: number): T | undefined {
    const length = end - start;
    const slots = this.slots;
    const mask = this.mask;
    let slot = hash & mask;
    for (;;) {
      const at = slot * SLOT;
      const entry = slots[at + VALUE] ?? EMPTY;
      if (entry === EMPTY) break;
      if (slots[at + HASH] === hash && slots[at + KEY_LENGTH] === length && this.sameChars(slots[at + KEY_START] ?? 0, text, start, length)) {
        return this.values[entry];
      }
      slot = (slot + 1) & mask;
    }
    this.pendingHash = hash;
    this.pendingSlot = slot;
    return undefined;
  }

  /** Stores `value` for `key`, which must be the span the immediately preceding `find` missed. */
  insert(key: string, value: T): void {
    if (this.values.length >= this.limit) {
      this.reset(this.mask + 1);
      this.pendingSlot = freeSlot(this.slots, this.mask, this.pendingHash);
    } else if ((this.values.length + 1) * 2 > this.mask + 1) {
      this.grow();
      this.pendingSlot = freeSlot(this.slots, this.mask, this.pendingHash);
    }
    const keyStart = this.addToPool(key);
    fillSlot(this.slots, this.pendingSlot, this.values.length, this.pendingHash, keyStart, key.length);
    this.values.push(value);
  }

  private sameChars(keyStart: number, text: string, start: number, length: number): boolean {
    const pool = this.pool;
    for (let k = 0; k < length; k++) if (pool[keyStart + k] !== text.charCodeAt(start + k)) return false;
    return true;
  }

  private addToPool(key: string): number {
    const keyStart = this.poolLength;
    if (keyStart + key.length > this.pool.length) {
      this.pool = grown(this.pool, Math.max(this.pool.length * 2, keyStart + key.length));
    }
    for (let k = 0; k < key.length; k++) this.pool[keyStart + k] = key.charCodeAt(k);
    this.poolLength = keyStart + key.length;
    return keyStart;
  }

  private grow(): void {
    this.slots = doubledSlots(this.slots);
    this.mask = this.slots.length / SLOT - 1;
  }

  private reset(slotCount: number): void {
    this.slots = emptySlots(slotCount);
    this.mask = slotCount - 1;
    this.poolLength = 0;
    this.values = [];
  }
}
