import type { Redis } from 'ioredis';
import { redisScript, type ScriptCall } from '../infra/redis-script.js';

/**
 * EMAIL_RATE_PER_SECOND counted in emails, for every process sharing the queue prefix. Single
 * deliveries are also paced by BullMQ's limiter on `deliver-email` (which counts jobs and so cannot
 * see a batch of fifty); both kinds take their sends from this one budget, so together they stay
 * within the rate.
 */
export interface EmailRate {
  /** Takes up to `wanted` sends from the current second's budget: how many, and when the next second begins. */
  take(wanted: number): Promise<RateGrant>;
  /** The script call `take` makes, for a caller that runs it beside another (see DomainSlotGroup.fillWith), and how to read its reply. */
  takeCall(wanted: number): { call: ScriptCall; grant(reply: unknown): RateGrant };
}

export interface RateGrant {
  granted: number;
  retryInMs: number;
}

// A fixed one-second window on Redis's clock (so workers with skewed clocks agree): the key holds
// what this second has used and expires with it.
// KEYS: window. ARGV: per second, wanted. Returns {granted, ms until the window ends}.
const TAKE = redisScript(`
local used = tonumber(redis.call('GET', KEYS[1]) or '0')
local granted = math.max(0, math.min(tonumber(ARGV[2]), tonumber(ARGV[1]) - used))
if granted > 0 then
  redis.call('INCRBY', KEYS[1], granted)
  if used == 0 then redis.call('PEXPIRE', KEYS[1], 1000) end
end
return {granted, redis.call('PTTL', KEYS[1])}`);

export function createEmailRate(redis: Redis, opts: { prefix: string; perSecond: number }): EmailRate {
  const key = `${opts.prefix}:email-rate`;
  const takeCall = (wanted: number) => ({ call: { script: TAKE, keys: [key], args: [opts.perSecond, wanted] }, grant });
  return {
    async take(wanted) {
      const { call } = takeCall(wanted);
      return grant(await TAKE.run(redis, call.keys, call.args));
    },
    takeCall,
  };
}

function grant(reply: unknown): RateGrant {
  const [granted, ttl] = reply as [number, number];
  // PTTL is -2 when nothing was taken this second (no key): the budget is whole again at once.
  return { granted, retryInMs: Math.max(ttl, 1) };
}
