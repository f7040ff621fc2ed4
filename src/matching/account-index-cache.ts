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
  /** The directory version the index was built for (see `fingerprint`). */
  version: string;
  accounts: number;
  contacts: number;
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
 * and rebuilt only when what it reads changed (see `fingerprint`): a purchase that raises a
 * contact's lifetime value, an opt-out or a new customer without an account leave it as it is.
 *
 * A rebuild shares the process with its API and email lanes, so it never holds the event loop for
 * long: the directory is read a page at a time and the index is built in slices. Articles wait for
 * the rebuild (they are matched against the accounts as they are now); nothing else does.
 */
export class AccountIndexCache {
  private current: { fingerprint: string; index: MatchIndex } | null = null;
  private building: Promise<MatchIndex> | null = null;

  constructor(
    private readonly prisma: PrismaClient,
    private readonly opts: AccountIndexOptions = {},
  ) {}

  async get(): Promise<MatchIndex> {
    const fingerprint = await this.fingerprint();
    if (this.current?.fingerprint === fingerprint) return this.current.index;
    // Concurrent jobs share one rebuild instead of each building its own index.
    this.building ??= this.rebuild(fingerprint).finally(() => (this.building = null));
    return this.building;
  }

  /**
   * `fingerprint` was read before the directory, which is read in several statements: a change
   * committed meanwhile may show in some pages and not others, but it also moved the version past
   * `fingerprint`, so the next `get` builds again.
   */
  private async rebuild(fingerprint: string): Promise<MatchIndex> {
    const { extraRulesDir, pageSize, onRebuilt, ...slices } = this.opts;
    const started = performance.now();
    const directory = await loadDirectory(this.prisma, pageSize);
    const read = performance.now();
    const index = await buildMatchIndexInSlices(directory, { ...(extraRulesDir ? { extraRulesDir } : {}), ...slices });
    this.current = { fingerprint, index };
    onRebuilt?.({
      version: fingerprint,
      accounts: directory.length,
      contacts: directory.reduce((n, account) => n + account.contacts.length, 0),
      readMs: Math.round(read - started),
      buildMs: Math.round(performance.now() - read),
    });
    return index;
  }

  /**
   * The count of changes to what the index reads (names, aliases, domains, locales and keywords of
   * accounts; names, aliases and titles of their contacts), kept by triggers (see the migration
   * match_directory_version): one primary-key read before each article.
   */
  private async fingerprint(): Promise<string> {
    const row = await this.prisma.matchDirectoryVersion.findUnique({ where: { id: 1 }, select: { version: true } });
    if (!row) throw new Error('MatchDirectoryVersion has no row 1: run `rapport migrate` (its migration inserts it)');
    return row.version.toString();
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
