import { z } from 'zod';
import type { PrismaClient, Suggestion } from '../generated/prisma/client.js';
import { writeAudit, type Actor } from '../audit/audit-log.js';
import { AppError } from '../errors.js';

const MAX_SNOOZE_DAYS = 90;

export const SnoozeInput = z.strictObject({
  until: z.coerce
    .date({ error: 'expected a date-time, e.g. 2026-11-25T08:00:00Z' })
    .refine((d) => d.getTime() > Date.now(), 'must be in the future')
    .refine((d) => d.getTime() < Date.now() + MAX_SNOOZE_DAYS * 86_400_000, `must be within ${MAX_SNOOZE_DAYS} days`),
});
export type SnoozeInput = z.infer<typeof SnoozeInput>;

/**
 * Hides a pending suggestion from the inbox until `until`. Snoozing is a field, not a status: the
 * suggestion stays pending_approval (so it still expires on time), and only the inbox filters it.
 */
export async function snoozeSuggestion(
  prisma: PrismaClient,
  args: { id: string; until: Date; actor: Actor },
): Promise<Suggestion> {
  return prisma.$transaction(async (tx) => {
    const { count } = await tx.suggestion.updateMany({
      where: { id: args.id, status: 'pending_approval' },
      data: { snoozedUntil: args.until },
    });
    if (count !== 1) {
      const exists = await tx.suggestion.findUnique({ where: { id: args.id }, select: { status: true } });
      if (!exists) throw new AppError('RAPPORT_SUGGESTION_NOT_FOUND', undefined, { field: 'id' });
      throw new AppError('RAPPORT_SUGGESTION_NOT_PENDING', `Suggestion ${args.id} is ${exists.status}; only a pending one can be snoozed`);
    }
    await writeAudit(tx, {
      actor: args.actor,
      entityType: 'suggestion',
      entityId: args.id,
      action: 'suggestion.snoozed',
      data: { until: args.until.toISOString() },
    });
    return tx.suggestion.findUniqueOrThrow({ where: { id: args.id } });
  });
}
