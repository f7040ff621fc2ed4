import { setTimeout as sleep } from 'node:timers/promises';
import type { PrismaClient } from '../generated/prisma/client.js';
import type { DirectoryAccount } from './account-directory.js';
import { buildMatchIndexInSlices, type MatchIndex, type SliceOptions } from './match-index.js';

/**
 * Accounts read per statement when the directory is loaded. At 100,000 accounts, reading 2,000 at a
 * time held the event loop for 84 ms at most; one statement for all of them held it for 1.0–1.4 s.
 */
const DIRECTORY_PAGE = 2_000;

/** What one rebuild read and how long it took: logged by the worker, so an operator sees what an account edit costs. */
export interface IndexRebuild {
  /** The directory version the index was built for (see `version`). */
  version: string;
  accounts: number;
  contacts: number;
  /** Waiting after the rebuild before, so that rebuilds take at most half of the time (see `rebuild`). */
  waitedMs: number;
  /** Reading the directory from PostgreSQL. */
  readMs: number;
  /** Building the index from it, in slices (the event loop ran other work in between). */
  buildMs: number;
}

export interface AccountIndexOptions extends SliceOptions {
  extraRulesDir?: string | undefined;
  /** Accounts per statement (default DIRECTORY_PAGE). */
  pageSize?: number;
  onRebuilt?: (rebuild: IndexRebuild) => void;
}

/**
 * The match index over every account and contact in PostgreSQL, kept in memory per worker process
 * and rebuilt only when what it reads changed (see `version`): a purchase that raises a contact's
 * lifetime value, an opt-out or a new customer without an account leave it as it is.
 *
 * An article is matched against an index at least as new as the directory when its job asked: it
 * waits for a rebuild when the index is older, and for the one after that when the rebuild under
 * way started before the change it must see. Rebuilds are not repeated back to back: one starts no
 * sooner after the last ended than the last took, and reads the newest version then, so during a
 * bulk import changing contacts for minutes a worker rebuilds half of the time at most, however
 * many articles arrive meanwhile (before, each article's job could start a rebuild of its own).
 *
 * A rebuild shares the process with its API and email lanes, so it never holds the event loop for
 * long: the directory is read a page at a time and the index is built in slices.
 */
export class AccountIndexCache {
  /** The index, the version it was built for, and which rebuild built it (they are numbered from 1). */
  private current: { version: bigint; rebuildNumber: number; index: MatchIndex } | null = null;
  private building: Promise<void> | null = null;
  /** Rebuilds that have read the version so far. */
  private rebuildsStarted = 0;
  /** When the last rebuild ended and how long it took (performance.now() milliseconds). */
  private lastEnded = 0;
  private lastTook = 0;

  constructor(
    private readonly prisma: PrismaClient,
    private readonly opts: AccountIndexOptions = {},
  ) {}

  async get(): Promise<MatchIndex> {
    const wanted = await this.version();
    if (this.current?.version === wanted) return this.current.index;
    // A rebuild that reads the version from now on reads `wanted` or a later one. (Not "a version
    // ≥ wanted": a database restored from a backup counts from an older number, and must rebuild too.)
    const startedBefore = this.rebuildsStarted;
    for (;;) {
      if (this.current && (this.current.version === wanted || this.current.rebuildNumber > startedBefore)) return this.current.index;
      // Concurrent jobs share one rebuild instead of each building its own index.
      this.building ??= this.rebuild().finally(() => (this.building = null));
      await this.building;
    }
  }

  /**
   * Waits until the last rebuild is as far behind as it took, so rebuilds take half of the time at
   * most. The version is read when the rebuild starts, before the directory, which is read in several
   * statements: a change committed meanwhile may show in some pages and not others, but it also
   * moved the version past the one recorded, so the next `get` builds again.
   */
  private async rebuild(): Promise<void> {
    const { extraRulesDir, pageSize, onRebuilt, ...slices } = this.opts;
    const waitedMs = Math.max(0, this.lastEnded + this.lastTook - performance.now());
    if (waitedMs > 0) await sleep(waitedMs);
    const started = performance.now();
    const rebuildNumber = ++this.rebuildsStarted;
    const version = await this.version();
    const directory = await loadDirectory(this.prisma, pageSize);
    const read = performance.now();
    const index = await buildMatchIndexInSlices(directory, { ...(extraRulesDir ? { extraRulesDir } : {}), ...slices });
    this.current = { version, rebuildNumber, index };
    this.lastEnded = performance.now();
    this.lastTook = this.lastEnded - started;
    onRebuilt?.({
      version: version.toString(),
      accounts: directory.length,
      contacts: directory.reduce((n, account) => n + account.contacts.length, 0),
      waitedMs: Math.round(waitedMs),
      readMs: Math.round(read - started),
      buildMs: Math.round(this.lastEnded - read),
    });
  }

  /**
   * The count of changes to what the index reads (names, aliases, domains, locales and keywords of
   * accounts; names, aliases and titles of their contacts), kept by triggers at commit (see the
   * migration match_directory_version): one primary-key read before each article.
   */
  private async version(): Promise<bigint> {
    const row = await this.prisma.matchDirectoryVersion.findUnique({ where: { id: 1 }, select: { version: true } });
    if (!row) throw new Error('MatchDirectoryVersion has no row 1: run `rapport migrate` (its migration inserts it)');
    return row.version;
  }
}

/**
 * Accounts with their contacts (customers linked to an account) in the matcher's shape, in id order,
 * read `pageSize` accounts per statement, so that Prisma turns a page of rows into objects at a time
 * (see DIRECTORY_PAGE).
 */
export async function loadDirectory(prisma: PrismaClient, pageSize = DIRECTORY_PAGE): Promise<DirectoryAccount[]> {
  const directory: DirectoryAccount[] = [];
  let after: string | undefined; // the last id of the page before (keyset pagination)
  for (;;) {
    const page = await prisma.account.findMany({
      ...(after === undefined ? {} : { where: { id: { gt: after } } }),
      select: {
        id: true, name: true, aliases: true, domain: true, locale: true, keywords: true,
        customers: { select: { id: true, name: true, aliases: true, title: true } },
      },
      orderBy: { id: 'asc' },
      take: pageSize,
    });
    for (const a of page) {
      directory.push({
        id: a.id,
        name: a.name,
        aliases: a.aliases,
        domain: a.domain,
        locale: a.locale,
        keywords: a.keywords,
        contacts: a.customers.map((c) => ({ id: c.id, name: c.name, aliases: c.aliases, title: c.title })),
      });
    }
    if (page.length < pageSize) return directory;
    after = page[page.length - 1]?.id;
  }
}
