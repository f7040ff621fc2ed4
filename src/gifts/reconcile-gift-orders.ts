import type { PrismaClient } from '../generated/prisma/client.js';
import { forEachPage } from '../jobs/for-each-page.js';
import type { Queues } from '../jobs/queues.js';

/**
 * Re-enqueues every pending gift order when a fulfilment partner is configured (the job id is the
 * order id, so this is a no-op for jobs Redis still has). Without a partner, orders wait for manual
 * fulfilment and nothing is enqueued.
 */
export async function reconcileGiftOrders(prisma: PrismaClient, queues: Queues, opts: { partner: boolean }): Promise<{ giftOrdersEnqueued: number }> {
  const report = { giftOrdersEnqueued: 0 };
  if (!opts.partner) return report;
  await forEachPage(
    (cursor, take) =>
      prisma.giftOrder.findMany({
        where: { status: 'pending' },
        select: { id: true },
        orderBy: { id: 'asc' },
        take,
        ...(cursor ? { cursor: { id: cursor }, skip: 1 } : {}),
      }),
    async (page) => {
      for (const o of page) await queues.enqueue('fulfil-gift', { giftOrderId: o.id });
      report.giftOrdersEnqueued += page.length;
    },
  );
  return report;
}
