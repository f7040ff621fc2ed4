import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import { $Enums } from '../../generated/prisma/client.js';
import { AppError } from '../../errors.js';
import { enqueueDelivery } from '../../delivery/enqueue-delivery.js';
import { ApproveInput, RejectInput, approveSuggestion, rejectSuggestion } from '../../notes/decide-suggestion.js';
import { BulkDecisionInput, bulkDecide } from '../../notes/bulk-decide.js';
import { ReassignInput, reassignSuggestion } from '../../notes/reassign-suggestion.js';
import { SnoozeInput, snoozeSuggestion } from '../../notes/snooze-suggestion.js';
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
    // One note approved by a person: it overtakes bulk and automatic runs in the queue.
    await enqueueDelivery(deps.queues, delivery, { priority: 'single' })
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

  /** Hide a pending suggestion from the inbox until `{until}` (it stays pending and may still expire). */
  app.post('/suggestions/:id/snooze', async (request) => {
    const { id } = parseInput(IdParams, request.params, 'path');
    const { until } = parseInput(SnoozeInput, request.body ?? {});
    await snoozeSuggestion(deps.prisma, { id, until, actor: actorOf(request) });
    const suggestion = await deps.prisma.suggestion.findUniqueOrThrow({ where: { id }, include: { delivery: true } });
    return { suggestion: { ...presentSuggestion(suggestion), snoozedUntil: suggestion.snoozedUntil?.toISOString() ?? null } };
  });

  app.post('/suggestions/:id/reassign', async (request) => {
    const { id } = parseInput(IdParams, request.params, 'path');
    const { assigneeId } = parseInput(ReassignInput, request.body ?? {});
    await reassignSuggestion(deps.prisma, { id, assigneeId, actor: actorOf(request) });
    const suggestion = await deps.prisma.suggestion.findUniqueOrThrow({ where: { id }, include: { delivery: true } });
    return { suggestion: presentSuggestion(suggestion) };
  });

  /** `{action: "approve"|"reject", ids, reason?}`: each through the state machine; failures listed per item. */
  app.post('/suggestions/bulk', async (request) => {
    const input = parseInput(BulkDecisionInput, request.body ?? {});
    const result = await bulkDecide(deps.prisma, { ...input, actor: actorOf(request) });
    for (const { deliveryId } of result.done) {
      if (!deliveryId) continue;
      const delivery = await deps.prisma.delivery.findUnique({ where: { id: deliveryId } });
      if (!delivery) continue;
      await enqueueDelivery(deps.queues, delivery, { priority: 'bulk' })
        .catch((err: Error) => request.log.warn({ deliveryId, err: err.message }, 'could not enqueue delivery; the reconciler will'));
    }
    return result;
  });
};
