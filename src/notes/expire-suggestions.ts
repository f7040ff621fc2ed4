import type { PrismaClient } from '../generated/prisma/client.js';
import { SYSTEM } from '../audit/audit-log.js';
import { AppError } from '../errors.js';
import { transitionSuggestion } from './suggestion-status.js';

/**
 * Marks pending suggestions past their `expiresAt` as expired, each through the state machine (so
 * each gets its audit entry). A suggestion approved in the meantime loses the race to expiry and
 * is skipped, not an error. Runs in the reconciler every minute.
 */
export async function expireSuggestions(prisma: PrismaClient, now = new Date()): Promise<{ suggestionsExpired: number }> {
  const due = await prisma.suggestion.findMany({
    where: { status: { in: ['draft', 'pending_approval'] }, expiresAt: { lte: now } },
    select: { id: true },
    orderBy: { expiresAt: 'asc' },
    take: 500,
  });
  let expired = 0;
  for (const { id } of due) {
    try {
      await prisma.$transaction((tx) => transitionSuggestion(tx, { id, to: 'expired', actor: SYSTEM, reason: 'not approved before it expired' }));
      expired += 1;
    } catch (err) {
      if (err instanceof AppError && err.code === 'RAPPORT_SUGGESTION_ILLEGAL_TRANSITION') continue;
      throw err;
    }
  }
  return { suggestionsExpired: expired };
}
