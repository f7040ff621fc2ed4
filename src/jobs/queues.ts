import { Queue, Worker, UnrecoverableError, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { jobCatalog, jobIdFor, jobNames, type JobName, type JobPayload } from './catalog.js';

export interface Queues {
  /** `priority`: 1 is served first, larger later (BullMQ); a job without one goes before all prioritized jobs. */
  enqueue<N extends JobName>(name: N, payload: JobPayload<N>, opts?: { delayMs?: number; priority?: number }): Promise<void>;
  queue(name: JobName): Queue;
  close(): Promise<void>;
}

export type Processors = { [N in JobName]: (payload: JobPayload<N>, job: Job) => Promise<void> };

/**
 * Builds one BullMQ queue per catalog entry. Completed and failed jobs are removed: PostgreSQL keeps
 * the record of what happened, and a removed id can be enqueued again by the reconciler.
 */
export function createQueues(connection: Redis, prefix: string): Queues {
  const queues = new Map<JobName, Queue>(
    jobNames.map((name) => {
      const spec = jobCatalog[name];
      const queue = new Queue(name, {
        connection,
        prefix,
        defaultJobOptions: {
          attempts: spec.attempts,
          backoff: spec.backoff,
          removeOnComplete: true,
          removeOnFail: true,
        },
      });
      return [name, queue];
    }),
  );
  const get = (name: JobName): Queue => {
    const q = queues.get(name);
    if (!q) throw new Error(`No queue for job ${name}`);
    return q;
  };
  return {
    async enqueue(name, payload, opts = {}) {
      const data = jobCatalog[name].schema.parse(payload);
      const jobId = (jobIdFor[name] as (p: typeof payload) => string | undefined)(payload);
      await get(name).add(name, data, {
        ...(jobId ? { jobId } : {}),
        ...(opts.delayMs ? { delay: opts.delayMs } : {}),
        ...(opts.priority ? { priority: opts.priority } : {}),
      });
    },
    queue: get,
    async close() {
      await Promise.all([...queues.values()].map((q) => q.close()));
    },
  };
}

/** Starts one worker per job; each processor starts by validating its payload against the catalog. */
export function startWorkers(
  connection: Redis,
  prefix: string,
  processors: Processors,
  opts: {
    concurrency: number;
    logger: Logger;
    /** Per-queue rate limits (BullMQ `limiter`): at most `max` jobs per `durationMs`, shared by every worker on the queue. */
    limiters?: Partial<Record<JobName, { max: number; durationMs: number }>>;
  },
): { close(): Promise<void> } {
  const workers = jobNames.map((name) => {
    const worker = new Worker(
      name,
      async (job) => {
        const parsed = jobCatalog[name].schema.safeParse(job.data);
        if (!parsed.success) throw new UnrecoverableError(`Bad payload for ${name}: ${parsed.error.message}`);
        await (processors[name] as (p: unknown, j: Job) => Promise<void>)(parsed.data, job);
      },
      {
        connection,
        prefix,
        concurrency: opts.concurrency,
        ...(opts.limiters?.[name] ? { limiter: { max: opts.limiters[name].max, duration: opts.limiters[name].durationMs } } : {}),
      },
    );
    worker.on('failed', (job, err) =>
      opts.logger.warn({ job: name, jobId: job?.id, attempt: job?.attemptsMade, err: err.message }, 'job failed'),
    );
    worker.on('error', (err) => opts.logger.error({ job: name, err: err.message }, 'worker error'));
    return worker;
  });
  return {
    async close() {
      await Promise.all(workers.map((w) => w.close()));
    },
  };
}
