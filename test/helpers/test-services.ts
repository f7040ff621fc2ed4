import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { loadConfig, type Config } from '../../src/config.js';
import { openDatabase, ensureSchemaExists, type Database } from '../../src/infra/database.js';
import { migrate } from '../../src/infra/migrator.js';

/** The machine's PostgreSQL and Redis; override for other setups. */
export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/test';
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

export const uniqueName = (prefix: string) => `${prefix}_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;

export const silentLogger = () => pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });

/**
 * A fresh, migrated PostgreSQL schema for one test file: `url` carries `?schema=`, so anything built
 * from it (including a child process) sees only this file's data. `drop()` removes it.
 */
export async function freshDatabase(): Promise<{ url: string; schema: string; db: Database; drop(): Promise<void> }> {
  const schema = uniqueName('t');
  const url = `${TEST_DATABASE_URL}${TEST_DATABASE_URL.includes('?') ? '&' : '?'}schema=${schema}`;
  const db = openDatabase({ url, poolSize: 5 });
  await ensureSchemaExists(db.pool, schema);
  await migrate(db.pool);
  return {
    url,
    schema,
    db,
    async drop() {
      await db.close();
      const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
      await admin.connect();
      await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await admin.end();
    },
  };
}

/** Config for a test: the given database, the machine's Redis under a unique queue prefix. */
export function testConfig(overrides: Record<string, string | undefined>): Config {
  return loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    REDIS_URL: TEST_REDIS_URL,
    QUEUE_PREFIX: uniqueName('q'),
    HTTP_PORT: '0',
    ...overrides,
  });
}

/** Removes every Redis key under a queue prefix — what a flushed or replaced Redis looks like. */
export async function flushQueuePrefix(prefix: string): Promise<number> {
  const redis = new Redis(TEST_REDIS_URL);
  let removed = 0;
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) removed += await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
  return removed;
}

/** Polls until `probe` returns a truthy value or the time is up (then throws with `what`). */
export async function waitFor<T>(what: string, probe: () => Promise<T | null | undefined | false>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
