import { randomUUID } from 'node:crypto';
import { Queue, Worker } from 'bullmq';
import { pino } from 'pino';
import { SYSTEM } from '../src/audit/audit-log.js';
import { CustomerInput } from '../src/customers/customer-input.js';
import { upsertCustomer } from '../src/customers/upsert-customer.js';
import { DEMO_USERS, seedDemo } from '../src/demo/seed-demo.js';
import { EventInput } from '../src/events/event-input.js';
import { recordEvent } from '../src/events/record-event.js';
import { jobCatalog } from '../src/jobs/catalog.js';
import { connectRedis } from '../src/infra/redis.js';
import { startRapport } from '../src/main.js';
import type { PrismaClient } from '../src/generated/prisma/client.js';
import { flushQueuePrefix, freshDatabase, testConfig, TEST_REDIS_URL, uniqueName } from '../test/helpers/test-services.js';
import type { BenchResult } from './bench-result.js';
import { envInt } from './bench-env.js';

/**
 * The walking skeleton's first benchmark: how fast stored purchase events become stored thank-you
 * suggestions, against the fastest BullMQ can move the same number of jobs on the same Redis.
 *
 * What is timed is the pipeline, not HTTP: events are stored beforehand with `recordEvent` (timed
 * separately, as context), then the clock starts, one `evaluate-event` job per event is enqueued
 * exactly as the HTTP route does, and the clock stops when PostgreSQL holds one suggestion per event.
 */
const sizes = {
  customers: envInt('BENCH_CUSTOMERS', 200),
  events: envInt('BENCH_EVENTS', 1_000),
  concurrency: envInt('BENCH_CONCURRENCY', 5),
  /** Parallel `recordEvent` / `upsertCustomer` calls while preparing; below the default pool of 10. */
  setupParallelism: 8,
  timeoutMs: envInt('BENCH_TIMEOUT_MS', 60_000),
};

// A healthy pipeline is database-bound, so it cannot approach a no-op processor; this floor is
// there to catch a regression of an order of magnitude (a lost index, a per-job reconnect).
const PIPELINE_TARGET = '≥ 0.02×';

export async function benchEventsPipeline(): Promise<BenchResult[]> {
  const { customers, events, concurrency } = sizes;
  const label = `${events} events, ${customers} customers, concurrency ${concurrency}`;
  // The baseline never runs beside the pipeline, so they do not compete for Redis or CPU. It runs
  // before and after, and the faster counts: the first pass also pays for BullMQ's JIT warm-up,
  // and a burst of load on a shared machine during one pass should not flatter the ratio.
  const before = await measureNoopBaseline(events, concurrency);
  const pipeline = await measurePipeline();
  const noopJobsPerSec = Math.max(before, await measureNoopBaseline(events, concurrency));
  return [
    {
      name: `events → suggestions (${label})`,
      value: pipeline.suggestionsPerSec,
      unit: 'per s',
      baseline: { name: 'no-op BullMQ jobs, best of 2', value: noopJobsPerSec },
      ratio: pipeline.suggestionsPerSec / noopJobsPerSec,
      target: PIPELINE_TARGET,
    },
    { name: `  of which enqueueing ${events} evaluate-event jobs`, value: pipeline.enqueueMs, unit: 'ms' },
    { name: `recordEvent, ${sizes.setupParallelism} in parallel (setup, context)`, value: pipeline.recordedPerSec, unit: 'per s' },
  ];
}

/** The same number of jobs, job options and concurrency as Rapport's evaluate-event queue, doing nothing. */
async function measureNoopBaseline(jobs: number, concurrency: number): Promise<number> {
  const prefix = uniqueName('bench_noop');
  const connection = connectRedis({ url: TEST_REDIS_URL });
  const spec = jobCatalog['evaluate-event'];
  const queue = new Queue('noop', {
    connection,
    prefix,
    defaultJobOptions: { attempts: spec.attempts, backoff: spec.backoff, removeOnComplete: true, removeOnFail: true },
  });
  const worker = new Worker('noop', async () => undefined, { connection, prefix, concurrency });
  try {
    await worker.waitUntilReady();
    let completed = 0;
    const allDone = new Promise<void>((resolve, reject) => {
      worker.on('completed', () => {
        if (++completed === jobs) resolve();
      });
      worker.on('failed', (_job, err) => reject(err));
      setTimeout(() => reject(new Error(`no-op baseline: only ${completed}/${jobs} jobs done in ${sizes.timeoutMs} ms`)), sizes.timeoutMs).unref();
    });
    const started = performance.now();
    // Deterministic ids and a UUID payload, like evaluate-event, so Redis does the same work per job.
    await Promise.all(Array.from({ length: jobs }, (_, i) => queue.add('noop', { eventId: randomUUID() }, { jobId: `noop-${i}` })));
    await allDone;
    return jobs / ((performance.now() - started) / 1000);
  } finally {
    await worker.close();
    await queue.obliterate({ force: true }).catch(() => undefined);
    await queue.close();
    await connection.quit().catch(() => connection.disconnect());
  }
}

async function measurePipeline(): Promise<{ suggestionsPerSec: number; enqueueMs: number; recordedPerSec: number }> {
  // Rapport opens its own pool from the URL; freshDatabase's pool only migrates and is closed by drop().
  const database = await freshDatabase();
  // Several purchases per customer each draft a note only without the per-customer frequency cap;
  // the cap is still checked (same queries, same row lock), it just never says no.
  const config = testConfig({ DATABASE_URL: database.url, WORKER_CONCURRENCY: String(sizes.concurrency), NOTE_FREQUENCY_CAP_DAYS: '0' });
  // Warnings stay on so a failing job (which would stall the count) explains itself.
  const logger = pino({ level: process.env.BENCH_LOG_LEVEL ?? 'warn' });
  const rapport = await startRapport(config, logger, { http: false }).catch(async (err: unknown) => {
    await database.drop();
    throw err;
  });
  const { prisma } = rapport.runtime.db;
  try {
    await seedDemo(prisma);
    const customerIds = await createCustomers(prisma, sizes.customers);

    const eventIds: string[] = [];
    const recordStarted = performance.now();
    await forEachIndex(sizes.events, sizes.setupParallelism, async (i) => {
      const input = EventInput.parse({
        type: 'purchase',
        customerId: customerIds[i % customerIds.length],
        occurredAt: new Date(Date.UTC(2026, 10, 20, 9, 30) + i * 60_000).toISOString(),
        idempotencyKey: `bench-order-${i}`,
        data: { product: `Aurora desk lamp #${i}`, total: 129 },
      });
      const { event } = await recordEvent(prisma, input, SYSTEM);
      eventIds.push(event.id);
    });
    const recordedPerSec = sizes.events / ((performance.now() - recordStarted) / 1000);

    const started = performance.now();
    await Promise.all(eventIds.map((eventId) => rapport.runtime.queues.enqueue('evaluate-event', { eventId })));
    const enqueueMs = performance.now() - started;
    await waitForCount(prisma, sizes.events, started);
    const suggestionsPerSec = sizes.events / ((performance.now() - started) / 1000);
    return { suggestionsPerSec, enqueueMs, recordedPerSec };
  } finally {
    await rapport.close();
    await flushQueuePrefix(config.redis.queuePrefix);
    await database.drop();
  }
}

/** Customers spread over two owners and three locales, so templates and fallbacks vary as in life. */
async function createCustomers(prisma: PrismaClient, count: number): Promise<string[]> {
  const owners = DEMO_USERS.filter((u) => u.role === 'account_manager').map((u) => u.email);
  const locales = ['en', 'vi', 'en-GB'];
  const ids: string[] = [];
  await forEachIndex(count, sizes.setupParallelism, async (i) => {
    const input = CustomerInput.parse({
      externalId: `bench-${i}`,
      name: `Customer ${i}`,
      firstName: `Cust${i}`,
      email: `customer${i}@bench.example`,
      locale: locales[i % locales.length],
      owner: owners[i % owners.length],
    });
    const { customer } = await upsertCustomer(prisma, input, SYSTEM);
    ids.push(customer.id);
  });
  return ids;
}

/**
 * Polls until there is one suggestion per event. Fails fast, with the reasons the triggers gave,
 * when every event is evaluated but some drafted nothing (a policy said no): waiting longer would
 * only end in the timeout.
 */
async function waitForCount(prisma: PrismaClient, expected: number, startedAt: number): Promise<void> {
  for (;;) {
    const count = await prisma.suggestion.count();
    if (count === expected) return;
    if (count > expected) throw new Error(`expected ${expected} suggestions, found ${count}: some event drafted twice`);
    const evaluated = await prisma.customerEvent.count({ where: { evaluatedAt: { not: null } } });
    // Re-counting after all events are evaluated closes the race with a draft committed in between.
    if (evaluated === expected && (await prisma.suggestion.count()) < expected) {
      throw new Error(`events pipeline: all ${expected} events evaluated but only ${count} drafted a suggestion: ${await skipReasons(prisma)}`);
    }
    if (performance.now() - startedAt > sizes.timeoutMs) {
      throw new Error(`events pipeline: ${count}/${expected} suggestions (${evaluated} events evaluated) after ${sizes.timeoutMs} ms`);
    }
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** The skip reasons recorded in the events' audit entries, counted, e.g. "frequency_cap × 800". */
async function skipReasons(prisma: PrismaClient): Promise<string> {
  const entries = await prisma.auditEntry.findMany({ where: { action: 'event.evaluated' }, select: { data: true } });
  const reasons = new Map<string, number>();
  for (const { data } of entries) {
    const skipped = typeof data === 'object' && data !== null && 'skipped' in data && Array.isArray(data.skipped) ? data.skipped : [];
    for (const s of skipped) {
      const reason = typeof s === 'object' && s !== null && 'reason' in s ? String(s.reason) : 'unknown';
      reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
    }
  }
  return [...reasons].map(([r, n]) => `${r} × ${n}`).join(', ') || 'no skip reasons recorded';
}

/** Runs `fn(0..count-1)` with at most `limit` calls in flight. */
async function forEachIndex(count: number, limit: number, fn: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < count) await fn(next++);
  };
  await Promise.all(Array.from({ length: Math.min(limit, count) }, lane));
}
