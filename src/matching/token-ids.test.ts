import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hashSpan } from './span-table.js';
import { TokenIds } from './token-ids.js';

function idsOf(keys: readonly string[]): TokenIds {
  const ids = new TokenIds();
  for (const key of keys) assert.equal(ids.get(key), 0, `${JSON.stringify(key)} before it is added`);
  keys.forEach((key, i) => assert.equal(ids.add(key), i + 1));
  return ids;
}

test('numbers the keys 1, 2, 3… in every script, and has 0 for a word no pattern has', () => {
  // An empty key hashes to FNV_OFFSET, above int32: it must still be found.
  const keys = ['acme', 'viet', 'việt', 'پارس', 'ส', 'ยาม', 'a', 'corp2bx', ''];
  const ids = idsOf(keys);
  assert.equal(ids.size, keys.length);
  keys.forEach((key, i) => assert.equal(ids.get(key), i + 1, JSON.stringify(key)));
  for (const missing of ['acm', 'acmee', 'Acme', 'viêt', 'پارسی', 'x']) assert.equal(ids.get(missing), 0, missing);
});

test('keeps keys that share a hash and a length apart by their characters', () => {
  // ASCII capitals hash as their lower case (see hashSpan), so these three share a probe chain.
  const ids = idsOf(['acme', 'ACME', 'AcMe']);
  assert.deepEqual(['acme', 'ACME', 'AcMe', 'aCME'].map((key) => ids.get(key)), [1, 2, 3, 0]);
});

test('grows to the vocabulary of a 100,000-account index and still finds every key', () => {
  const keys = Array.from({ length: 400_000 }, (_, i) => `w${i.toString(36)}`);
  const ids = new TokenIds();
  for (const key of keys) ids.add(key);
  for (let i = 0; i < keys.length; i += 997) assert.equal(ids.get(keys[i] ?? ''), i + 1);
  assert.equal(ids.get('w-1'), 0);
});

test('lists the hash of every plain-ASCII key, and of no other', () => {
  const ids = idsOf(['acme', 'việt', 'ยาม', 'ibm']);
  const seen: number[] = [];
  ids.forEachAsciiKey((hash) => seen.push(hash));
  assert.deepEqual(seen.sort(), ['acme', 'ibm'].map((key) => hashSpan(key, 0, key.length)).sort());
});
