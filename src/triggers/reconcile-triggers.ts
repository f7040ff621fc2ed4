import type { PrismaClient } from '../generated/prisma/client.js';
import { forEachPage } from '../jobs/for-each-page.js';
import type { Queues } from '../jobs/queues.js';

export const SCAN_SCHEDULER_ID = 'scan-triggers-hourly';
export const SCAN_EVERY_MS = 60 * 60_000;

/**
 * Restores the hourly date/silence scan schedule (upserting an unchanged scheduler is a no-op) and
 * re-enqueues news signals that no trigger has looked at yet.
 */
export async function reconcileTriggers(prisma: PrismaClient, queues: Queues): Promise<{ signalsEnqueued: number }> {
  await queues.queue('scan-triggers').upsertJobScheduler(SCAN_SCHEDULER_ID, { every: SCAN_EVERY_MS }, { name: 'scan-triggers', data: {} });
  let signalsEnqueued = 0;
  await forEachPage(
    (cursor, take) =>
      prisma.signal.findMany({ where: { evaluatedAt: null }, select: { id: true }, orderBy: { id: 'asc' }, take, ...(cursor ? { cursor: { id: cursor }, skip: 1 } : {}) }),
    async (page) => {
      for (const s of page) await queues.enqueue('evaluate-signal', { signalId: s.id });
      signalsEnqueued += page.length;
    },
  );
  return { signalsEnqueued };
}
