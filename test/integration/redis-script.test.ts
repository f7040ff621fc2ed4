import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { redisScript } from '../../src/infra/redis-script.js';
import { TEST_REDIS_URL, uniqueName } from '../helpers/test-services.js';

const redis = new Redis(TEST_REDIS_URL);
after(() => redis.quit());

// Domain slots and the email rate run their Lua by SHA1; Redis forgets scripts on a restart or
// SCRIPT FLUSH, and the next call must send the script instead of failing the send.
test('a script runs by its hash, and again after Redis forgot it', async () => {
  const key = uniqueName('script');
  const add = redisScript(`return redis.call('INCRBY', KEYS[1], ARGV[1])`);
  assert.equal(await add.run(redis, [key], [2]), 2);
  await redis.script('FLUSH');
  assert.equal(await add.run(redis, [key], [3]), 5);
  assert.equal(await add.run(redis, [key], [1]), 6, 'loaded again by the fallback');
  await redis.del(key);
});

test('errors other than a missing script are not retried', async () => {
  const failing = redisScript(`return redis.call('NO_SUCH_COMMAND')`);
  await assert.rejects(failing.run(redis, [], []), /Unknown Redis command|unknown command/i);
});
