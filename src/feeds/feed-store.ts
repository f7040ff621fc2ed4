import type { Feed, PrismaClient } from '../generated/prisma/client.js';
import { writeAudit, type Actor } from '../audit/audit-log.js';
import { AppError } from '../errors.js';
import { isUniqueViolation } from '../infra/prisma-errors.js';
import type { Queues } from '../jobs/queues.js';
import type { FeedInput, FeedUpdate } from './feed-input.js';
import { removeFeedSchedule, syncFeedSchedule } from './feed-schedule.js';

/** Registers a feed and starts its poll schedule; a URL is watched once. */
export async function createFeed(prisma: PrismaClient, queues: Queues, input: FeedInput, actor: Actor): Promise<Feed> {
  let feed: Feed;
  try {
    feed = await prisma.$transaction(async (tx) => {
      const created = await tx.feed.create({ data: { ...input, language: input.language ?? null } });
      await writeAudit(tx, { actor, entityType: 'feed', entityId: created.id, action: 'feed.created', data: { url: input.url } });
      return created;
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw new AppError('RAPPORT_CONFLICT', `A feed with URL ${input.url} already exists`, { field: 'url' });
    throw err;
  }
  await syncFeedSchedule(queues, feed);
  return feed;
}

export async function updateFeed(prisma: PrismaClient, queues: Queues, id: string, update: FeedUpdate, actor: Actor): Promise<Feed> {
  const feed = await prisma.$transaction(async (tx) => {
    const existing = await tx.feed.findUnique({ where: { id } });
    if (!existing) throw new AppError('RAPPORT_FEED_NOT_FOUND', undefined, { field: 'id' });
    const updated = await tx.feed.update({
      where: { id },
      // A changed URL is a different server: forget the validators and the failure streak.
      data: { ...update, ...(update.url && update.url !== existing.url ? { etag: null, lastModified: null, consecutiveFailures: 0, status: 'pending', nextPollAt: null } : {}) },
    });
    await writeAudit(tx, { actor, entityType: 'feed', entityId: id, action: 'feed.updated', data: { ...update } });
    return updated;
  });
  await syncFeedSchedule(queues, feed);
  return feed;
}

export async function deleteFeed(prisma: PrismaClient, queues: Queues, id: string, actor: Actor): Promise<void> {
  await prisma.$transaction(async (tx) => {
    const existing = await tx.feed.findUnique({ where: { id } });
    if (!existing) throw new AppError('RAPPORT_FEED_NOT_FOUND', undefined, { field: 'id' });
    await tx.feed.delete({ where: { id } });
    await writeAudit(tx, { actor, entityType: 'feed', entityId: id, action: 'feed.deleted', data: { url: existing.url } });
  });
  await removeFeedSchedule(queues, id);
}
