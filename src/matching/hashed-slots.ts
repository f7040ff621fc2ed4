/**
 * The slot array of the matcher's string-keyed hash tables (SpanTable, TokenIds): open addressing
 * with linear probing over a power-of-two number of slots, SLOT numbers per slot side by side, so
 * a probe compares hash and key length without reading a scattered array or string object. The
 * keys' code units are in a pool of the table's own.
 */
export const SLOT = 4;
/** What the table stores for the key (an entry number, an id), or EMPTY for a free slot. */
export const VALUE = 0;
export const HASH = 1;
export const KEY_START = 2;
export const KEY_LENGTH = 3;
export const EMPTY = -1;

export function emptySlots(slotCount: number): Int32Array {
  return new Int32Array(slotCount * SLOT).fill(EMPTY);
}

/** The first free slot on `hash`'s probe chain. */
export function freeSlot(slots: Int32Array, mask: number, hash: number): number {
  let slot = hash & mask;
  while (slots[slot * SLOT + VALUE] !== EMPTY) slot = (slot + 1) & mask;
  return slot;
}

export function fillSlot(slots: Int32Array, slot: number, value: number, hash: number, keyStart: number, keyLength: number): void {
  const at = slot * SLOT;
  slots[at + VALUE] = value;
  slots[at + HASH] = hash;
  slots[at + KEY_START] = keyStart;
  slots[at + KEY_LENGTH] = keyLength;
}

/** The slots moved into twice as many, each by its stored hash: growing reads no key. */
export function doubledSlots(old: Int32Array): Int32Array {
  const slots = emptySlots((old.length / SLOT) * 2);
  const mask = slots.length / SLOT - 1;
  for (let at = 0; at < old.length; at += SLOT) {
    const value = old[at + VALUE] ?? EMPTY;
    if (value === EMPTY) continue;
    const hash = old[at + HASH] ?? 0;
    fillSlot(slots, freeSlot(slots, mask, hash), value, hash, old[at + KEY_START] ?? 0, old[at + KEY_LENGTH] ?? 0);
  }
  return slots;
}
