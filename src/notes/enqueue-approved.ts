import type { PrismaClient } from '../generated/prisma/client.js';
import type { Queues } from '../jobs/queues.js';
import { enqueueDelivery, type DELIVERY_PRIORITY } from '../delivery/enqueue-delivery.js';

export interface EnqueueApprovedDeps {
  prisma: PrismaClient;
  queues: Queues;
  log: { warn(details: object, message: string): void };
}

/**
 * After approvals commit, hands their work to the queues: each note's delivery to its channel (at
 * the priority of how it was approved: one by one overtakes bulk) and each gift order to
 * fulfilment. Redis refusing loses nothing — the reconciler finds queued deliveries and waiting gift
 * orders in PostgreSQL within a minute — so a failure here is logged, never thrown at the approver.
 */
export async function enqueueApproved(deps: EnqueueApprovedDeps, suggestionIds: readonly string[], priority: keyof typeof DELIVERY_PRIORITY): Promise<void> {
  if (!suggestionIds.length) return;
  const approved = await deps.prisma.suggestion.findMany({
    where: { id: { in: [...suggestionIds] } },
    select: { delivery: { select: { id: true, channel: true, scheduledFor: true } }, giftOrder: { select: { id: true } } },
  });
  for (const { delivery, giftOrder } of approved) {
    if (delivery) {
      await enqueueDelivery(deps.queues, delivery, { priority }).catch((err: Error) =>
        deps.log.warn({ deliveryId: delivery.id, err: err.message }, 'could not enqueue delivery; the reconciler will'),
      );
    }
    if (giftOrder) {
      await deps.queues.enqueue('fulfil-gift', { giftOrderId: giftOrder.id }).catch((err: Error) =>
        deps.log.warn({ giftOrderId: giftOrder.id, err: err.message }, 'could not enqueue gift order; the reconciler will'),
      );
    }
  }
}
