const EMPTY = -1;

/**
 * The automaton's (state, token) → child transitions for states with more than one child, in one
 * open-addressing hash table of typed arrays. A 100,000-account index has ~25,000 such states
 * holding ~450,000 children, most of them near the root where every article token probes them; a
 * Map per state cost a hash-map lookup through two objects per token, this costs a multiply and
 * usually one probe.
 */
export class ChildTable {
  private readonly parents: Int32Array;
  private readonly tokens: Int32Array;
  private readonly children: Int32Array;
  private readonly mask: number;

  constructor(entries: number) {
    let slots = 16;
    while (slots < entries * 2) slots *= 2;
    this.parents = new Int32Array(slots);
    this.tokens = new Int32Array(slots);
    this.children = new Int32Array(slots).fill(EMPTY);
    this.mask = slots - 1;
  }

  /** The child of `parent` reached by `token`, or -1. */
  get(parent: number, token: number): number {
    const mask = this.mask;
    for (let slot = slotOf(parent, token) & mask; ; slot = (slot + 1) & mask) {
      const child = this.children[slot] ?? EMPTY;
      if (child === EMPTY || (this.parents[slot] === parent && this.tokens[slot] === token)) return child;
    }
  }

  /** Adds a transition; each (parent, token) pair at most once, and no more than `entries` in all. */
  set(parent: number, token: number, child: number): void {
    const mask = this.mask;
    let slot = slotOf(parent, token) & mask;
    while (this.children[slot] !== EMPTY) slot = (slot + 1) & mask;
    this.parents[slot] = parent;
    this.tokens[slot] = token;
    this.children[slot] = child;
  }
}

function slotOf(parent: number, token: number): number {
  const h = Math.imul(parent, 0x9e3779b1) ^ Math.imul(token, 0x85ebca77);
  return h ^ (h >>> 15);
}
