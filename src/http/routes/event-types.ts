import type { FastifyPluginAsync } from 'fastify';
import { EventTypeInput, listEventTypes, presentEventType, upsertEventType } from '../../events/event-types.js';
import { parseInput } from '../../validation/parse-input.js';
import { actorOf } from '../authenticate.js';
import type { AppDeps } from '../app.js';

export const eventTypeRoutes = (deps: AppDeps): FastifyPluginAsync => async (app) => {
  /**
   * Declares a custom event type, or redefines one by name: 201 created, 200 updated. The schema
   * must compile (422 naming the offending part); built-in names are 409.
   */
  app.post('/event-types', async (request, reply) => {
    const input = parseInput(EventTypeInput, request.body);
    const { eventType, created } = await upsertEventType(deps.prisma, input, actorOf(request));
    return reply.status(created ? 201 : 200).send({ eventType: presentEventType(eventType) });
  });

  /** The built-in types (with their light schemas) and every declared one. */
  app.get('/event-types', async () => ({ eventTypes: await listEventTypes(deps.prisma) }));
};
