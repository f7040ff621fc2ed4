import type { Prisma, Suggestion, SuggestionStatus } from '../generated/prisma/client.js';
import type { Tx } from '../infra/database.js';
import { writeAudit, type Actor } from '../audit/audit-log.js';
import { AppError } from '../errors.js';

/**
 * The suggestion lifecycle, in one place:
 *   draft → pending_approval → approved → scheduled → sent
 * with side exits rejected, expired, suppressed and failed. Anything not listed here is refused.
 */
const ALLOWED: Record<SuggestionStatus, readonly SuggestionStatus[]> = {
  draft: ['pending_approval', 'approved', 'suppressed', 'expired'],
  pending_approval: ['approved', 'rejected', 'expired', 'suppressed'],
  approved: ['scheduled', 'suppressed', 'failed'],
  scheduled: ['sent', 'failed', 'suppressed'],
  sent: [],
  rejected: [],
  expired: [],
  suppressed: [],
  failed: [],
};

export function canTransition(from: SuggestionStatus, to: SuggestionStatus): boolean {
  return ALLOWED[from].includes(to);
}

/**
 * Moves a suggestion from one of `from` to `to` and writes the audit entry, inside the caller's
 * transaction. The UPDATE is conditional on the current status, so two racing approvals cannot
 * both succeed: the loser sees zero rows and gets RAPPORT_SUGGESTION_ILLEGAL_TRANSITION.
 */
export async function transitionSuggestion(
  tx: Tx,
  args: {
    id: string;
    to: SuggestionStatus;
    actor: Actor;
    reason?: string;
    patch?: Omit<Prisma.SuggestionUncheckedUpdateManyInput, 'status'>;
    data?: Prisma.InputJsonValue;
  },
): Promise<Suggestion> {
  const current = await tx.suggestion.findUnique({ where: { id: args.id }, select: { status: true } });
  if (!current) throw new AppError('RAPPORT_SUGGESTION_NOT_FOUND', undefined, { field: 'id' });
  if (!canTransition(current.status, args.to)) {
    throw new AppError(
      'RAPPORT_SUGGESTION_ILLEGAL_TRANSITION',
      `Suggestion ${args.id} is ${current.status}; it cannot become ${args.to}`,
    );
  }
  const { count } = await tx.suggestion.updateMany({
    where: { id: args.id, status: current.status },
    data: { ...args.patch, status: args.to },
  });
  if (count !== 1) {
    throw new AppError('RAPPORT_SUGGESTION_ILLEGAL_TRANSITION', `Suggestion ${args.id} changed while we were updating it`);
  }
  await writeAudit(tx, {
    actor: args.actor,
    entityType: 'suggestion',
    entityId: args.id,
    action: `suggestion.${args.to}`,
    fromStatus: current.status,
    toStatus: args.to,
    reason: args.reason ?? null,
    ...(args.data !== undefined ? { data: args.data } : {}),
  });
  return tx.suggestion.findUniqueOrThrow({ where: { id: args.id } });
}
