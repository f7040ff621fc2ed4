import { DelayedError, Queue, Worker, UnrecoverableError, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { jobCatalog, jobIdFor, jobNames, type JobName, type JobPayload } from './catalog.js';

export interface Queues {
  /** `priority`: 1 is served first, larger later (BullMQ); a job without one goes before all prioritized jobs. */
  enqueue<N extends JobName>(name: N, payload: JobPayload<N>, opts?: EnqueueOptions): Promise<void>;
  /** Many jobs of one kind in one round trip to Redis (BullMQ addBulk); the same ids as `enqueue`. */
  enqueueMany<N extends JobName>(name: N, jobs: readonly { payload: JobPayload<N>; opts?: EnqueueOptions }[]): Promise<void>;
  queue(name: JobName): Queue;
  /** EMAIL_BATCH_SIZE: bulk email deliveries due now go out in `deliver-email-batch` jobs of this many (1: never). */
  readonly emailBatchSize: number;
  /**
   * What a batch has one of: the recipient domain's receiving mail system (see delivery/mail-providers.ts),
   * whose domains share their SMTP slots; by default the domain itself.
   */
  readonly emailDomainKey: (domain: string) => string;
  close(): Promise<void>;
}

export interface EnqueueOptions {
  delayMs?: number;
  priority?: number;
}

/** `token` is the worker's lock on the job, needed to move it out of `active` (see `postponeJob`). */
export type Processors = { [N in JobName]: (payload: JobPayload<N>, job: Job, token: string | undefined) => Promise<void> };

/**
 * Builds one BullMQ queue per catalog entry. Completed and failed jobs are removed: PostgreSQL keeps
 * the record of what happened, and a removed id can be enqueued again by the reconciler.
 */
export function createQueues(connection: Redis, prefix: string, opts: { emailBatchSize?: number; emailDomainKey?: (domain: string) => string } = {}): Queues {
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
  const jobFor = <N extends JobName>(name: N, payload: JobPayload<N>, opts: EnqueueOptions = {}) => {
    const jobId = (jobIdFor[name] as (p: JobPayload<N>) => string | undefined)(payload);
    return {
      name,
      data: jobCatalog[name].schema.parse(payload),
      opts: {
        ...(jobId ? { jobId } : {}),
        ...(opts.delayMs ? { delay: opts.delayMs } : {}),
        ...(opts.priority ? { priority: opts.priority } : {}),
      },
    };
  };
  return {
    async enqueue(name, payload, opts) {
      const job = jobFor(name, payload, opts);
      await get(name).add(job.name, job.data, job.opts);
    },
    async enqueueMany(name, jobs) {
      if (jobs.length) await get(name).addBulk(jobs.map((j) => jobFor(name, j.payload, j.opts)));
    },
    queue: get,
    emailBatchSize: opts.emailBatchSize ?? 1,
    emailDomainKey: opts.emailDomainKey ?? ((domain) => domain),
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
    /** Per-queue concurrency where it differs from `concurrency`. */
    concurrencyOf?: Partial<Record<JobName, number>>;
  },
): { close(): Promise<void> } {
  const workers = jobNames.map((name) => {
    const worker = new Worker(
      name,
      async (job, token) => {
        const parsed = jobCatalog[name].schema.safeParse(job.data);
        if (!parsed.success) throw new UnrecoverableError(`Bad payload for ${name}: ${parsed.error.message}`);
        await (processors[name] as (p: unknown, j: Job, t: string | undefined) => Promise<void>)(parsed.data, job, token);
      },
      {
        connection,
        prefix,
        concurrency: opts.concurrencyOf?.[name] ?? opts.concurrency,
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

/**
 * Puts the active job back to wait `delayMs` without spending one of its attempts (BullMQ's
 * moveToDelayed skips the attempt), for work that is fine but cannot run yet; `whenDelayed` runs
 * once it is delayed (and so can be woken early with `wakeDelayedJob`). Throws DelayedError, which
 * tells the worker the job has been moved: it is neither completed nor failed.
 */
export async function postponeJob(job: Job, token: string | undefined, delayMs: number, whenDelayed?: () => Promise<void>): Promise<never> {
  if (!token) throw new Error(`Job ${job.id ?? ''} cannot be postponed without the worker's lock token`);
  await job.moveToDelayed(Date.now() + delayMs, token);
  await whenDelayed?.();
  throw new DelayedError();
}

/**
 * Ends a postponement early: a delayed job becomes runnable now ('woken'). 'awake' means it is
 * running (it was not delayed yet, or its delay ran out); 'gone', that it is waiting, done or removed.
 */
export async function wakeDelayedJob(queue: Queue, jobId: string): Promise<'woken' | 'awake' | 'gone'> {
  const job = await queue.getJob(jobId);
  if (!job) return 'gone';
  const state = await job.getState();
  if (state === 'active') return 'awake';
  if (state !== 'delayed') return 'gone';
  // Its delay may run out between the two calls; then it is runnable anyway.
  return job.promote().then(
    () => 'woken' as const,
    () => 'gone' as const,
  );
}

/**
 * How long to postpone a job that found its resource busy: doubling with each postponement (from
 * `baseMs`, at most `maxMs`), with jitter so a crowd of postponed jobs does not return at once.
 * Postponements are starts that spent no attempt (BullMQ counts both).
 */
export function postponementDelayMs(job: Pick<Job, 'attemptsStarted' | 'attemptsMade'>, baseMs = 1_000, maxMs = 60_000): number {
  const postponedBefore = Math.max(0, job.attemptsStarted - job.attemptsMade - 1);
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.min(postponedBefore, 16));
  return Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
}
