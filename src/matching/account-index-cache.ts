import type { PrismaClient } from '../generated/prisma/client.js';
import type { DirectoryAccount } from './account-directory.js';
import { buildMatchIndex, type MatchIndex } from './match-index.js';

/**
 * The match index over every account and contact in PostgreSQL, kept in memory per worker process
 * and rebuilt only when accounts or contacts changed (count and newest `updatedAt` of both tables —
 * two index-only aggregates, cheap to check before every article).
 */
export class AccountIndexCache {
  private current: { fingerprint: string; index: MatchIndex } | null = null;
  private building: Promise<MatchIndex> | null = null;

  constructor(
    private readonly prisma: PrismaClient,
    private readonly opts: { extraRulesDir?: string | undefined } = {},
  ) {}

  async get(): Promise<MatchIndex> {
    const fingerprint = await this.fingerprint();
    if (this.current?.fingerprint === fingerprint) return this.current.index;
    // Concurrent jobs share one rebuild instead of each building its own index.
    this.building ??= this.rebuild(fingerprint).finally(() => (this.building = null));
    return this.building;
  }

  private async rebuild(fingerprint: string): Promise<MatchIndex> {
    const directory = await loadDirectory(this.prisma);
    const index = buildMatchIndex(directory, this.opts.extraRulesDir ? { extraRulesDir: this.opts.extraRulesDir } : {});
    this.current = { fingerprint, index };
    return index;
  }

  private async fingerprint(): Promise<string> {
    const [accounts, contacts] = await Promise.all([
      this.prisma.account.aggregate({ _count: { _all: true }, _max: { updatedAt: true } }),
      this.prisma.customer.aggregate({ where: { accountId: { not: null } }, _count: { _all: true }, _max: { updatedAt: true } }),
    ]);
    return [accounts._count._all, accounts._max.updatedAt?.getTime(), contacts._count._all, contacts._max.updatedAt?.getTime()].join(':');
  }
}

/** Accounts with their contacts (customers linked to an account) in the matcher's shape. */
export async function loadDirectory(prisma: PrismaClient): Promise<DirectoryAccount[]> {
  const accounts = await prisma.account.findMany({
    select: {
      id: true, name: true, aliases: true, domain: true, locale: true, keywords: true,
      customers: { select: { id: true, name: true, aliases: true, title: true } },
    },
    orderBy: { id: 'asc' },
  });
  return accounts.map((a) => ({
    id: a.id,
    name: a.name,
    aliases: a.aliases,
    domain: a.domain,
    locale: a.locale,
    keywords: a.keywords,
    contacts: a.customers.map((c) => ({ id: c.id, name: c.name, aliases: c.aliases, title: c.title })),
  }));
}
