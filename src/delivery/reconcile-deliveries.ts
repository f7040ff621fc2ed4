import type { PrismaClient } from '../generated/prisma/client.js';
import { SYSTEM, writeAudit } from '../audit/audit-log.js';
import { forEachPage } from '../jobs/for-each-page.js';
import type { Queues } from '../jobs/queues.js';
import { enqueueDeliveryBatch } from './enqueue-delivery.js';
import { transitionSuggestion } from '../notes/suggestion-status.js';

/** A claim older than this belongs to a process that died mid-send. */
export const SENDING_LEASE_MS = 10 * 60_000;

/**
 * Re-enqueues every queued email delivery from PostgreSQL (deterministic job ids make this a no-op
 * for jobs Redis still has) and fails deliveries whose sending claim outlived its lease.
 */
export async function reconcileDeliveries(prisma: PrismaClient, queues: Queues, now = new Date()): Promise<{ deliveriesEnqueued: number; interrupted: number }> {
  const report = { deliveriesEnqueued: 0, interrupted: 0 };
  await forEachPage(
    (cursor, take) =>
      prisma.delivery.findMany({
        where: { status: 'queued', channel: 'email' },
        select: { id: true, channel: true, scheduledFor: true },
        orderBy: { id: 'asc' },
        take,
        ...(cursor ? { cursor: { id: cursor }, skip: 1 } : {}),
      }),
    async (page) => {
      await enqueueDeliveryBatch(queues, page, { now, priority: 'bulk' });
      report.deliveriesEnqueued += page.length;
    },
  );

  // A delivery left in `sending` may or may not have reached the SMTP server. Sending again could
  // deliver twice, so it is failed with a reason a person can act on, never resent automatically.
  const stale = await prisma.delivery.findMany({
    // Email only: print runs hold their claims under their own lease, and a print provider is idempotent.
    where: { status: 'sending', channel: 'email', claimedAt: { lt: new Date(now.getTime() - SENDING_LEASE_MS) } },
    select: { id: true, suggestionId: true },
  });
  for (const d of stale) {
    const reason = 'interrupted while talking to the SMTP server: it may or may not have been sent; check the recipient before resending';
    await prisma.$transaction(async (tx) => {
      const { count } = await tx.delivery.updateMany({ where: { id: d.id, status: 'sending' }, data: { status: 'failed', lastError: reason } });
      if (count !== 1) return;
      await writeAudit(tx, { actor: SYSTEM, entityType: 'delivery', entityId: d.id, action: 'delivery.interrupted', fromStatus: 'sending', toStatus: 'failed', reason });
      await transitionSuggestion(tx, { id: d.suggestionId, to: 'failed', actor: SYSTEM, reason });
    });
    report.interrupted += 1;
  }
  return report;
}
