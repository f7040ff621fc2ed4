/**
 * A bounded hash map keyed by a span of a string, looked up without cutting the span out. Every
 * word of every article goes through one of these, and `text.slice` plus `Map.get` costs a string
 * allocation and a second pass over the characters per word; hashing the characters in place
 * does neither for the words already seen, which (Zipf) is almost all of them.
 *
 * Open addressing with linear probing over a power-of-two slot array; entries live in parallel
 * arrays. When `limit` entries are stored the table is emptied, so a long-running worker stays
 * bounded, as the Map it replaces did.
 */
const EMPTY = -1;
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

export class SpanTable<T> {
  private slots = new Int32Array(INITIAL_SLOTS).fill(EMPTY);
  private mask = INITIAL_SLOTS - 1;
  private keys: string[] = [];
  private hashes: number[] = [];
  private values: T[] = [];
  /** Hash and free slot of the last failed `find`, for the `insert` that follows it. */
  private pendingHash = 0;
  private pendingSlot = 0;

  constructor(private readonly limit: number) {}

  get size(): number {
    return this.keys.length;
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
      const entry = slots[slot] ?? EMPTY;
      if (entry === EMPTY) break;
      if (this.hashes[entry] === hash) {
        const key = this.keys[entry] ?? '';
        if (key.length === length && sameChars(key, text, start, length)) return this.values[entry];
      }
      slot = (slot + 1) & mask;
    }
    this.pendingHash = hash;
    this.pendingSlot = slot;
    return undefined;
  }

  /** Stores `value` for `key`, which must be the span the immediately preceding `find` missed. */
  insert(key: string, value: T): void {
    if (this.keys.length >= this.limit) {
      this.reset(this.slots.length);
      this.pendingSlot = this.freeSlot(this.pendingHash);
    } else if ((this.keys.length + 1) * 2 > this.slots.length) {
      this.grow();
      this.pendingSlot = this.freeSlot(this.pendingHash);
    }
    this.slots[this.pendingSlot] = this.keys.length;
    this.keys.push(key);
    this.hashes.push(this.pendingHash);
    this.values.push(value);
  }

  private grow(): void {
    const hashes = this.hashes;
    this.slots = new Int32Array(this.slots.length * 2).fill(EMPTY);
    this.mask = this.slots.length - 1;
    for (let e = 0; e < hashes.length; e++) this.slots[this.freeSlot(hashes[e] ?? 0)] = e;
  }

  private reset(slotCount: number): void {
    this.slots = new Int32Array(slotCount).fill(EMPTY);
    this.mask = slotCount - 1;
    this.keys = [];
    this.hashes = [];
    this.values = [];
  }

  private freeSlot(hash: number): number {
    let slot = hash & this.mask;
    while (this.slots[slot] !== EMPTY) slot = (slot + 1) & this.mask;
    return slot;
  }
}

function sameChars(key: string, text: string, start: number, length: number): boolean {
  for (let k = 0; k < length; k++) if (key.charCodeAt(k) !== text.charCodeAt(start + k)) return false;
  return true;
}
