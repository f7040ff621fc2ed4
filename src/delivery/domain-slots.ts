import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { redisScript, runPaired, type RedisScript, type ScriptCall } from '../infra/redis-script.js';
import { mailProviderOf } from './mail-providers.js';

/**
 * At most `maxPerDomain` emails in flight to one recipient domain, across every worker process
 * sharing the queue prefix — so a bulk run to gmail.com takes a few SMTP connections and the rest
 * keep flowing to other domains (and big receivers do not throttle us for opening too many).
 *
 * A refused sender joins the domain's line of waiters and goes to sleep; each release hands the
 * freed slot to the first waiter (reserved for it) and wakes it, so a capped domain keeps its slots
 * busy without anyone polling for them, and nobody can take a slot from under a woken waiter. The
 * line is ordered by rank first (job priority: a note approved on its own before bulk), then by
 * when each waiter joined. Batches hold their slots while they send, so a batch that finds the line
 * waiting hands one slot to it each time it asks for more: a transactional note waits for one send,
 * not for a bulk run to end.
 */
export interface DomainSlots {
  /**
   * A slot for one send to `domain` (the one reserved for `waiter` if it was woken for it), or null
   * when the domain is at its cap: `waiter` has then joined the line at `rank` (lower goes first;
   * default 0), and must call `asleep(waiter)` once it has gone to sleep.
   */
  acquire(domain: string, waiter: string, rank?: number): Promise<DomainSlot | null>;
  /**
   * The refused waiter is asleep (ready to be woken): wakes waiters if slots were freed meanwhile,
   * which a release could not do while the waiter was still awake.
   */
  asleep(waiter: string): Promise<void>;
  /**
   * An empty group of slots for a batch's sends to `domain`, grown with `fill` to what is free. A
   * batch holds no place in the line: it sends with what it has and asks again, and gives a slot
   * to the line when someone waits there.
   */
  group(domain: string): DomainSlotGroup;
  /** The name `domain`'s slots are counted under: its mail provider's (see mailProviderOf), or itself. */
  slotDomain(domain: string): string;
}

export interface DomainSlotGroup {
  /**
   * Holds up to `wanted` slots in all, taking what is free now (the cap allows no more) and
   * renewing the lease of those already held; returns how many are held (0 … wanted). When the
   * domain's line has waiters, one held slot goes to the first of them.
   */
  fill(wanted: number): Promise<number>;
  /** `fill`, with another script's call on the same Redis in the same round trip: the slots held, and its reply. */
  fillWith(wanted: number, call: ScriptCall): Promise<[number, unknown]>;
  /**
   * Resolves when this process frees slots of the domain, or after `maxWaitMs` (others' releases
   * are only seen by asking again): how a group that got none waits before it asks again.
   */
  released(maxWaitMs: number): Promise<void>;
  /** Frees them all, then wakes the domain's first waiters. */
  release(): Promise<void>;
}

export interface DomainSlot {
  /** Frees the slot and wakes the first waiter of the domain, if any. */
  release(): Promise<void>;
}

/**
 * How a sleeping waiter is woken: 'woken'; 'awake' when it is still running (not asleep yet, or
 * woken by its own timer) — it stays first in line; 'gone' when there is nothing left to wake.
 */
export type WakeWaiter = (waiter: string) => Promise<'woken' | 'awake' | 'gone'>;

/** How long a slot is held at most: a worker killed mid-send cannot keep it longer than this. */
export const DOMAIN_SLOT_LEASE_MS = 2 * 60_000;
/** A line nobody touched for this long is dropped (its waiters also wake by their own timers). */
const LINE_TTL_MS = 15 * 60_000;
/**
 * How long a slot stays reserved for a woken waiter: long enough for its job to reach a worker
 * behind running ones; a waiter that never comes for it (its email went out by another path)
 * holds it no longer than this.
 */
const DOMAIN_SLOT_RESERVATION_MS = 15_000;
/** Line scores: rank first, then the moment of joining (ms, below 1e13 until the year 2286). */
const RANK_WEIGHT = 1e13;
const reservation = (waiter: string) => `reserved:${waiter}`;

// A counting semaphore with leases: one sorted set per domain, a member per slot holder scored by
// the moment its lease ends. Expired holders are swept before counting, so a slot leaked by a
// killed worker frees itself. Redis's own clock is used, so workers with skewed clocks agree.
const SWEEP = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)`;

// The line is a sorted set too, scored by rank, then by when a waiter first joined: one who is
// refused again keeps its place (NX) rather than joining twice. A woken waiter's reserved slot is
// a member `reserved:<waiter>` of the slots set (counted like any holder), which it turns into its
// own; a waiter that gets a slot leaves the line.
// KEYS: slots, line. ARGV: cap, lease ms, holder, waiter, line ttl ms, line score before the time.
// 1 = slot taken, 0 = in line.
const ACQUIRE = redisScript(`${SWEEP}
if redis.call('ZREM', KEYS[1], 'reserved:' .. ARGV[4]) == 1 or redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[1]) then
  redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[3])
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  redis.call('ZREM', KEYS[2], ARGV[4])
  return 1
end
redis.call('ZADD', KEYS[2], 'NX', tonumber(ARGV[6]) + now, ARGV[4])
redis.call('PEXPIRE', KEYS[2], ARGV[5])
return 0`);

// KEYS: slots, line. ARGV: cap, lease ms, held, wanted in all, holder prefix. Renews the held
// holders' leases (<prefix>:1 … <prefix>:held) and adds more while the cap allows; returns how
// many are held now and how many wait in the line.
const FILL_GROUP = redisScript(`${SWEEP}
local held = tonumber(ARGV[3])
local lease = now + tonumber(ARGV[2])
for i = 1, held do redis.call('ZADD', KEYS[1], 'XX', lease, ARGV[5] .. ':' .. i) end
local more = math.min(tonumber(ARGV[4]) - held, tonumber(ARGV[1]) - redis.call('ZCARD', KEYS[1]))
for i = 1, more do redis.call('ZADD', KEYS[1], lease, ARGV[5] .. ':' .. (held + i)) end
if held + more > 0 then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return {held + math.max(more, 0), redis.call('ZCARD', KEYS[2])}`);

// KEYS: slots, line. ARGV: cap, reservation ms, then the holders to remove (none or more). If a
// slot is free, the first waiter leaves the line with the slot reserved for it: {waiter, score}.
const NEXT_WAITER = redisScript(`
if #ARGV > 2 then redis.call('ZREM', KEYS[1], unpack(ARGV, 3)) end
${SWEEP}
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[1]) then return false end
local first = redis.call('ZPOPMIN', KEYS[2])
if not first[1] then return false end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), 'reserved:' .. first[1])
if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[2]) then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return first`);

/**
 * Domain slots kept in Redis under `<prefix>:smtp-domain:<domain>` (and `…:line`), where
 * `<domain>` is what `slotDomain` names a recipient domain: by default its mail provider's first
 * domain (see mailProviderOf); the runtime passes the one mapping it also cuts batches by.
 */
export function createDomainSlots(
  redis: Redis,
  opts: { prefix: string; maxPerDomain: number; wake: WakeWaiter; leaseMs?: number; slotDomain?: (domain: string) => string },
): DomainSlots {
  const leaseMs = opts.leaseMs ?? DOMAIN_SLOT_LEASE_MS;
  const providerOf = opts.slotDomain ?? mailProviderOf();
  const keys = (domain: string) => [`${opts.prefix}:smtp-domain:${domain}`, `${opts.prefix}:smtp-domain:${domain}:line`] as const;
  // Refused waiters of this process that have not reported asleep yet, and their domain.
  const refused = new Map<string, string>();
  // Groups of this process waiting for a domain's slots, woken by this process's releases at once.
  const waitingGroups = new Map<string, Set<() => void>>();
  const notifyGroups = (domain: string) => {
    for (const wake of waitingGroups.get(domain) ?? []) wake();
    waitingGroups.delete(domain);
  };

  const run = (s: RedisScript, domain: string, args: (string | number)[]): Promise<unknown> => s.run(redis, keys(domain), args);

  /**
   * Hands a freed slot to a waiter per `wakeups` while slots are free, passing over a few that need
   * no waking; the next release wakes the rest. The released holders go in the first call, the
   * reservation of a waiter that is gone in the next.
   */
  const wakeNext = async (domain: string, released: readonly string[], wakeups = 1): Promise<void> => {
    let freed = released;
    for (let i = 0, woken = 0; i < 3 + wakeups && woken < wakeups; i++) {
      const popped = await run(NEXT_WAITER, domain, [opts.maxPerDomain, DOMAIN_SLOT_RESERVATION_MS, ...freed]);
      freed = [];
      const [waiter, place] = Array.isArray(popped) ? (popped as string[]) : [];
      if (!waiter || !place) return;
      const outcome = await opts.wake(waiter);
      if (outcome === 'woken') woken += 1;
      if (outcome === 'gone') freed = [reservation(waiter)];
      if (outcome === 'awake') {
        // Not asleep yet: it goes back to its place without the reservation, and wakes itself
        // (asleep()) or is woken by the next release.
        await redis.multi().zrem(keys(domain)[0], reservation(waiter)).zadd(keys(domain)[1], 'NX', place, waiter).exec();
        return;
      }
    }
    if (freed.length) await redis.zrem(keys(domain)[0], ...freed);
  };

  return {
    async acquire(recipientDomain, waiter, rank = 0) {
      const domain = providerOf(recipientDomain);
      const holder = randomUUID();
      if ((await run(ACQUIRE, domain, [opts.maxPerDomain, leaseMs, holder, waiter, LINE_TTL_MS, rank * RANK_WEIGHT])) !== 1) {
        refused.set(waiter, domain);
        return null;
      }
      return {
        release: async () => {
          await wakeNext(domain, [holder]);
          notifyGroups(domain);
        },
      };
    },
    group(recipientDomain) {
      const domain = providerOf(recipientDomain);
      const prefix = randomUUID();
      let held = 0;
      const fillArgs = (wanted: number) => [opts.maxPerDomain, leaseMs, held, wanted, prefix];
      // What FILL_GROUP answered: the slots held now, and the line's length.
      const filled = async ([count, waiting]: [number, number]) => {
        held = count;
        if (waiting > 0 && held > 0) {
          // Someone waits in the line (a note approved on its own, a delivery handed over): one of
          // the batch's slots goes to them, so they wait for one send rather than the whole batch.
          held -= 1;
          await wakeNext(domain, [`${prefix}:${held + 1}`], 1);
        }
        return held;
      };
      return {
        async fill(wanted) {
          if (wanted <= held) return held;
          return filled((await run(FILL_GROUP, domain, fillArgs(wanted))) as [number, number]);
        },
        async fillWith(wanted, call) {
          if (wanted <= held) return [held, await call.script.run(redis, call.keys, call.args)];
          const [fill, reply] = await runPaired(redis, { script: FILL_GROUP, keys: keys(domain), args: fillArgs(wanted) }, call);
          return [await filled(fill as [number, number]), reply];
        },
        released(maxWaitMs) {
          return new Promise<void>((resolve) => {
            const timer = setTimeout(done, maxWaitMs);
            function done() {
              clearTimeout(timer);
              waitingGroups.get(domain)?.delete(done);
              resolve();
            }
            waitingGroups.set(domain, (waitingGroups.get(domain) ?? new Set()).add(done));
          });
        },
        async release() {
          const holders = Array.from({ length: held }, (_, i) => `${prefix}:${i + 1}`);
          const count = held;
          held = 0;
          if (!count) return;
          await wakeNext(domain, holders, count);
          notifyGroups(domain);
        },
      };
    },
    slotDomain: providerOf,
    async asleep(waiter) {
      const domain = refused.get(waiter);
      refused.delete(waiter);
      if (domain) await wakeNext(domain, []);
    },
  };
}

