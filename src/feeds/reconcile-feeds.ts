import type { PrismaClient } from '../generated/prisma/client.js';
import { forEachPage } from '../jobs/for-each-page.js';
import type { Queues } from '../jobs/queues.js';
import { syncFeedSchedule } from './feed-schedule.js';

/**
 * Restores what Redis may have lost: a poll schedule for every enabled feed (and none for disabled
 * ones), and a match job for every article stored but not yet matched.
 */
export async function reconcileFeeds(prisma: PrismaClient, queues: Queues): Promise<{ feedsScheduled: number; articlesEnqueued: number }> {
  const report = { feedsScheduled: 0, articlesEnqueued: 0 };
  await forEachPage(
    (cursor, take) =>
      prisma.feed.findMany({ select: { id: true, enabled: true, pollIntervalMinutes: true }, orderBy: { id: 'asc' }, take, ...(cursor ? { cursor: { id: cursor }, skip: 1 } : {}) }),
    async (page) => {
      for (const feed of page) await syncFeedSchedule(queues, feed);
      report.feedsScheduled += page.filter((f) => f.enabled).length;
    },
  );
  await forEachPage(
    (cursor, take) =>
      prisma.article.findMany({ where: { matchedAt: null }, select: { id: true }, orderBy: { id: 'asc' }, take, ...(cursor ? { cursor: { id: cursor }, skip: 1 } : {}) }),
    async (page) => {
      for (const a of page) await queues.enqueue('match-article', { articleId: a.id });
      report.articlesEnqueued += page.length;
    },
  );
  return report;
}
