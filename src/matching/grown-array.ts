/** The typed arrays the matcher grows: token stores, automaton states, entry drafts, key pools. */
export type GrowableArray = Int32Array | Uint16Array | Uint8Array;

/**
 * A copy of `array` with room for `length` elements (twice as many by default), of the same type.
 * Doubling keeps the copies of a growing store to about its final size in all; growing a `number[]`
 * one push at a time copied about three times that, each copy in fresh memory.
 */
export function grown<T extends GrowableArray>(array: T, length = array.length * 2): T {
  const bigger = new (array.constructor as new (length: number) => T)(length);
  (bigger as GrowableArray).set(array);
  return bigger;
}
