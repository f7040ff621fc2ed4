import { Redis, type RedisOptions } from 'ioredis';

export type { Redis };

/** Where Redis is: a URL, or the unix socket of the embedded server. */
export type RedisTarget = { url: string } | { path: string };

/**
 * BullMQ needs `maxRetriesPerRequest: null` on connections used by workers (blocking commands must
 * wait out a Redis restart instead of failing the job), so every connection is made the same way.
 */
export function connectRedis(target: RedisTarget, extra: RedisOptions = {}): Redis {
  const options: RedisOptions = { maxRetriesPerRequest: null, enableReadyCheck: true, ...extra };
  return 'url' in target ? new Redis(target.url, options) : new Redis({ ...options, path: target.path });
}
