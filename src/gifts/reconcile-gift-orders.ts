import type { GiftOrderStatus, PrismaClient } from '../generated/prisma/client.js';
import { forEachPage } from '../jobs/for-each-page.js';
import type { Queues } from '../jobs/queues.js';

/**
 * Re-enqueues the gift orders that have an automatic next step (the job id is the order id, so
 * this is a no-op for jobs Redis still has): orders whose address-confirmation email has not gone
 * out, and — when a fulfilment partner is configured — pending orders. Without a partner, pending
 * orders wait for a packing run and nothing is enqueued for them.
 */
export async function reconcileGiftOrders(prisma: PrismaClient, queues: Queues, opts: { partner: boolean }): Promise<{ giftOrdersEnqueued: number }> {
  const report = { giftOrdersEnqueued: 0 };
  const due = [{ status: 'awaiting_confirmation' as GiftOrderStatus, confirmationSentAt: null }, ...(opts.partner ? [{ status: 'pending' as GiftOrderStatus }] : [])];
  await forEachPage(
    (cursor, take) =>
      prisma.giftOrder.findMany({
        where: { OR: due },
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
