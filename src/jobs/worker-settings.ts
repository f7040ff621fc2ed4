import type { Config } from '../config.js';
import type { JobName } from './catalog.js';

/**
 * How many jobs of each queue a process runs at once, and the rate limits shared by every process —
 * what `startWorkers` needs from the configuration (main.ts and the benchmarks start workers alike).
 */
export function workerSettings(config: Config): {
  concurrency: number;
  concurrencyOf: Partial<Record<JobName, number>>;
  limiters: Partial<Record<JobName, { max: number; durationMs: number }>>;
} {
  return {
    concurrency: config.redis.concurrency,
    // A batch already sends side by side, one lane per recipient domain; a few batches at once keep
    // SMTP busy while one waits for PostgreSQL, and more would only split the domains' slots.
    concurrencyOf: { 'deliver-email-batch': Math.max(1, Math.ceil(config.redis.concurrency / 4)) },
    // SMTP relays throttle and providers bill by rate: one limit per channel's queue, shared by every
    // process (batches take their sends from the same email budget, see email-rate.ts).
    limiters: {
      'deliver-email': { max: config.mail.ratePerSecond, durationMs: 1_000 },
      'deliver-print': { max: config.print.providerRatePerSecond, durationMs: 1_000 },
      'fulfil-gift': { max: config.gifts.partnerRatePerSecond, durationMs: 1_000 },
    },
  };
}
