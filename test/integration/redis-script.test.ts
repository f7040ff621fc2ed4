import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { redisScript, runPaired } from '../../src/infra/redis-script.js';
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

// A batch's claim renews its domain slots and takes from the email rate in one round trip: the
// two scripts run as one, each reading only its own KEYS and ARGV.
test('two script calls run as one, each with its own keys and arguments', async () => {
  const [a, b] = [uniqueName('script-a'), uniqueName('script-b')];
  const describe = redisScript(`return {#KEYS, #ARGV, KEYS[1], ARGV[1], ARGV[#ARGV]}`);
  const add = redisScript(`return redis.call('INCRBY', KEYS[1], ARGV[1])`);
  assert.deepEqual(
    await runPaired(redis, { script: describe, keys: [a, b], args: ['x', 'y', 'z'] }, { script: add, keys: [a], args: [4] }),
    [[2, 3, a, 'x', 'z'], 4],
  );
  assert.deepEqual(await runPaired(redis, { script: add, keys: [b], args: [1] }, { script: describe, keys: [], args: [] }), [1, [0, 0]]);
  await redis.script('FLUSH');
  assert.deepEqual(await runPaired(redis, { script: add, keys: [b], args: [2] }, { script: add, keys: [a], args: [1] }), [3, 5], 'loaded again after Redis forgot it');
  await redis.del(a, b);
});
