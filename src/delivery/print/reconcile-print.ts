import type { PrismaClient } from '../../generated/prisma/client.js';
import { SYSTEM, writeAudit } from '../../audit/audit-log.js';
import { forEachPage } from '../../jobs/for-each-page.js';
import type { Queues } from '../../jobs/queues.js';
import { SENDING_LEASE_MS } from '../reconcile-deliveries.js';

/**
 * With a print provider configured, queued print deliveries are (re-)enqueued like emails. A claim
 * left in `sending` by a dead process is released and tried again — safe here, unlike email,
 * because the provider dedupes on the delivery id (Idempotency-Key). Without a provider, print
 * deliveries wait for a print run, which keeps its own lease; nothing to do.
 */
export async function reconcilePrintDeliveries(
  prisma: PrismaClient,
  queues: Queues,
  args: { now: Date; provider: boolean },
): Promise<{ printEnqueued: number; printReleased: number }> {
  const report = { printEnqueued: 0, printReleased: 0 };
  if (!args.provider) return report;
  const stale = await prisma.delivery.findMany({
    where: { status: 'sending', channel: 'print', printRunId: null, claimedAt: { lt: new Date(args.now.getTime() - SENDING_LEASE_MS) } },
    select: { id: true },
  });
  for (const d of stale) {
    await prisma.$transaction(async (tx) => {
      const { count } = await tx.delivery.updateMany({ where: { id: d.id, status: 'sending' }, data: { status: 'queued', claimedAt: null } });
      if (count === 1) {
        await writeAudit(tx, { actor: SYSTEM, entityType: 'delivery', entityId: d.id, action: 'delivery.released', fromStatus: 'sending', toStatus: 'queued', reason: 'interrupted while handing it to the print provider; resent with the same idempotency key' });
        report.printReleased += 1;
      }
    });
  }
  await forEachPage(
    (cursor, take) =>
      prisma.delivery.findMany({
        where: { status: 'queued', channel: 'print' },
        select: { id: true, scheduledFor: true },
        orderBy: { id: 'asc' },
        take,
        ...(cursor ? { cursor: { id: cursor }, skip: 1 } : {}),
      }),
    async (page) => {
      for (const d of page) await queues.enqueue('deliver-print', { deliveryId: d.id }, { delayMs: Math.max(0, d.scheduledFor.getTime() - args.now.getTime()) });
      report.printEnqueued += page.length;
    },
  );
  return report;
}
