import type { Feed } from '../generated/prisma/client.js';
import type { Queues } from '../jobs/queues.js';

const schedulerId = (feedId: string) => `feed-${feedId}`;

/**
 * One BullMQ job scheduler per enabled feed, every `pollIntervalMinutes`. Schedulers live in Redis
 * (persisted with it); the reconciler calls this for every feed, so a lost Redis gets them back.
 * Upserting an unchanged scheduler is harmless, which is what makes that safe.
 */
export async function syncFeedSchedule(queues: Queues, feed: Pick<Feed, 'id' | 'enabled' | 'pollIntervalMinutes'>): Promise<void> {
  if (!feed.enabled) return removeFeedSchedule(queues, feed.id);
  await queues.queue('poll-feed').upsertJobScheduler(
    schedulerId(feed.id),
    { every: feed.pollIntervalMinutes * 60_000 },
    { name: 'poll-feed', data: { feedId: feed.id } },
  );
}

export async function removeFeedSchedule(queues: Queues, feedId: string): Promise<void> {
  await queues.queue('poll-feed').removeJobScheduler(schedulerId(feedId));
}
