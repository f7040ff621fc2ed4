import { createHash } from 'node:crypto';
import { z } from 'zod';

/**
 * Every background job Rapport runs: its payload schema (ids only — processors reload the truth
 * from PostgreSQL) and its retry policy. Queues, enqueueing and workers are all typed from here.
 * Each job name is its own BullMQ queue, so a slow kind of work never blocks another.
 */
export const jobCatalog = {
  'evaluate-event': {
    schema: z.object({ eventId: z.string().uuid() }),
    attempts: 5,
    backoff: { type: 'exponential', delay: 1_000 },
  },
  'deliver-email': {
    schema: z.object({ deliveryId: z.string().uuid() }),
    // Temporary SMTP trouble retries for roughly an hour and a half before the delivery is failed.
    attempts: 12,
    backoff: { type: 'exponential', delay: 2_000 },
  },
  /**
   * Bulk email deliveries due now, sent together (EMAIL_BATCH_SIZE at most): one job, and claims and
   * "sent" records in one statement for many emails instead of one each. Each delivery keeps its own guarantees;
   * retries of a failed send go back as single `deliver-email` jobs.
   */
  'deliver-email-batch': {
    schema: z.object({ deliveryIds: z.array(z.string().uuid()).min(1).max(500) }),
    attempts: 5,
    backoff: { type: 'exponential', delay: 2_000 },
  },
  /** Only with PRINT_PROVIDER_URL: one print note to the print-and-mail provider (idempotent by delivery id). */
  'deliver-print': {
    schema: z.object({ deliveryId: z.string().uuid() }),
    attempts: 12,
    backoff: { type: 'exponential', delay: 5_000 },
  },
  /**
   * A batch print run for the mail house (daily from PRINT_RUN_SCHEDULE, or on demand from the web
   * app). Runs are exclusive and crash-safe by themselves (print-claims.ts), so a retry is harmless.
   */
  'run-print': {
    schema: z.object({
      formats: z.array(z.string().regex(/^[a-z0-9-]+$/)).max(20).default([]),
      /** The user who asked for it; null for the daily schedule. */
      requestedBy: z.string().uuid().nullable().default(null),
    }),
    attempts: 3,
    backoff: { type: 'exponential', delay: 60_000 },
  },
  /** A gift order's next automatic step: its address-confirmation email, or (GIFT_PARTNER_URL) the partner, idempotent by order id. */
  'fulfil-gift': {
    schema: z.object({ giftOrderId: z.string().uuid() }),
    attempts: 12,
    backoff: { type: 'exponential', delay: 5_000 },
  },
  'poll-feed': {
    schema: z.object({ feedId: z.string().uuid() }),
    // Feed failures are recorded on the feed with their own backoff; the job itself rarely throws.
    attempts: 2,
    backoff: { type: 'fixed', delay: 5_000 },
  },
  'match-article': {
    schema: z.object({ articleId: z.string().uuid() }),
    attempts: 5,
    backoff: { type: 'exponential', delay: 1_000 },
  },
  'evaluate-signal': {
    schema: z.object({ signalId: z.string().uuid() }),
    attempts: 5,
    backoff: { type: 'exponential', delay: 1_000 },
  },
  /** Hourly: date and silence triggers for recipients whose local day has begun. */
  'scan-triggers': {
    schema: z.object({}),
    attempts: 3,
    backoff: { type: 'exponential', delay: 60_000 },
  },
  /** Hourly: the daily digest for account managers whose local morning has begun. */
  'send-digests': {
    schema: z.object({}),
    attempts: 3,
    backoff: { type: 'exponential', delay: 60_000 },
  },
} as const satisfies Record<string, JobSpec>;

interface JobSpec {
  schema: z.ZodType;
  attempts: number;
  backoff: { type: 'exponential' | 'fixed'; delay: number };
}

export type JobName = keyof typeof jobCatalog;
export type JobPayload<N extends JobName> = z.infer<(typeof jobCatalog)[N]['schema']>;
export const jobNames = Object.keys(jobCatalog) as JobName[];

/** Deterministic job ids where a duplicate would be harmful: BullMQ ignores an add with a known id. */
export const jobIdFor = {
  'evaluate-event': (p: JobPayload<'evaluate-event'>) => `event-${p.eventId}`,
  'deliver-email': (p: JobPayload<'deliver-email'>) => `deliver-${p.deliveryId}`,
  // The same batch enqueued twice (a retried approval) is one job.
  'deliver-email-batch': (p: JobPayload<'deliver-email-batch'>) => `email-batch-${createHash('sha1').update([...p.deliveryIds].sort().join(',')).digest('hex')}`,
  'deliver-print': (p: JobPayload<'deliver-print'>) => `print-${p.deliveryId}`,
  'run-print': () => undefined,
  'fulfil-gift': (p: JobPayload<'fulfil-gift'>) => `gift-${p.giftOrderId}`,
  // Polls come from a job scheduler (one per feed); a manual "poll now" may run beside them.
  'poll-feed': () => undefined,
  'match-article': (p: JobPayload<'match-article'>) => `match-${p.articleId}`,
  'evaluate-signal': (p: JobPayload<'evaluate-signal'>) => `signal-${p.signalId}`,
  'scan-triggers': () => undefined,
  'send-digests': () => undefined,
} satisfies { [N in JobName]: (p: JobPayload<N>) => string | undefined };
