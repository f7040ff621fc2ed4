import { ChildTable } from './child-table.js';

/**
 * Aho-Corasick over sequences of token ids rather than characters: a pattern can only start and
 * end on token edges, so word boundaries come for free and one pass over an article finds every
 * alias of every account.
 *
 * Layout: states are integers. Most states have a single child (aliases rarely share more than a
 * first word), so the first child lives with the state's other fields in one typed array (see
 * STRIDE) and only further children go to one hash table (ChildTable) for all branching states. The root, which has a child per distinct first
 * token, gets a dense array indexed by token id. A pattern is identified by its final state.
 */

const NONE = -1;
const ROOT = 0;

export class TokenAutomatonBuilder {
  private readonly firstToken: number[] = [NONE];
  private readonly firstNext: number[] = [NONE];
  private readonly parent: number[] = [ROOT];
  private readonly viaToken: number[] = [NONE];
  private readonly depth: number[] = [0];
  private readonly terminal: number[] = [0];
  private readonly moreChildren = new Map<number, Map<number, number>>();
  private maxToken = 0;

  /** Adds a pattern (token ids ≥ 1) and returns its id; adding the same sequence twice returns the same id. */
  add(tokens: ArrayLike<number>): number {
    if (tokens.length === 0) throw new Error('empty pattern');
    let state = ROOT;
    for (let i = 0; i < tokens.length; i++) {
      const token = tokens[i] ?? 0;
      if (token < 1) throw new Error(`token id out of range: ${token}`);
      if (token > this.maxToken) this.maxToken = token;
      state = this.child(state, token) ?? this.addChild(state, token);
    }
    this.terminal[state] = 1;
    return state;
  }

  build(): TokenAutomaton {
    const stateCount = this.parent.length;
    const rootNext = new Int32Array(this.maxToken + 1).fill(NONE);
    let extraChildren = 0;
    for (const children of this.moreChildren.values()) extraChildren += children.size;
    const more = new ChildTable(extraChildren);
    const nodes = new Int32Array(stateCount * STRIDE);
    for (let s = 0; s < stateCount; s++) {
      // A leaf gets token 0, which no token id equals: NONE (all bits set) would read as HAS_MORE.
      const first = this.firstToken[s] ?? NONE;
      nodes[s * STRIDE + FIRST_TOKEN] = first === NONE ? 0 : first;
      nodes[s * STRIDE + FIRST_NEXT] = this.firstNext[s] ?? NONE;
    }
    for (const [state, children] of this.moreChildren) {
      nodes[state * STRIDE + FIRST_TOKEN] = (nodes[state * STRIDE + FIRST_TOKEN] ?? 0) | HAS_MORE;
      for (const [token, child] of children) more.set(state, token, child);
    }
    for (let s = 1; s < stateCount; s++) {
      if (this.parent[s] === ROOT) rootNext[this.viaToken[s] ?? 0] = s;
    }
    const automaton = new TokenAutomaton(rootNext, nodes, more, Int32Array.from(this.depth), Uint8Array.from(this.terminal));
    automaton.linkFailures(this.statesByDepth(), this.parent, this.viaToken);
    return automaton;
  }

  private child(state: number, token: number): number | undefined {
    if (this.firstToken[state] === token) return this.firstNext[state];
    return this.moreChildren.get(state)?.get(token);
  }

  private addChild(state: number, token: number): number {
    const next = this.parent.length;
    this.parent.push(state);
    this.viaToken.push(token);
    this.depth.push((this.depth[state] ?? 0) + 1);
    this.terminal.push(0);
    this.firstToken.push(NONE);
    this.firstNext.push(NONE);
    if (this.firstToken[state] === NONE) {
      this.firstToken[state] = token;
      this.firstNext[state] = next;
    } else {
      let children = this.moreChildren.get(state);
      if (!children) {
        children = new Map();
        this.moreChildren.set(state, children);
      }
      children.set(token, next);
    }
    return next;
  }

  // Breadth-first order without child lists: a counting sort of states by depth.
  private statesByDepth(): Int32Array {
    const maxDepth = this.depth.reduce((a, b) => Math.max(a, b), 0);
    const offsets = new Int32Array(maxDepth + 2);
    for (const d of this.depth) offsets[d + 1] = (offsets[d + 1] ?? 0) + 1;
    for (let d = 1; d < offsets.length; d++) offsets[d] = (offsets[d] ?? 0) + (offsets[d - 1] ?? 0);
    const order = new Int32Array(this.depth.length);
    this.depth.forEach((d, state) => {
      const at = offsets[d] ?? 0;
      order[at] = state;
      offsets[d] = at + 1;
    });
    return order;
  }
}

/**
 * Per state, STRIDE numbers side by side in one array: everything a step reads about a state sits
 * on one cache line. The index has millions of states and an article visits them at random, so
 * reading the first child, the failure link and the output from separate arrays cost a cache miss
 * each.
 */
const STRIDE = 4;
const FIRST_TOKEN = 0; // token of the first child (0 for a leaf), | HAS_MORE when it has others
const FIRST_NEXT = 1;
const FAILURE = 2;
const OUTPUT = 3; // what firstOutput answers: the state itself when it ends a pattern, else its output link
/** Set in FIRST_TOKEN when further children are in the ChildTable (token ids stay far below it). */
const HAS_MORE = 1 << 30;
const TOKEN_MASK = HAS_MORE - 1;

export class TokenAutomaton {
  /** Nearest proper suffix state that ends a pattern, or ROOT. */
  private readonly outputLink: Int32Array;

  constructor(
    private readonly rootNext: Int32Array,
    private readonly nodes: Int32Array,
    private readonly moreChildren: ChildTable,
    private readonly depth: Int32Array,
    private readonly terminal: Uint8Array,
  ) {
    this.outputLink = new Int32Array(depth.length);
  }

  get stateCount(): number {
    return this.depth.length;
  }

  /** Number of tokens in the pattern whose id is `pattern`. */
  patternLength(pattern: number): number {
    return this.depth[pattern] ?? 0;
  }

  /**
   * Reports every pattern occurrence as (pattern id, index of its last token). Token id 0 means
   * "in no pattern" and resets the scan, which is how unknown words cost almost nothing.
   */
  scan(tokens: Int32Array, count: number, onMatch: (pattern: number, lastToken: number) => void): void {
    let state = ROOT;
    for (let i = 0; i < count; i++) {
      state = this.step(state, tokens[i] ?? 0);
      for (let output = this.firstOutput(state); output !== ROOT; output = this.nextOutput(output)) onMatch(output, i);
    }
  }

  /** The state after reading `token` in `state`: `scan` one token at a time, for callers that read tokens as they cut them. */
  step(state: number, token: number): number {
    if (token === 0) return ROOT;
    let from = state;
    let next = this.next(from, token);
    while (next === NONE && from !== ROOT) {
      from = this.nodes[from * STRIDE + FAILURE] ?? ROOT;
      next = this.next(from, token);
    }
    return next === NONE ? ROOT : next;
  }

  /** The longest pattern ending in `state` (ROOT when none); `nextOutput` gives the shorter ones. */
  firstOutput(state: number): number {
    return this.nodes[state * STRIDE + OUTPUT] ?? ROOT;
  }

  nextOutput(output: number): number {
    return this.outputLink[output] ?? ROOT;
  }

  /** @internal Called once by the builder, in breadth-first order. */
  linkFailures(order: Int32Array, parent: readonly number[], viaToken: readonly number[]): void {
    const nodes = this.nodes;
    for (const state of order) {
      if (state === ROOT) continue;
      const from = parent[state] ?? ROOT;
      const token = viaToken[state] ?? 0;
      let failure = ROOT;
      if (from !== ROOT) {
        let candidate = nodes[from * STRIDE + FAILURE] ?? ROOT;
        let next = this.next(candidate, token);
        while (next === NONE && candidate !== ROOT) {
          candidate = nodes[candidate * STRIDE + FAILURE] ?? ROOT;
          next = this.next(candidate, token);
        }
        failure = next === NONE ? ROOT : next;
      }
      nodes[state * STRIDE + FAILURE] = failure;
      const link = this.terminal[failure] === 1 ? failure : (this.outputLink[failure] ?? ROOT);
      this.outputLink[state] = link;
      nodes[state * STRIDE + OUTPUT] = this.terminal[state] === 1 ? state : link;
    }
  }

  private next(state: number, token: number): number {
    if (state === ROOT) return token < this.rootNext.length ? (this.rootNext[token] ?? NONE) : NONE;
    const first = this.nodes[state * STRIDE + FIRST_TOKEN] ?? NONE;
    if ((first & TOKEN_MASK) === token) return this.nodes[state * STRIDE + FIRST_NEXT] ?? NONE;
    if ((first & HAS_MORE) === 0) return NONE;
    return this.moreChildren.get(state, token);
  }
}
