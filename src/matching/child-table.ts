const EMPTY = -1;

/**
 * The automaton's (state, token) → child transitions for states with more than one child, in an
 * open-addressing hash table held in one typed array. A 100,000-account index has ~25,000 such states
 * holding ~450,000 children, most of them near the root where every article token probes them; a
 * Map per state cost a hash-map lookup through two objects per token, this costs a multiply and
 * usually one probe, in one cache line.
 */
/**
 * Numbers per slot, side by side so a probe reads one cache line, not one per array. Exported for
 * TokenAutomaton.findAll, which probes the slots in its own loop (see there).
 */
export const SLOT = 3;
export const PARENT = 0;
export const TOKEN = 1;
export const CHILD = 2; // EMPTY in a free slot

export class ChildTable {
  private readonly slots: Int32Array;
  private readonly mask: number;
  private stored = 0;

  constructor(entries: number) {
    let slots = 16;
    while (slots < entries * 2) slots *= 2;
    this.slots = new Int32Array(slots * SLOT);
    for (let at = CHILD; at < this.slots.length; at += SLOT) this.slots[at] = EMPTY;
    this.mask = slots - 1;
  }

  /** @internal The slots and the mask of their count, for TokenAutomaton.findAll's probe. */
  get slotArray(): Int32Array {
    return this.slots;
  }

  /** @internal */
  get slotMask(): number {
    return this.mask;
  }

  /** The child of `parent` reached by `token`, or -1. */
  get(parent: number, token: number): number {
    const mask = this.mask;
    const slots = this.slots;
    for (let slot = slotOf(parent, token) & mask; ; slot = (slot + 1) & mask) {
      const at = slot * SLOT;
      const child = slots[at + CHILD] ?? EMPTY;
      if (child === EMPTY || (slots[at + PARENT] === parent && slots[at + TOKEN] === token)) return child;
    }
  }

  /** Transitions stored. */
  get size(): number {
    return this.stored;
  }

  /** How many transitions it holds at most (the `entries` it was made for, or more). */
  get capacity(): number {
    return (this.mask + 1) >>> 1;
  }

  /** Adds a transition; each (parent, token) pair at most once, and no more than `capacity` in all. */
  set(parent: number, token: number, child: number): void {
    if (this.stored >= this.capacity) throw new Error(`child table full (${this.capacity} transitions)`);
    const mask = this.mask;
    let slot = slotOf(parent, token) & mask;
    while (this.slots[slot * SLOT + CHILD] !== EMPTY) slot = (slot + 1) & mask;
    this.slots[slot * SLOT + PARENT] = parent;
    this.slots[slot * SLOT + TOKEN] = token;
    this.slots[slot * SLOT + CHILD] = child;
    this.stored++;
  }

  /** Adds every transition of this table to `target` (a bigger one, or one sized to fit). */
  copyTo(target: ChildTable): void {
    const slots = this.slots;
    for (let at = 0; at < slots.length; at += SLOT) {
      const child = slots[at + CHILD] ?? EMPTY;
      if (child !== EMPTY) target.set(slots[at + PARENT] ?? 0, slots[at + TOKEN] ?? 0, child);
    }
  }
}

/** The first slot to probe for (parent, token); TokenAutomaton.findAll computes the same inline. */
function slotOf(parent: number, token: number): number {
  const h = Math.imul(parent, 0x9e3779b1) ^ Math.imul(token, 0x85ebca77);
  return h ^ (h >>> 15);
}
