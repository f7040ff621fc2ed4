import { z } from 'zod';
import type { PrismaClient } from '../generated/prisma/client.js';
import type { Actor } from '../audit/audit-log.js';
import { AppError } from '../errors.js';
import { approveSuggestion, rejectSuggestion } from './decide-suggestion.js';

export const BulkDecisionInput = z
  .strictObject({
    action: z.enum(['approve', 'reject'], { error: 'expected "approve" or "reject"' }),
    ids: z.array(z.string().uuid('expected suggestion ids (UUIDs)')).min(1, 'select at least one suggestion').max(200),
    reason: z.string().trim().max(1_000).optional(),
  })
  .superRefine((input, ctx) => {
    if (input.action === 'reject' && !input.reason) ctx.addIssue({ code: 'custom', path: ['reason'], message: 'say why, so marketing can learn from it' });
  });
export type BulkDecisionInput = z.infer<typeof BulkDecisionInput>;

export interface BulkDecisionResult {
  done: { id: string; deliveryId?: string }[];
  failed: { id: string; code: string; message: string }[];
}

/**
 * Approves or rejects many suggestions, each in its own transaction through the state machine:
 * one that was decided meanwhile fails alone and is reported, the others go through.
 */
export async function bulkDecide(prisma: PrismaClient, input: BulkDecisionInput & { actor: Actor }): Promise<BulkDecisionResult> {
  const result: BulkDecisionResult = { done: [], failed: [] };
  for (const id of new Set(input.ids)) {
    try {
      if (input.action === 'approve') {
        const { delivery } = await approveSuggestion(prisma, { id, actor: input.actor });
        result.done.push({ id, deliveryId: delivery.id });
      } else {
        await rejectSuggestion(prisma, { id, actor: input.actor, reason: input.reason ?? '' });
        result.done.push({ id });
      }
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      result.failed.push({ id, code: err.code, message: err.message });
    }
  }
  return result;
}
