import type { PrismaClient } from '../generated/prisma/client.js';
import { reconcileDeliveries } from '../delivery/reconcile-deliveries.js';
import { reconcilePrintDeliveries } from '../delivery/print/reconcile-print.js';
import { reconcileEvents } from '../events/reconcile-events.js';
import { reconcileFeeds } from '../feeds/reconcile-feeds.js';
import { expireSuggestions } from '../notes/expire-suggestions.js';
import { syncDigestSchedule } from '../notes/daily-digest.js';
import { reconcileTriggers } from '../triggers/reconcile-triggers.js';
import { reconcileGiftOrders } from '../gifts/reconcile-gift-orders.js';
import { syncPrintRunSchedule, type PrintRunSchedule } from '../delivery/print/print-run-schedule.js';
import type { Queues } from './queues.js';

export type ReconcileReport = Awaited<ReturnType<typeof reconcile>>;

/**
 * Re-creates Redis's view from PostgreSQL — unevaluated events, queued deliveries, feed schedules,
 * unmatched articles, unevaluated signals and the hourly trigger scan. Runs at start and every minute, so a flushed or replaced Redis loses nothing;
 * deterministic job ids make it a no-op for work Redis still has.
 */
export async function reconcile(prisma: PrismaClient, queues: Queues, now = new Date(), opts: { printProvider?: boolean; giftPartner?: boolean; printRuns?: Omit<PrintRunSchedule, 'provider'> } = {}) {
  return {
    ...(await reconcileEvents(prisma, queues)),
    ...(await reconcileDeliveries(prisma, queues, now)),
    ...(await reconcilePrintDeliveries(prisma, queues, { now, provider: opts.printProvider ?? false })),
    ...(await reconcileFeeds(prisma, queues)),
    ...(await expireSuggestions(prisma, now)),
    ...(await syncDigestSchedule(queues)),
    ...(opts.printRuns ? await syncPrintRunSchedule(queues, { ...opts.printRuns, provider: opts.printProvider ?? false }) : {}),
    ...(await reconcileGiftOrders(prisma, queues, { partner: opts.giftPartner ?? false })),
  };
}
