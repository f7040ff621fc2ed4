import type { PrismaClient } from '../generated/prisma/client.js';
import type { Queues } from '../jobs/queues.js';
import { enqueueDeliveries, type DELIVERY_PRIORITY } from '../delivery/enqueue-delivery.js';

export interface EnqueueApprovedDeps {
  prisma: PrismaClient;
  queues: Queues;
  log: { warn(details: object, message: string): void };
}

/**
 * After approvals commit, hands their work to the queues: each note's delivery to its channel (at
 * the priority of how it was approved: one by one overtakes bulk) and each gift order to
 * fulfilment — a bulk approval in a few round trips to Redis, not one per note. Redis refusing
 * loses nothing (the reconciler finds queued deliveries and waiting gift orders in PostgreSQL
 * within a minute), so a failure here is logged, never thrown at the approver.
 */
export async function enqueueApproved(deps: EnqueueApprovedDeps, suggestionIds: readonly string[], priority: keyof typeof DELIVERY_PRIORITY): Promise<void> {
  if (!suggestionIds.length) return;
  const approved = await deps.prisma.suggestion.findMany({
    where: { id: { in: [...suggestionIds] } },
    select: { delivery: { select: { id: true } }, giftOrder: { select: { id: true } } },
  });
  const deliveryIds = approved.flatMap((s) => (s.delivery ? [s.delivery.id] : []));
  const giftOrderIds = approved.flatMap((s) => (s.giftOrder ? [s.giftOrder.id] : []));
  await enqueueDeliveries(deps.prisma, deps.queues, deliveryIds, { priority }).catch((err: Error) =>
    deps.log.warn({ deliveryIds, err: err.message }, 'could not enqueue deliveries; the reconciler will'),
  );
  await deps.queues.enqueueMany('fulfil-gift', giftOrderIds.map((giftOrderId) => ({ payload: { giftOrderId } }))).catch((err: Error) =>
    deps.log.warn({ giftOrderIds, err: err.message }, 'could not enqueue gift orders; the reconciler will'),
  );
}
