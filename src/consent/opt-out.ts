import type { PrismaClient } from '../generated/prisma/client.js';
import { SYSTEM, writeAudit } from '../audit/audit-log.js';

export type OptOutOutcome = 'opted_out' | 'already_opted_out' | 'unknown_customer';

/**
 * Opts a customer out because they asked through the link in a note. Takes effect at once: every
 * delivery checks `optedOut` when it is claimed, so notes already approved or queued are suppressed
 * and nothing more is sent. Repeating it (a second click, a client retrying the one-click POST)
 * changes nothing and writes no second audit entry.
 */
export async function optOutByLink(prisma: PrismaClient, args: { customerId: string; oneClick: boolean }): Promise<OptOutOutcome> {
  return prisma.$transaction(async (tx) => {
    const { count } = await tx.customer.updateMany({ where: { id: args.customerId, optedOut: false }, data: { optedOut: true } });
    if (count === 0) {
      const exists = await tx.customer.count({ where: { id: args.customerId } });
      return exists ? 'already_opted_out' : 'unknown_customer';
    }
    await writeAudit(tx, {
      actor: SYSTEM,
      entityType: 'customer',
      entityId: args.customerId,
      action: 'customer.opted_out',
      reason: 'unsubscribe link',
      data: { method: args.oneClick ? 'one-click (RFC 8058)' : 'unsubscribe page' },
    });
    return 'opted_out';
  });
}
