import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import { $Enums } from '../../generated/prisma/client.js';
import { AppError } from '../../errors.js';
import { enqueueApproved } from '../../notes/enqueue-approved.js';
import { ApproveInput, RejectInput, approveSuggestion, rejectSuggestion } from '../../notes/decide-suggestion.js';
import { BulkDecisionInput, bulkDecide, type BulkDecisionResult } from '../../notes/bulk-decide.js';
import { ReassignInput, reassignSuggestion } from '../../notes/reassign-suggestion.js';
import { SnoozeInput, snoozeSuggestion } from '../../notes/snooze-suggestion.js';
import { parseInput } from '../../validation/parse-input.js';
import { actorOf } from '../authenticate.js';
import { apiSuggestionScope, assertSuggestionInScope, suggestionIdsInScope } from '../api-authorization.js';
import type { AppDeps } from '../app.js';
import { presentSuggestion } from '../present.js';
import { giftViews } from '../../gifts/gift-view.js';

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
      where: { AND: [q.status ? { status: q.status as $Enums.SuggestionStatus } : {}, apiSuggestionScope(request)] },
      include: { delivery: true },
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
      take: q.limit + 1,
      ...(q.after ? { cursor: { id: q.after }, skip: 1 } : {}),
    });
    const page = rows.slice(0, q.limit);
    const gifts = await giftViews(deps.prisma, page);
    return { suggestions: page.map((s) => presentSuggestion(s, gifts.get(s.id))), next: rows.length > q.limit ? (page.at(-1)?.id ?? null) : null };
  });

  app.get('/suggestions/:id', async (request) => {
    const { id } = parseInput(IdParams, request.params, 'path');
    const suggestion = await deps.prisma.suggestion.findFirst({ where: { AND: [{ id }, apiSuggestionScope(request)] }, include: { delivery: true } });
    if (!suggestion) throw new AppError('RAPPORT_SUGGESTION_NOT_FOUND', undefined, { field: 'id' });
    return { suggestion: presentSuggestion(suggestion, (await giftViews(deps.prisma, [suggestion])).get(id)) };
  });

  /** Approve, optionally with an edited subject and/or body; schedules the delivery at once. */
  app.post('/suggestions/:id/approve', async (request) => {
    const { id } = parseInput(IdParams, request.params, 'path');
    await assertSuggestionInScope(deps.prisma, request, id);
    const edit = parseInput(ApproveInput, request.body ?? {});
    await approveSuggestion(deps.prisma, { id, actor: actorOf(request), edit });
    // One note approved by a person: it overtakes bulk and automatic runs in the queue.
    await enqueueApproved({ ...deps, log: request.log }, [id], 'single');
    const suggestion = await deps.prisma.suggestion.findUniqueOrThrow({ where: { id }, include: { delivery: true } });
    return { suggestion: presentSuggestion(suggestion, (await giftViews(deps.prisma, [suggestion])).get(id)) };
  });

  app.post('/suggestions/:id/reject', async (request) => {
    const { id } = parseInput(IdParams, request.params, 'path');
    await assertSuggestionInScope(deps.prisma, request, id);
    const { reason } = parseInput(RejectInput, request.body ?? {});
    await rejectSuggestion(deps.prisma, { id, actor: actorOf(request), reason });
    const suggestion = await deps.prisma.suggestion.findUniqueOrThrow({ where: { id }, include: { delivery: true } });
    return { suggestion: presentSuggestion(suggestion) };
  });

  /** Hide a pending suggestion from the inbox until `{until}` (it stays pending and may still expire). */
  app.post('/suggestions/:id/snooze', async (request) => {
    const { id } = parseInput(IdParams, request.params, 'path');
    await assertSuggestionInScope(deps.prisma, request, id);
    const { until } = parseInput(SnoozeInput, request.body ?? {});
    await snoozeSuggestion(deps.prisma, { id, until, actor: actorOf(request) });
    const suggestion = await deps.prisma.suggestion.findUniqueOrThrow({ where: { id }, include: { delivery: true } });
    return { suggestion: { ...presentSuggestion(suggestion), snoozedUntil: suggestion.snoozedUntil?.toISOString() ?? null } };
  });

  app.post('/suggestions/:id/reassign', async (request) => {
    const { id } = parseInput(IdParams, request.params, 'path');
    await assertSuggestionInScope(deps.prisma, request, id);
    const { assigneeId } = parseInput(ReassignInput, request.body ?? {});
    await reassignSuggestion(deps.prisma, { id, assigneeId, actor: actorOf(request) });
    const suggestion = await deps.prisma.suggestion.findUniqueOrThrow({ where: { id }, include: { delivery: true } });
    return { suggestion: presentSuggestion(suggestion) };
  });

  /** `{action: "approve"|"reject", ids, reason?}`: each through the state machine; failures listed per item. */
  app.post('/suggestions/bulk', async (request) => {
    const input = parseInput(BulkDecisionInput, request.body ?? {});
    // Out-of-scope ids fail alone, reported exactly like ids that do not exist.
    const inScope = await suggestionIdsInScope(deps.prisma, request, input.ids);
    const ids = input.ids.filter((id) => inScope.has(id));
    const result: BulkDecisionResult = ids.length ? await bulkDecide(deps.prisma, { ...input, ids, actor: actorOf(request) }) : { done: [], failed: [] };
    for (const id of new Set(input.ids.filter((id) => !inScope.has(id)))) {
      const notFound = new AppError('RAPPORT_SUGGESTION_NOT_FOUND');
      result.failed.push({ id, code: notFound.code, message: notFound.message });
    }
    if (input.action === 'approve') await enqueueApproved({ ...deps, log: request.log }, result.done.map((d) => d.id), 'bulk');
    return result;
  });
};
