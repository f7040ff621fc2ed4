import type { PrismaClient } from '../generated/prisma/client.js';
import type { AccountIndexCache } from './account-index-cache.js';
import { findSignals } from './find-signals.js';

/**
 * Matches one stored article against every account and stores the signals found, at most one per
 * (article, account). Idempotent: the unique key skips signals already stored and `matchedAt` is set
 * in the same transaction, so a retried job or a reconciler pass adds nothing.
 */
export async function matchArticle(deps: { prisma: PrismaClient; index: AccountIndexCache }, articleId: string): Promise<{ signalIds: string[] }> {
  const article = await deps.prisma.article.findUnique({ where: { id: articleId } });
  if (!article || article.matchedAt) return { signalIds: [] };
  const index = await deps.index.get();
  const candidates = findSignals(index, { id: article.id, title: article.title, text: article.text, link: article.link, language: article.language });
  return deps.prisma.$transaction(async (tx) => {
    const { count } = await tx.article.updateMany({ where: { id: article.id, matchedAt: null }, data: { matchedAt: new Date() } });
    if (count !== 1) return { signalIds: [] };
    const rows = candidates.length
      ? await tx.signal.createManyAndReturn({
          data: candidates.map((c) => ({
            articleId: article.id,
            accountId: c.accountId,
            customerId: c.contactId,
            kind: c.kind,
            polarity: c.polarity,
            confidence: c.confidence,
            evidence: c.evidence,
          })),
          skipDuplicates: true,
          select: { id: true },
        })
      : [];
    return { signalIds: rows.map((r) => r.id) };
  });
}
