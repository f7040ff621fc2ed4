import { grown } from './grown-array.js';
import { doubledSlots, EMPTY, emptySlots, fillSlot, freeSlot, HASH, KEY_LENGTH, KEY_START, SLOT, VALUE } from './hashed-slots.js';
import { hashSpan } from './span-table.js';

const INITIAL_SLOTS = 1024;
const INITIAL_POOL = 1 << 16;

/**
 * The automaton id of every pattern word, by match key, numbered 1, 2, 3… as the index builder
 * adds them. After the build, its lookup is what each spelling pays the first time an article has
 * it (TokenVocabulary.describe), and in a stream of news those are mostly names, seen once.
 *
 * A Map of the ~400,000 keys of a 100,000-account index cost 0.6–0.9 µs a lookup, several
 * scattered reads (bucket, entry chain, key string), and 23 MB of heap. Here a probe reads one
 * slot holding id, hash and key position side by side, then the key's code units in one pool:
 * the matcher ran 1.015–1.029× as fast (bench/matching-ab.ts, seven runs) and the index heap went
 * from 43 to 20 MB. The slots double when half full.
 */
export class TokenIds {
  /** See hashed-slots.ts; a slot's value is the key's id. */
  private slots = emptySlots(INITIAL_SLOTS);
  private mask = INITIAL_SLOTS - 1;
  private pool = new Uint16Array(INITIAL_POOL);
  private poolLength = 0;
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** The id of match key `key`, or 0 when no pattern has that word. */
  get(key: string): number {
    const hash = int32Hash(key);
    const { slots, mask, pool } = this;
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const at = slot * SLOT;
      const id = slots[at + VALUE] ?? EMPTY;
      if (id === EMPTY) return 0;
      if (slots[at + HASH] !== hash || slots[at + KEY_LENGTH] !== key.length) continue;
      const start = slots[at + KEY_START] ?? 0;
      let k = 0;
      while (k < key.length && pool[start + k] === key.charCodeAt(k)) k++;
      if (k === key.length) return id;
    }
  }

  /** Gives `key`, which `get` has just not found, the next id, and returns it. */
  add(key: string): number {
    if ((this.count + 1) * 2 > this.mask + 1) {
      this.slots = doubledSlots(this.slots);
      this.mask = this.slots.length / SLOT - 1;
    }
    const keyStart = this.poolLength;
    if (keyStart + key.length > this.pool.length) this.pool = grown(this.pool, Math.max(this.pool.length * 2, keyStart + key.length));
    for (let k = 0; k < key.length; k++) this.pool[keyStart + k] = key.charCodeAt(k);
    this.poolLength += key.length;
    const id = ++this.count;
    const hash = int32Hash(key);
    fillSlot(this.slots, freeSlot(this.slots, this.mask, hash), id, hash, keyStart, key.length);
    return id;
  }

  /** Calls `visit` with the hash (hashSpan) of every key written in ASCII only. */
  forEachAsciiKey(visit: (hash: number) => void): void {
    const { slots, pool } = this;
    for (let at = 0; at < slots.length; at += SLOT) {
      if (slots[at + VALUE] === EMPTY) continue;
      const start = slots[at + KEY_START] ?? 0;
      const end = start + (slots[at + KEY_LENGTH] ?? 0);
      let ascii = true;
      for (let k = start; k < end && ascii; k++) ascii = (pool[k] ?? 0) < 0x80;
      if (ascii) visit(slots[at + HASH] ?? 0);
    }
  }
}

/** hashSpan as the slots store it: an empty key hashes to FNV_OFFSET, which is above int32. */
const int32Hash = (key: string) => hashSpan(key, 0, key.length) | 0;
