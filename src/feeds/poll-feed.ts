import type { PrismaClient } from '../generated/prisma/client.js';
import { FeedError } from './feed-errors.js';
import { fetchFeed } from './fetch-feed.js';
import { parseFeed } from './parse-feed.js';
import { FEED_ERROR_STATE_AFTER_FAILURES, nextPollDelayMs } from './poll-backoff.js';
import { storeArticles } from './store-articles.js';

export interface PollFeedDeps {
  prisma: PrismaClient;
  fetchTimeoutMs: number;
  maxBytes: number;
}

export type PollOutcome =
  | { status: 'skipped'; reason: string }
  | { status: 'not_modified' }
  | { status: 'ok'; newArticleIds: string[]; articles: number }
  | { status: 'failed'; code: string; message: string; consecutiveFailures: number };

/**
 * One poll of one feed: conditional GET, parse, store new articles. Feed problems (timeouts, bad
 * XML, 404s) are recorded on the feed — consecutive failures, exponential backoff via
 * `nextPollAt`, status `error` after several — and never thrown, so one broken feed cannot stall
 * the queue or the others. `force` (a manual "poll now") ignores the backoff.
 */
export async function pollFeed(deps: PollFeedDeps, feedId: string, opts: { now?: Date; force?: boolean } = {}): Promise<PollOutcome> {
  const now = opts.now ?? new Date();
  const feed = await deps.prisma.feed.findUnique({ where: { id: feedId } });
  if (!feed) return { status: 'skipped', reason: 'feed deleted' };
  if (!feed.enabled && !opts.force) return { status: 'skipped', reason: 'feed disabled' };
  if (!opts.force && feed.nextPollAt && feed.nextPollAt > now) return { status: 'skipped', reason: 'backing off' };

  try {
    const fetched = await fetchFeed(feed.url, {
      etag: feed.etag,
      lastModified: feed.lastModified,
      timeoutMs: deps.fetchTimeoutMs,
      maxBytes: deps.maxBytes,
    });
    if (fetched.status === 'not_modified') {
      await deps.prisma.feed.update({ where: { id: feed.id }, data: healthy(now) });
      return { status: 'not_modified' };
    }
    const parsed = await parseFeed(fetched.body, { contentType: fetched.contentType, url: fetched.finalUrl });
    const language = feed.language ?? parsed.language;
    const newArticleIds = await storeArticles(deps.prisma, feed.id, parsed.articles, language);
    await deps.prisma.feed.update({
      where: { id: feed.id },
      data: { ...healthy(now), etag: fetched.etag, lastModified: fetched.lastModified },
    });
    return { status: 'ok', newArticleIds, articles: parsed.articles.length };
  } catch (err) {
    if (!(err instanceof FeedError)) throw err;
    // Increment in SQL (a scheduled poll and a manual one may fail at the same moment), and set the
    // backoff in the same transaction so nobody sees a failure counted without its next poll time.
    const failures = await deps.prisma.$transaction(async (tx) => {
      const counted = await tx.feed.update({
        where: { id: feed.id },
        data: { consecutiveFailures: { increment: 1 }, lastError: `${err.code}: ${err.message}`, lastFetchedAt: now },
        select: { consecutiveFailures: true },
      });
      await tx.feed.update({
        where: { id: feed.id },
        data: {
          nextPollAt: new Date(now.getTime() + nextPollDelayMs(counted.consecutiveFailures, feed.pollIntervalMinutes * 60_000)),
          ...(counted.consecutiveFailures >= FEED_ERROR_STATE_AFTER_FAILURES ? { status: 'error' as const } : {}),
        },
      });
      return counted.consecutiveFailures;
    });
    return { status: 'failed', code: err.code, message: err.message, consecutiveFailures: failures };
  }
}

const healthy = (now: Date) => ({ status: 'ok' as const, consecutiveFailures: 0, lastError: null, lastFetchedAt: now, nextPollAt: null });
