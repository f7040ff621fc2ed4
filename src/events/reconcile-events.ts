import type { PrismaClient } from '../generated/prisma/client.js';
import type { Queues } from '../jobs/queues.js';
import { forEachPage } from '../jobs/for-each-page.js';

/** Enqueues evaluation for every stored event not yet evaluated (e.g. Redis was down at receipt). */
export async function reconcileEvents(prisma: PrismaClient, queues: Queues): Promise<{ eventsEnqueued: number }> {
  let eventsEnqueued = 0;
  await forEachPage(
    (cursor, take) =>
      prisma.customerEvent.findMany({ where: { evaluatedAt: null }, select: { id: true }, orderBy: { id: 'asc' }, take, ...(cursor ? { cursor: { id: cursor }, skip: 1 } : {}) }),
    async (page) => {
      for (const e of page) await queues.enqueue('evaluate-event', { eventId: e.id });
      eventsEnqueued += page.length;
    },
  );
  return { eventsEnqueued };
}
