import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_MAX_POLL_DELAY_MS, FEED_ERROR_STATE_AFTER_FAILURES, nextPollDelayMs } from './poll-backoff.js';

const MINUTE = 60_000;
const exact = { jitter: () => 0.5 };

test('a healthy feed waits the base interval; each failure doubles it', () => {
  assert.deepEqual(
    [0, 1, 2, 3, 4].map((failures) => nextPollDelayMs(failures, 15 * MINUTE, exact)),
    [15, 30, 60, 120, 240].map((m) => m * MINUTE),
  );
});

test('the delay is capped, by default at a day, and never overflows', () => {
  assert.equal(nextPollDelayMs(20, 15 * MINUTE, exact), DEFAULT_MAX_POLL_DELAY_MS);
  assert.equal(nextPollDelayMs(5, 15 * MINUTE, { ...exact, maxMs: 60 * MINUTE }), 60 * MINUTE);
  assert.equal(nextPollDelayMs(10_000, 15 * MINUTE, exact), DEFAULT_MAX_POLL_DELAY_MS);
  assert.equal(nextPollDelayMs(Number.POSITIVE_INFINITY, 15 * MINUTE, exact), DEFAULT_MAX_POLL_DELAY_MS);
});

test('backoff never polls faster than the base interval, even when the cap is lower', () => {
  assert.equal(nextPollDelayMs(3, 48 * 60 * MINUTE, exact), 48 * 60 * MINUTE);
  assert.equal(nextPollDelayMs(0, 15 * MINUTE, { jitter: () => 0 }), 15 * MINUTE);
});

test('jitter spreads the delay by at most ±10 % within the bounds', () => {
  assert.equal(nextPollDelayMs(2, 10 * MINUTE, { jitter: () => 0 }), 36 * MINUTE);
  assert.equal(nextPollDelayMs(2, 10 * MINUTE, { jitter: () => 0.999999 }), Math.round(40 * MINUTE * 1.099_999_8));
  assert.equal(nextPollDelayMs(2, 10 * MINUTE, { jitter: () => 7 }), 44 * MINUTE, 'a bad jitter source is clamped');
});

test('nonsense failure counts count as none; a non-positive interval is a programming error', () => {
  assert.equal(nextPollDelayMs(-3, 15 * MINUTE, exact), 15 * MINUTE);
  assert.equal(nextPollDelayMs(Number.NaN, 15 * MINUTE, exact), 15 * MINUTE);
  assert.throws(() => nextPollDelayMs(1, 0), RangeError);
});

test('a feed is shown in error after a handful of failures, not the first', () => {
  assert.ok(FEED_ERROR_STATE_AFTER_FAILURES > 1 && FEED_ERROR_STATE_AFTER_FAILURES <= 10);
});
