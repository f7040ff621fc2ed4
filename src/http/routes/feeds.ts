import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import type { Feed } from '../../generated/prisma/client.js';
import { AppError } from '../../errors.js';
import { FeedInput, FeedUpdate } from '../../feeds/feed-input.js';
import { createFeed, deleteFeed, updateFeed } from '../../feeds/feed-store.js';
import { parseInput } from '../../validation/parse-input.js';
import { actorOf } from '../authenticate.js';
import type { AppDeps } from '../app.js';

const IdParams = z.strictObject({ id: z.string().uuid('expected a feed id (UUID)') });

export const presentFeed = (f: Feed) => ({
  ...f,
  lastFetchedAt: f.lastFetchedAt?.toISOString() ?? null,
  nextPollAt: f.nextPollAt?.toISOString() ?? null,
  createdAt: f.createdAt.toISOString(),
  updatedAt: f.updatedAt.toISOString(),
});

export const feedRoutes = (deps: AppDeps): FastifyPluginAsync => async (app) => {
  app.get('/feeds', async () => ({ feeds: (await deps.prisma.feed.findMany({ orderBy: { createdAt: 'asc' } })).map(presentFeed) }));

  app.post('/feeds', async (request, reply) => {
    const feed = await createFeed(deps.prisma, deps.queues, parseInput(FeedInput, request.body), actorOf(request));
    return reply.status(201).send({ feed: presentFeed(feed) });
  });

  app.get('/feeds/:id', async (request) => {
    const { id } = parseInput(IdParams, request.params, 'path');
    const feed = await deps.prisma.feed.findUnique({ where: { id } });
    if (!feed) throw new AppError('RAPPORT_FEED_NOT_FOUND', undefined, { field: 'id' });
    return { feed: presentFeed(feed) };
  });

  app.patch('/feeds/:id', async (request) => {
    const { id } = parseInput(IdParams, request.params, 'path');
    const feed = await updateFeed(deps.prisma, deps.queues, id, parseInput(FeedUpdate, request.body ?? {}), actorOf(request));
    return { feed: presentFeed(feed) };
  });

  app.delete('/feeds/:id', async (request, reply) => {
    const { id } = parseInput(IdParams, request.params, 'path');
    await deleteFeed(deps.prisma, deps.queues, id, actorOf(request));
    return reply.status(204).send();
  });

  /** Poll now, ignoring any backoff: 202, the poll runs in a worker. */
  app.post('/feeds/:id/poll', async (request, reply) => {
    const { id } = parseInput(IdParams, request.params, 'path');
    if (!(await deps.prisma.feed.findUnique({ where: { id }, select: { id: true } }))) throw new AppError('RAPPORT_FEED_NOT_FOUND', undefined, { field: 'id' });
    await deps.prisma.feed.update({ where: { id }, data: { nextPollAt: null } });
    await deps.queues.enqueue('poll-feed', { feedId: id });
    return reply.status(202).send({ id });
  });
};
