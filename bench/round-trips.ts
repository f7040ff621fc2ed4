import type pg from 'pg';
import { Redis } from 'ioredis';

/**
 * Round trips are what the email path pays for beside the send itself, and unlike its timings they
 * hardly move from one run to the next on a noisy machine: a change that saves statements shows up
 * here even when emails per second cannot tell it from noise.
 */
export interface RoundTripCounter {
  /** Statements sent on the pool's connections so far (BEGIN and COMMIT count: each is a round trip). */
  statements(): number;
  /**
   * Commands this process's Redis clients have sent so far (BullMQ's included). The server's own
   * count would not do: it also counts every call a Lua script makes (about nine per email here).
   */
  redisCommands(): number;
}

let redisCommands = 0;
let redisCounted = false;

/** Counts the statements of `pool` (all of them: Prisma's and the prepared ones) from now on, and every Redis command of the process. */
export function countRoundTrips(pool: pg.Pool): RoundTripCounter {
  if (!redisCounted) {
    redisCounted = true;
    const send = Redis.prototype.sendCommand as (...args: unknown[]) => unknown;
    Redis.prototype.sendCommand = function (this: Redis, ...args: unknown[]) {
      redisCommands += 1;
      return send.apply(this, args);
    } as typeof Redis.prototype.sendCommand;
  }
  let statements = 0;
  const counted = new WeakSet<pg.PoolClient>();
  const count = (client: pg.PoolClient) => {
    if (counted.has(client)) return;
    counted.add(client);
    const query = client.query.bind(client) as (...args: unknown[]) => unknown;
    (client as { query: unknown }).query = (...args: unknown[]) => {
      statements += 1;
      return query(...args);
    };
  };
  // Every statement runs on a client checked out of the pool (pool.query checks one out too), and
  // the pool says 'acquire' for each checkout: one listener call, where wrapping pool.connect cost
  // a closure and a promise hop per statement on the clock of the path it measures.
  pool.on('acquire', count);
  return {
    statements: () => statements,
    redisCommands: () => redisCommands,
  };
}
