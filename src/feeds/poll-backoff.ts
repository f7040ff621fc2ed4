/** After this many failed polls in a row a feed shows status 'error' until a poll succeeds. */
export const FEED_ERROR_STATE_AFTER_FAILURES = 5;

/** Backoff never waits longer than a day: a feed that comes back is noticed the next day at worst. */
export const DEFAULT_MAX_POLL_DELAY_MS = 24 * 60 * 60 * 1000;

export interface PollBackoffOptions {
  /** Upper bound for the delay; a base interval above it wins, backoff never polls faster than normal. */
  maxMs?: number;
  /** Source of randomness in [0, 1); 0.5 yields the exact unjittered delay (for tests). */
  jitter?: () => number;
}

/**
 * How long to wait before polling a feed again: the base interval while it is healthy,
 * doubling with each consecutive failure up to `maxMs`, spread by ±10 % so that feeds which
 * failed together (one host down) do not all retry in the same second.
 */
export function nextPollDelayMs(
  consecutiveFailures: number,
  baseIntervalMs: number,
  opts: PollBackoffOptions = {},
): number {
  if (!Number.isFinite(baseIntervalMs) || baseIntervalMs <= 0) {
    throw new RangeError(`baseIntervalMs must be a positive number, got ${baseIntervalMs}`);
  }
  const cap = Math.max(opts.maxMs ?? DEFAULT_MAX_POLL_DELAY_MS, baseIntervalMs);
  const failures = Number.isNaN(consecutiveFailures) ? 0 : Math.max(0, Math.floor(consecutiveFailures));
  // 2 ** 40 already exceeds any sane cap; clamping the exponent keeps the number finite.
  const unjittered = Math.min(cap, baseIntervalMs * 2 ** Math.min(failures, 40));
  const random = Math.min(Math.max((opts.jitter ?? Math.random)(), 0), 1);
  const jittered = unjittered * (0.9 + 0.2 * random);
  return Math.round(Math.min(cap, Math.max(baseIntervalMs, jittered)));
}
