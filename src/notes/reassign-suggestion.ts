import { z } from 'zod';
import type { PrismaClient, Suggestion } from '../generated/prisma/client.js';
import { writeAudit, type Actor } from '../audit/audit-log.js';
import { AppError } from '../errors.js';

export const ReassignInput = z.strictObject({
  assigneeId: z.string().uuid('expected a user id (UUID)'),
});
export type ReassignInput = z.infer<typeof ReassignInput>;

/** Hands a pending suggestion to another approver (an account manager or an admin), audited. */
export async function reassignSuggestion(
  prisma: PrismaClient,
  args: { id: string; assigneeId: string; actor: Actor },
): Promise<Suggestion> {
  return prisma.$transaction(async (tx) => {
    const assignee = await tx.user.findUnique({ where: { id: args.assigneeId } });
    if (!assignee || assignee.role === 'marketing') throw new AppError('RAPPORT_ASSIGNEE_INVALID', undefined, { field: 'assigneeId' });
    const current = await tx.suggestion.findUnique({ where: { id: args.id }, select: { status: true, assigneeId: true } });
    if (!current) throw new AppError('RAPPORT_SUGGESTION_NOT_FOUND', undefined, { field: 'id' });
    // Conditional on the status we read, so a decision racing the reassignment wins cleanly.
    const { count } = await tx.suggestion.updateMany({
      where: { id: args.id, status: 'pending_approval' },
      data: { assigneeId: assignee.id, snoozedUntil: null },
    });
    if (count !== 1) throw new AppError('RAPPORT_SUGGESTION_NOT_PENDING', `Suggestion ${args.id} is ${current.status}; only a pending one can be reassigned`);
    await writeAudit(tx, {
      actor: args.actor,
      entityType: 'suggestion',
      entityId: args.id,
      action: 'suggestion.reassigned',
      data: { from: current.assigneeId, to: assignee.id },
    });
    return tx.suggestion.findUniqueOrThrow({ where: { id: args.id } });
  });
}
