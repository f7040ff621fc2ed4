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

/**
 * Every account's claim on every pattern, as parallel typed arrays grouped by pattern: a 100,000-
 * account directory has ~700,000 claims, and objects would cost several times the memory.
 */
export class PatternEntries {
  private constructor(
    private readonly first: Int32Array,
    readonly account: Int32Array,
    readonly contact: Int32Array,
    private readonly roles: Uint8Array,
    readonly flags: Uint8Array,
    readonly weight: Float32Array,
    private readonly primaries: Map<number, string[]>,
  ) {}

  /** Entries of `pattern` are the indexes [from, to). */
  from(pattern: number): number {
    return this.first[pattern] ?? 0;
  }

  to(pattern: number): number {
    return this.first[pattern + 1] ?? 0;
  }

  role(entry: number): MentionRole {
    return MENTION_ROLES[this.roles[entry] ?? 0] ?? 'name';
  }

  primariesOf(entry: number): string[] | null {
    return this.primaries.get(entry) ?? null;
  }

  /** Groups drafts by pattern (a counting sort) and marks names claimed by several accounts. */
  static build(drafts: readonly EntryDraft[], patternCount: number): PatternEntries {
    const first = new Int32Array(patternCount + 1);
    for (const draft of drafts) first[draft.pattern + 1] = (first[draft.pattern + 1] ?? 0) + 1;
    for (let p = 1; p <= patternCount; p++) first[p] = (first[p] ?? 0) + (first[p - 1] ?? 0);
    const next = first.slice(0, patternCount);
    const n = drafts.length;
    const entries = new PatternEntries(first, new Int32Array(n), new Int32Array(n), new Uint8Array(n), new Uint8Array(n), new Float32Array(n), new Map());
    for (const draft of drafts) {
      const at = next[draft.pattern] ?? 0;
      next[draft.pattern] = at + 1;
      entries.account[at] = draft.account;
      entries.contact[at] = draft.contact;
      entries.roles[at] = ROLE_INDEX.get(draft.role) ?? 0;
      entries.flags[at] = draft.flags;
      entries.weight[at] = draft.weight;
      if (draft.primaries) entries.primaries.set(at, draft.primaries);
    }
    for (let p = 0; p < patternCount; p++) {
      if ((first[p + 1] ?? 0) - (first[p] ?? 0) > 1) entries.markShared(p);
    }
    return entries;
  }

  /**
   * A name claimed by several accounts identifies none of them on its own; a contact name shared by
   * several people, or equal to a company name, is not distinctive.
   */
  private markShared(pattern: number): void {
    const accounts = new Set<number>();
    const people = new Set<string>();
    for (let e = this.from(pattern); e < this.to(pattern); e++) {
      const role = this.roles[e] ?? 0;
      if (role <= ACCOUNT_ROLE_MAX) accounts.add(this.account[e] ?? 0);
      else if (this.role(e) === 'contact') people.add(`${this.account[e]}/${this.contact[e]}`);
    }
    for (let e = this.from(pattern); e < this.to(pattern); e++) {
      const role = this.roles[e] ?? 0;
      if (role <= ACCOUNT_ROLE_MAX && accounts.size > 1) {
        this.flags[e] = (this.flags[e] ?? 0) | AMBIGUOUS;
        this.weight[e] = Math.min(this.weight[e] ?? 0, AMBIGUOUS_ALIAS_WEIGHT);
      }
      if (this.role(e) === 'contact' && (people.size > 1 || accounts.size > 0)) this.flags[e] = (this.flags[e] ?? 0) & ~DISTINCTIVE;
    }
  }
}
