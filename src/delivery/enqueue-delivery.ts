import type { Delivery, PrismaClient } from '../generated/prisma/client.js';
import type { Queues } from '../jobs/queues.js';
import { emailDomain } from './email-transitions.js';

/**
 * Job priorities on the delivery queues (BullMQ: 1 is served first). A note approved on its own
 * is someone waiting for it to go out; auto-approved and bulk-approved notes are a batch. So a
 * bulk run of thousands never holds up the one note an account manager just approved. Every
 * delivery job carries a priority: BullMQ serves jobs *without* one before all prioritized jobs.
 */
export const DELIVERY_PRIORITY = { single: 1, bulk: 10 } as const;

/**
 * Hands a scheduled delivery to the queue of its channel: `deliver-email`, or `deliver-print`
 * (which hands it to the print provider when one is configured and otherwise leaves it for a print
 * run). Delayed until its send time; the deterministic job id makes a repeat a no-op.
 */
export async function enqueueDelivery(
  queues: Queues,
  delivery: Pick<Delivery, 'id' | 'channel' | 'scheduledFor'>,
  opts: { priority?: keyof typeof DELIVERY_PRIORITY; now?: Date } = {},
): Promise<void> {
  const job = deliveryJob(delivery, opts);
  if (delivery.channel === 'print') await queues.enqueue('deliver-print', job.payload, job.opts);
  else await queues.enqueue('deliver-email', job.payload, job.opts);
}

/**
 * `enqueueDelivery` for deliveries known by id (auto-approved and bulk-approved notes): reads
 * channel, send time and recipient first, then hands them over with enqueueDeliveryBatch, batching
 * bulk emails that are due now.
 */
export async function enqueueDeliveries(prisma: PrismaClient, queues: Queues, ids: readonly string[], opts: { priority?: keyof typeof DELIVERY_PRIORITY } = {}): Promise<void> {
  if (!ids.length) return;
  // One joined query: Prisma's nested select reads the three tables one after another and joins
  // them in JavaScript, which cost 60-90 ms for a bulk run of 1,000 (this: about 20 ms).
  const rows = await prisma.$queryRaw<(Pick<Delivery, 'id' | 'channel' | 'scheduledFor'> & { email: string | null })[]>`
    SELECT d."id", d."channel", d."scheduledFor", c."email" FROM "Delivery" d
    JOIN "Suggestion" s ON s."id" = d."suggestionId"
    JOIN "Customer" c ON c."id" = s."customerId"
    WHERE d."id" = ANY(${ids}::uuid[])
    ORDER BY d."id"`;
  const domainOf = new Map(rows.map((row) => [row.id, queues.emailDomainKey(emailDomain(row.email) ?? '')]));
  await enqueueDeliveryBatch(queues, rows, { ...opts, batch: true, domainOf });
}

/**
 * `enqueueDelivery` for many loaded deliveries: one round trip to Redis per queue, not one per
 * delivery. With `batch`, bulk email deliveries due now go out together in `deliver-email-batch`
 * jobs (queues.emailBatchSize each); the rest keep a job each. The reconciler never batches: its
 * per-delivery job ids are what make re-enqueueing every minute a no-op.
 */
export async function enqueueDeliveryBatch(
  queues: Queues,
  deliveries: readonly Pick<Delivery, 'id' | 'channel' | 'scheduledFor'>[],
  opts: { priority?: keyof typeof DELIVERY_PRIORITY; now?: Date; batch?: boolean; domainOf?: ReadonlyMap<string, string> } = {},
): Promise<void> {
  const now = opts.now ?? new Date();
  const jobsOf = (channel: Delivery['channel']) => deliveries.filter((d) => d.channel === channel).map((d) => deliveryJob(d, { ...opts, now }));
  const emailJobs = jobsOf('email');
  const batchable = opts.batch && (opts.priority ?? 'bulk') === 'bulk' && queues.emailBatchSize > 1 ? emailJobs.filter((j) => !j.opts.delayMs) : [];
  if (batchable.length > 1) {
    const ids = batchable.map((j) => j.payload.deliveryId);
    const batches = cutEmailBatches(ids, queues.emailBatchSize, (id) => opts.domainOf?.get(id) ?? '');
    await queues.enqueueMany('deliver-email-batch', batches.map((deliveryIds) => ({ payload: { deliveryIds }, opts: { priority: DELIVERY_PRIORITY.bulk } })));
    await queues.enqueueMany('deliver-email', emailJobs.filter((j) => j.opts.delayMs));
  } else {
    await queues.enqueueMany('deliver-email', emailJobs);
  }
  await queues.enqueueMany('deliver-print', jobsOf('print'));
}

/**
 * A bulk run's email deliveries cut into batches of at most `size`, each of one recipient domain
 * (as `domainOf` names it: queues.emailDomainKey makes a mail provider's domains one), the domains
 * taking turns. One domain per batch because a batch sends one lane per domain and a lane pays its round trips (slots, rate, claim) per round whatever its size: fifty emails to forty
 * domains would be forty lanes of one or two. Taking turns because batches run side by side: one
 * domain's batches one after another would all wait on that domain's slots while the others idle.
 */
export function cutEmailBatches(ids: readonly string[], size: number, domainOf: (id: string) => string): string[][] {
  const byDomain = new Map<string, string[]>();
  for (const id of ids) {
    const domain = domainOf(id);
    const list = byDomain.get(domain);
    if (list) list.push(id);
    else byDomain.set(domain, [id]);
  }
  const chunked = [...byDomain.values()].map((list) => Array.from({ length: Math.ceil(list.length / size) }, (_, i) => list.slice(i * size, (i + 1) * size)));
  const total = chunked.reduce((n, chunks) => n + chunks.length, 0);
  const batches: string[][] = [];
  for (let round = 0; batches.length < total; round++) {
    for (const chunks of chunked) {
      const batch = chunks[round];
      if (batch) batches.push(batch);
    }
  }
  return batches;
}

/** The job for one delivery: delayed until its send time, at the priority of how it was approved. */
function deliveryJob(delivery: Pick<Delivery, 'id' | 'scheduledFor'>, opts: { priority?: keyof typeof DELIVERY_PRIORITY; now?: Date }) {
  const delayMs = Math.max(0, delivery.scheduledFor.getTime() - (opts.now ?? new Date()).getTime());
  return { payload: { deliveryId: delivery.id }, opts: { delayMs, priority: DELIVERY_PRIORITY[opts.priority ?? 'bulk'] } };
}
