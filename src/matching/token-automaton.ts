import { CHILD, ChildTable, PARENT, SLOT, TOKEN } from './child-table.js';
import { grown } from './grown-array.js';
import type { PatternHits } from './pattern-hits.js';

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
/** States the builder has room for before it first grows. */
const INITIAL_STATES = 1024;

export class TokenAutomatonBuilder {
  /**
   * Per state, in typed arrays that double when full: an index has about a million states, and
   * `number[]`s grown one push at a time allocated three times their final size, every copy in
   * fresh memory (about a quarter of the index build's page faults, measured).
   */
  private states = 1;
  private firstToken = new Int32Array(INITIAL_STATES).fill(NONE, 0, 1);
  private firstNext = new Int32Array(INITIAL_STATES).fill(NONE, 0, 1);
  private parent = new Int32Array(INITIAL_STATES);
  private viaToken = new Int32Array(INITIAL_STATES).fill(NONE, 0, 1);
  private depth = new Int32Array(INITIAL_STATES);
  private terminal = new Uint8Array(INITIAL_STATES);
  /** 1 for a state with children beyond its first, which are in `moreChildren`. */
  private branching = new Uint8Array(INITIAL_STATES);
  /** Replaced by one twice its size when full (see addChild). */
  private moreChildren = new ChildTable(INITIAL_STATES);
  private maxToken = 0;

  /** Adds a pattern (token ids ≥ 1) and returns its id; adding the same sequence twice returns the same id. */
  add(tokens: ArrayLike<number>): number {
    if (tokens.length === 0) throw new Error('empty pattern');
    let state = ROOT;
    for (let i = 0; i < tokens.length; i++) {
      const token = tokens[i] ?? 0;
      if (token < 1) throw new Error(`token id out of range: ${token}`);
      if (token > this.maxToken) this.maxToken = token;
      const child = this.child(state, token);
      state = child === NONE ? this.addChild(state, token) : child;
    }
    this.terminal[state] = 1;
    return state;
  }

  build(): TokenAutomaton {
    const stateCount = this.states;
    const rootNext = new Int32Array(this.maxToken + 1).fill(NONE);
    // Sized to fit, so the table the scan reads is written only here.
    const more = new ChildTable(this.moreChildren.size);
    this.moreChildren.copyTo(more);
    const nodes = new Int32Array(stateCount * STRIDE);
    for (let s = 0; s < stateCount; s++) {
      // A leaf gets token 0, which no token id equals: NONE (all bits set) would read as HAS_MORE.
      const first = this.firstToken[s] ?? NONE;
      nodes[s * STRIDE + FIRST_TOKEN] = (first === NONE ? 0 : first) | (this.branching[s] === 1 ? HAS_MORE : 0);
      nodes[s * STRIDE + FIRST_NEXT] = this.firstNext[s] ?? NONE;
    }
    for (let s = 1; s < stateCount; s++) {
      if (this.parent[s] === ROOT) rootNext[this.viaToken[s] ?? 0] = s;
    }
    const automaton = new TokenAutomaton(rootNext, nodes, more, this.depth.slice(0, stateCount), this.terminal.slice(0, stateCount));
    automaton.linkFailures(this.statesByDepth(), this.parent, this.viaToken);
    return automaton;
  }

  private child(state: number, token: number): number {
    if (this.firstToken[state] === token) return this.firstNext[state] ?? NONE;
    return this.branching[state] === 1 ? this.moreChildren.get(state, token) : NONE;
  }

  private addChild(state: number, token: number): number {
    const next = this.states;
    if (next === this.parent.length) this.grow();
    this.states++;
    this.parent[next] = state;
    this.viaToken[next] = token;
    this.depth[next] = (this.depth[state] ?? 0) + 1;
    this.firstToken[next] = NONE;
    this.firstNext[next] = NONE;
    if (this.firstToken[state] === NONE) {
      this.firstToken[state] = token;
      this.firstNext[state] = next;
    } else {
      if (this.moreChildren.size === this.moreChildren.capacity) {
        const bigger = new ChildTable(this.moreChildren.capacity * 2);
        this.moreChildren.copyTo(bigger);
        this.moreChildren = bigger;
      }
      this.moreChildren.set(state, token, next);
      this.branching[state] = 1;
    }
    return next;
  }

  private grow(): void {
    this.firstToken = grown(this.firstToken);
    this.firstNext = grown(this.firstNext);
    this.parent = grown(this.parent);
    this.viaToken = grown(this.viaToken);
    this.depth = grown(this.depth);
    this.terminal = grown(this.terminal);
    this.branching = grown(this.branching);
  }

  // Breadth-first order without child lists: a counting sort of states by depth.
  private statesByDepth(): Int32Array {
    const stateCount = this.states;
    const depth = this.depth;
    let maxDepth = 0;
    for (let s = 0; s < stateCount; s++) maxDepth = Math.max(maxDepth, depth[s] ?? 0);
    const offsets = new Int32Array(maxDepth + 2);
    for (let s = 0; s < stateCount; s++) offsets[(depth[s] ?? 0) + 1] = (offsets[(depth[s] ?? 0) + 1] ?? 0) + 1;
    for (let d = 1; d < offsets.length; d++) offsets[d] = (offsets[d] ?? 0) + (offsets[d - 1] ?? 0);
    const order = new Int32Array(stateCount);
    for (let s = 0; s < stateCount; s++) {
      const d = depth[s] ?? 0;
      const at = offsets[d] ?? 0;
      order[at] = s;
      offsets[d] = at + 1;
    }
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
const OUTPUT = 3; // the longest pattern ending here: the state itself when it ends a pattern, else its output link
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
   * Finds every pattern occurrence in ids[0, count) and adds it to `hits` (pattern id, first and
   * last token), in order of last token. Token id 0 means "in no pattern" and resets the search,
   * which is how unknown words cost almost nothing.
   *
   * The transition (`next`, ChildTable.get, the failure links) is written out in this loop rather
   * than called. Whether V8 inlined those calls depended on which function it happened to optimise
   * first: when it had compiled the step on its own before the loop that called it, the step no
   * longer fit the loop's inlining budget and every token paid two calls. That happened in
   * processes that had loaded the rest of Rapport, as a worker and `npm run bench` have: there this
   * loop matched 1.029–1.041× as fast as the call per token, and in a process holding only the
   * matcher no faster (bench/matching-ab.ts; a commit against itself gives 0.998–1.021).
   */
  findAll(ids: Int32Array, count: number, hits: PatternHits): void {
    const { rootNext, nodes, outputLink, depth } = this;
    const rootWidth = rootNext.length;
    const children = this.moreChildren.slotArray;
    const childMask = this.moreChildren.slotMask;
    let state = ROOT;
    for (let t = 0; t < count; t++) {
      const token = ids[t] ?? 0;
      if (token === 0) {
        state = ROOT;
        continue;
      }
      let next = NONE;
      for (let from = state; ; ) {
        if (from === ROOT) {
          next = token < rootWidth ? (rootNext[token] ?? NONE) : NONE;
          break;
        }
        const at = from * STRIDE;
        const first = nodes[at + FIRST_TOKEN] ?? 0;
        if ((first & TOKEN_MASK) === token) {
          next = nodes[at + FIRST_NEXT] ?? NONE;
          break;
        }
        if ((first & HAS_MORE) !== 0) {
          // ChildTable.get: the same hash as its slotOf, then linear probing; a free slot holds
          // -1, which is NONE here.
          const h = Math.imul(from, 0x9e3779b1) ^ Math.imul(token, 0x85ebca77);
          for (let slot = (h ^ (h >>> 15)) & childMask; ; slot = (slot + 1) & childMask) {
            const probe = slot * SLOT;
            next = children[probe + CHILD] ?? NONE;
            if (next === NONE || (children[probe + PARENT] === from && children[probe + TOKEN] === token)) break;
          }
          if (next !== NONE) break;
        }
        from = nodes[at + FAILURE] ?? ROOT;
      }
      state = next === NONE ? ROOT : next;
      for (let output = nodes[state * STRIDE + OUTPUT] ?? ROOT; output !== ROOT; output = outputLink[output] ?? ROOT) {
        hits.add(output, t - (depth[output] ?? 0) + 1, t);
      }
    }
  }

  /** @internal Called once by the builder, in breadth-first order. */
  linkFailures(order: Int32Array, parent: Int32Array, viaToken: Int32Array): void {
    const nodes = this.nodes;
    for (let o = 0; o < order.length; o++) {
      const state = order[o] ?? ROOT;
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

  /** The child of `state` reached by `token`, or NONE. For the build; findAll has its own copy. */
  private next(state: number, token: number): number {
    if (state === ROOT) return token < this.rootNext.length ? (this.rootNext[token] ?? NONE) : NONE;
    const first = this.nodes[state * STRIDE + FIRST_TOKEN] ?? NONE;
    if ((first & TOKEN_MASK) === token) return this.nodes[state * STRIDE + FIRST_NEXT] ?? NONE;
    if ((first & HAS_MORE) === 0) return NONE;
    return this.moreChildren.get(state, token);
  }
}
