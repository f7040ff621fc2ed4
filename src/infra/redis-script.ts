import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';

/** A Lua script run by its SHA1, so each call sends a 40-character hash instead of the script. */
export interface RedisScript {
  readonly lua: string;
  run(redis: Redis, keys: readonly string[], args: readonly (string | number)[]): Promise<unknown>;
}

/** One call of a script: its keys and arguments. */
export interface ScriptCall {
  script: RedisScript;
  keys: readonly string[];
  args: readonly (string | number)[];
}

export function redisScript(lua: string): RedisScript {
  const sha = createHash('sha1').update(lua).digest('hex');
  return {
    lua,
    async run(redis, keys, args) {
      try {
        return await redis.evalsha(sha, keys.length, ...keys, ...args);
      } catch (err) {
        // First use on this Redis (or after SCRIPT FLUSH / a restart): load the script by sending it.
        if (!(err instanceof Error) || !err.message.startsWith('NOSCRIPT')) throw err;
        return redis.eval(lua, keys.length, ...keys, ...args);
      }
    },
  };
}

// Each script's body becomes a Lua function whose parameters are named KEYS and ARGV, so it reads
// its own keys and arguments unchanged. ARGV[1] and ARGV[2] say how many of the keys and arguments
// are the first call's.
const PAIR = (first: string, second: string) => `local function first(KEYS, ARGV)
${first}
end
local function second(KEYS, ARGV)
${second}
end
local keys, args = tonumber(ARGV[1]), tonumber(ARGV[2])
return {first({unpack(KEYS, 1, keys)}, {unpack(ARGV, 3, 2 + args)}), second({unpack(KEYS, keys + 1)}, {unpack(ARGV, 3 + args)})}`;

const pairs = new WeakMap<RedisScript, WeakMap<RedisScript, RedisScript>>();

/**
 * Runs two script calls as one script: one command and one round trip instead of two, each call
 * still seeing only its own keys and arguments; resolves to their two replies. (A batch's claim
 * renews its domain slots and takes from the email rate: two calls that are always made together.)
 * Both run atomically together, so they must not be slow ones. Each script must return a value
 * (false for none): a nil first reply would cut the pair's reply short, as Redis ends a Lua array
 * at its first nil.
 */
export function runPaired(redis: Redis, a: ScriptCall, b: ScriptCall): Promise<[unknown, unknown]> {
  let withFirst = pairs.get(a.script);
  if (!withFirst) pairs.set(a.script, (withFirst = new WeakMap()));
  let pair = withFirst.get(b.script);
  if (!pair) withFirst.set(b.script, (pair = redisScript(PAIR(a.script.lua, b.script.lua))));
  return pair.run(redis, [...a.keys, ...b.keys], [a.keys.length, a.args.length, ...a.args, ...b.args]) as Promise<[unknown, unknown]>;
}
