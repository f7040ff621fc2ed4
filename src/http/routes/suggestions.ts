import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import { $Enums } from '../../generated/prisma/client.js';
import { AppError } from '../../errors.js';
import { ApproveInput, RejectInput, approveSuggestion, rejectSuggestion } from '../../notes/decide-suggestion.js';
import { parseInput } from '../../validation/parse-input.js';
import { actorOf } from '../authenticate.js';
import type { AppDeps } from '../app.js';
import { presentSuggestion } from '../present.js';

const ListQuery = z.strictObject({
  status: z.enum(Object.values($Enums.SuggestionStatus) as [string, ...string[]]).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  /** The id of the last suggestion of the previous page. */
  after: z.string().uuid().optional(),
});
const IdParams = z.strictObject({ id: z.string().uuid('expected a suggestion id (UUID)') });

export const suggestionRoutes = (deps: AppDeps): FastifyPluginAsync => async (app) => {
  app.get('/suggestions', async (request) => {
    const q = parseInput(ListQuery, request.query, 'query');
    const rows = await deps.prisma.suggestion.findMany({
      where: q.status ? { status: q.status as $Enums.SuggestionStatus } : {},
      include: { delivery: true },
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
      take: q.limit + 1,
      ...(q.after ? { cursor: { id: q.after }, skip: 1 } : {}),
    });
    const page = rows.slice(0, q.limit);
    return { suggestions: page.map(presentSuggestion), next: rows.length > q.limit ? (page.at(-1)?.id ?? null) : null };
  });

  app.get('/suggestions/:id', async (request) => {
    const { id } = parseInput(IdParams, request.params, 'path');
    const suggestion = await deps.prisma.suggestion.findUnique({ where: { id }, include: { delivery: true } });
    if (!suggestion) throw new AppError('RAPPORT_SUGGESTION_NOT_FOUND', undefined, { field: 'id' });
    return { suggestion: presentSuggestion(suggestion) };
  });

  /** Approve, optionally with an edited subject and/or body; schedules the delivery at once. */
  app.post('/suggestions/:id/approve', async (request) => {
    const { id } = parseInput(IdParams, request.params, 'path');
    const edit = parseInput(ApproveInput, request.body ?? {});
    const { delivery } = await approveSuggestion(deps.prisma, { id, actor: actorOf(request), edit });
    await deps.queues
      .enqueue('deliver-email', { deliveryId: delivery.id }, { delayMs: Math.max(0, delivery.scheduledFor.getTime() - Date.now()) })
      .catch((err: Error) => request.log.warn({ deliveryId: delivery.id, err: err.message }, 'could not enqueue delivery; the reconciler will'));
    const suggestion = await deps.prisma.suggestion.findUniqueOrThrow({ where: { id }, include: { delivery: true } });
    return { suggestion: presentSuggestion(suggestion) };
  });

  app.post('/suggestions/:id/reject', async (request) => {
    const { id } = parseInput(IdParams, request.params, 'path');
    const { reason } = parseInput(RejectInput, request.body ?? {});
    await rejectSuggestion(deps.prisma, { id, actor: actorOf(request), reason });
    const suggestion = await deps.prisma.suggestion.findUniqueOrThrow({ where: { id }, include: { delivery: true } });
    return { suggestion: presentSuggestion(suggestion) };
  });
};
