import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { EventInput } from '../../events/event-input.js';
import { EventTypeRegistry } from '../../events/event-type-registry.js';
import { recordEvent } from '../../events/record-event.js';
import { BATCH_BODY_LIMIT, BATCH_CONCURRENCY, batchItems, settleEach, stringField } from '../../validation/batch-items.js';
import { parseInput } from '../../validation/parse-input.js';
import { actorOf } from '../authenticate.js';
import type { AppDeps } from '../app.js';

export const eventRoutes = (deps: AppDeps): FastifyPluginAsync => async (app) => {
  const eventTypes = new EventTypeRegistry(deps.prisma);

  // The event is committed; if Redis is down now, the reconciler enqueues it later.
  const enqueueEvaluation = (request: FastifyRequest, eventId: string) =>
    deps.queues.enqueue('evaluate-event', { eventId }).catch((err: Error) =>
      request.log.warn({ eventId, err: err.message }, 'could not enqueue event; the reconciler will'),
    );

  /**
   * 202 Accepted: the event is stored; triggers run in a worker. A repeated idempotency key returns
   * the original event id with `duplicate: true` and creates nothing.
   */
  app.post('/events', async (request, reply) => {
    const input = parseInput(EventInput, request.body);
    await eventTypes.check(input);
    const { event, created } = await recordEvent(deps.prisma, input, actorOf(request));
    if (created) await enqueueEvaluation(request, event.id);
    return reply.status(202).send({ id: event.id, duplicate: !created });
  });

  /**
   * Up to 1000 events as `{ "events": [...] }`. Always 200 with one result per item, in order
   * (207-style): `created`, `duplicate` (idempotency key seen before; `id` is the original) or
   * `rejected` with the error and its field (e.g. `events[3].data.amount`). Each event is stored
   * on its own, so valid ones are kept whatever happens to their neighbours.
   */
  app.post('/events/batch', { bodyLimit: BATCH_BODY_LIMIT }, async (request) => {
    const items = batchItems(request.body, 'events');
    const actor = actorOf(request);
    // One query for every declared type the batch names; unknown names are rejected per item.
    const loaded = await eventTypes.load(items.flatMap((item) => (stringField('type')(item) ?? [])));
    const results = await settleEach(items, { concurrency: BATCH_CONCURRENCY, prefixOf: (i) => `events[${i}]`, keyOf: stringField('idempotencyKey') }, async (item, _index, prefix) => {
      const input = parseInput(EventInput, item, prefix);
      await eventTypes.verify(loaded, input, prefix);
      const { event, created } = await recordEvent(deps.prisma, input, actor);
      if (created) await enqueueEvaluation(request, event.id);
      return { status: created ? 'created' : 'duplicate', id: event.id };
    });
    return { results };
  });
};
