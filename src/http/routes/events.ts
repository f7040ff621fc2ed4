import type { FastifyPluginAsync } from 'fastify';
import { EventInput } from '../../events/event-input.js';
import { recordEvent } from '../../events/record-event.js';
import { parseInput } from '../../validation/parse-input.js';
import { actorOf } from '../authenticate.js';
import type { AppDeps } from '../app.js';

export const eventRoutes = (deps: AppDeps): FastifyPluginAsync => async (app) => {
  /**
   * 202 Accepted: the event is stored; triggers run in a worker. A repeated idempotency key returns
   * the original event id with `duplicate: true` and creates nothing.
   */
  app.post('/events', async (request, reply) => {
    const input = parseInput(EventInput, request.body);
    const { event, created } = await recordEvent(deps.prisma, input, actorOf(request));
    if (created) {
      // The event is committed; if Redis is down now, the reconciler enqueues it later.
      await deps.queues.enqueue('evaluate-event', { eventId: event.id }).catch((err: Error) =>
        request.log.warn({ eventId: event.id, err: err.message }, 'could not enqueue event; the reconciler will'),
      );
    }
    return reply.status(202).send({ id: event.id, duplicate: !created });
  });
};
