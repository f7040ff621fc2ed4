import type { PrismaClient } from '../generated/prisma/client.js';
import { articleDedupeKey } from './article-key.js';
import type { ParsedArticle } from './parse-feed.js';

/**
 * Stores articles once each (guid, else canonical link, else content hash — see article-key.ts),
 * however many feeds or polls repeat them, and returns the ids of the ones that are new.
 */
export async function storeArticles(
  prisma: PrismaClient,
  feedId: string,
  articles: readonly ParsedArticle[],
  feedLanguage: string | null,
): Promise<string[]> {
  if (articles.length === 0) return [];
  const byKey = new Map(articles.map((a) => [articleDedupeKey(a), a]));
  const rows = await prisma.article.createManyAndReturn({
    data: [...byKey].map(([dedupeKey, a]) => ({
      feedId,
      dedupeKey,
      guid: a.guid,
      link: a.link,
      title: a.title,
      text: a.text,
      language: a.language ?? feedLanguage,
      publishedAt: a.publishedAt,
    })),
    skipDuplicates: true,
    select: { id: true },
  });
  return rows.map((r) => r.id);
}
