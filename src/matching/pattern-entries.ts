import { grown } from './grown-array.js';
import { AMBIGUOUS_ALIAS_WEIGHT } from './score-confidence.js';

/** How a pattern names its account: `short_name` is derived from the name by dropping "Corp", "Công ty"… */
export const MENTION_ROLES = ['name', 'alias', 'short_name', 'domain', 'contact', 'keyword'] as const;
export type MentionRole = (typeof MENTION_ROLES)[number];

// Entry flags.
/** Needs corroboration: a common word, very short, or claimed by several accounts. */
export const AMBIGUOUS = 1;
/** Written with a capital (Latin): the same word all in lower case in an article is the common word. */
export const CAPITALISED = 2;
/** A 3-letter all-capitals alias ("BMW"): unambiguous only where the article also writes capitals. */
export const ACRONYM = 4;
/** A contact name unique in the directory and long enough to identify the account on its own. */
export const DISTINCTIVE = 8;
/** A ticker or abbreviation ("CHUA", see isTickerWord): an article word that lost diacritics to folding is not it. */
export const TICKER = 16;
/** Has primary forms with diacritics (see primariesOf): most entries have none, and this saves a map lookup. */
const WITH_PRIMARIES = 32;

export interface EntryDraft {
  pattern: number;
  account: number;
  /** Index into the account's contacts, or -1 for the account itself. */
  contact: number;
  role: MentionRole;
  /** Identification weight before match-time adjustments (see score-confidence.ts). */
  weight: number;
  flags: number;
  /** Primary forms when they carry diacritics, to reject a different-diacritics word. */
  primaries: string[] | null;
}

const ROLE_INDEX = new Map<MentionRole, number>(MENTION_ROLES.map((role, i) => [role, i]));
const ACCOUNT_ROLE_MAX = 3; // name, alias, short_name, domain
const KEYWORD_ROLE = ROLE_INDEX.get('keyword') ?? -1;

/** Numbers per entry, side by side so checking an entry reads one cache line, not five arrays: */
const CELLS = 4;
const ACCOUNT = 0;
const CONTACT = 1;
const FLAGS_AND_ROLE = 2; // flags in the low byte, the role's index above it
const WEIGHT = 3; // a float32, read and written through a Float32Array over the same memory

/**
 * Every account's claim on every pattern, in one typed array grouped by pattern: a 100,000-
 * account directory has ~700,000 claims, and objects would cost several times the memory.
 */
export class PatternEntries {
  private readonly weights: Float32Array;

  private constructor(
    private readonly first: Int32Array,
    private readonly cells: Int32Array,
    private readonly primaries: Map<number, string[]>,
  ) {
    this.weights = new Float32Array(cells.buffer, cells.byteOffset, cells.length);
  }

  /** Entries of `pattern` are the indexes [from, to). */
  from(pattern: number): number {
    return this.first[pattern] ?? 0;
  }

  to(pattern: number): number {
    return this.first[pattern + 1] ?? 0;
  }

  account(entry: number): number {
    return this.cells[entry * CELLS + ACCOUNT] ?? 0;
  }

  /** Index into the account's contacts, or -1 for the account itself. */
  contact(entry: number): number {
    return this.cells[entry * CELLS + CONTACT] ?? -1;
  }

  flags(entry: number): number {
    return (this.cells[entry * CELLS + FLAGS_AND_ROLE] ?? 0) & 0xff;
  }

  weight(entry: number): number {
    return this.weights[entry * CELLS + WEIGHT] ?? 0;
  }

  role(entry: number): MentionRole {
    return MENTION_ROLES[this.roleIndex(entry)] ?? 'name';
  }

  primariesOf(entry: number): string[] | null {
    if ((this.flags(entry) & WITH_PRIMARIES) === 0) return null;
    return this.primaries.get(entry) ?? null;
  }

  /** True for an account's own name, alias, short name or domain: not a contact, not a keyword. */
  namesAccount(entry: number): boolean {
    return this.contact(entry) === -1 && this.roleIndex(entry) !== KEYWORD_ROLE;
  }

  /** Groups drafts by pattern (a counting sort) and marks names claimed by several accounts. */
  static build(drafts: EntryDrafts, patternCount: number): PatternEntries {
    const { count, patterns, cells: draftCells } = drafts;
    const first = new Int32Array(patternCount + 1);
    for (let d = 0; d < count; d++) {
      const pattern = patterns[d] ?? 0;
      first[pattern + 1] = (first[pattern + 1] ?? 0) + 1;
    }
    for (let p = 1; p <= patternCount; p++) first[p] = (first[p] ?? 0) + (first[p - 1] ?? 0);
    const next = first.slice(0, patternCount);
    const entries = new PatternEntries(first, new Int32Array(count * CELLS), new Map());
    for (let d = 0; d < count; d++) {
      const pattern = patterns[d] ?? 0;
      const at = next[pattern] ?? 0;
      next[pattern] = at + 1;
      // The weight's float bits are copied as they are, with the other cells.
      for (let c = 0; c < CELLS; c++) entries.cells[at * CELLS + c] = draftCells[d * CELLS + c] ?? 0;
      const primaries = drafts.primaries.get(d);
      if (primaries) entries.primaries.set(at, primaries);
    }
    for (let p = 0; p < patternCount; p++) {
      if ((first[p + 1] ?? 0) - (first[p] ?? 0) > 1) entries.markShared(p);
    }
    return entries;
  }

  private roleIndex(entry: number): number {
    return (this.cells[entry * CELLS + FLAGS_AND_ROLE] ?? 0) >>> 8;
  }

  private setFlags(entry: number, flags: number): void {
    this.cells[entry * CELLS + FLAGS_AND_ROLE] = (this.roleIndex(entry) << 8) | (flags & 0xff);
  }

  /**
   * A name claimed by several accounts identifies none of them on its own; a contact name shared by
   * several people, or equal to a company name, is not distinctive.
   */
  private markShared(pattern: number): void {
    const accounts = new Set<number>();
    const people = new Set<string>();
    for (let e = this.from(pattern); e < this.to(pattern); e++) {
      const role = this.roleIndex(e);
      if (role <= ACCOUNT_ROLE_MAX) accounts.add(this.account(e));
      else if (this.role(e) === 'contact') people.add(`${this.account(e)}/${this.contact(e)}`);
    }
    for (let e = this.from(pattern); e < this.to(pattern); e++) {
      const role = this.roleIndex(e);
      if (role <= ACCOUNT_ROLE_MAX && accounts.size > 1) {
        this.setFlags(e, this.flags(e) | AMBIGUOUS);
        this.weights[e * CELLS + WEIGHT] = Math.min(this.weight(e), AMBIGUOUS_ALIAS_WEIGHT);
      }
      if (this.role(e) === 'contact' && (people.size > 1 || accounts.size > 0)) this.setFlags(e, this.flags(e) & ~DISTINCTIVE);
    }
  }
}

/** Drafts the builder has room for before the columns first grow. */
const INITIAL_DRAFTS = 1024;

/**
 * Entries as the index builder adds them, in columns that double when full: a 100,000-account
 * directory has ~700,000 of them, and as objects they all lived until the index was built, which
 * moved them to the old generation, in memory the build touched for nothing else.
 */
export class EntryDrafts {
  count = 0;
  /** @internal Pattern of draft d. */
  patterns = new Int32Array(INITIAL_DRAFTS);
  /** @internal CELLS numbers per draft, laid out as PatternEntries lays out an entry. */
  cells = new Int32Array(INITIAL_DRAFTS * CELLS);
  private weights = new Float32Array(this.cells.buffer);
  /** @internal Primary forms of the drafts that have them (WITH_PRIMARIES), by draft. */
  readonly primaries = new Map<number, string[]>();

  add(draft: EntryDraft): void {
    if (this.count === this.patterns.length) this.grow();
    const d = this.count++;
    const at = d * CELLS;
    this.patterns[d] = draft.pattern;
    this.cells[at + ACCOUNT] = draft.account;
    this.cells[at + CONTACT] = draft.contact;
    this.cells[at + FLAGS_AND_ROLE] = draft.flags | (draft.primaries ? WITH_PRIMARIES : 0) | ((ROLE_INDEX.get(draft.role) ?? 0) << 8);
    this.weights[at + WEIGHT] = draft.weight;
    if (draft.primaries) this.primaries.set(d, draft.primaries);
  }

  private grow(): void {
    this.patterns = grown(this.patterns);
    this.cells = grown(this.cells);
    this.weights = new Float32Array(this.cells.buffer);
  }
}
