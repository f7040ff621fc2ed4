import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cutEmailBatches } from './enqueue-delivery.js';

const domainOf = (id: string) => id.split('@')[1] ?? '';

test('each batch holds one recipient domain, and the domains take turns', () => {
  const ids = ['1@a', '2@b', '3@a', '4@a', '5@c', '6@b', '7@a', '8@a'];
  assert.deepEqual(cutEmailBatches(ids, 2, domainOf), [['1@a', '3@a'], ['2@b', '6@b'], ['5@c'], ['4@a', '7@a'], ['8@a']]);
});

test('every delivery lands in exactly one batch of at most the size', () => {
  const ids = Array.from({ length: 137 }, (_, i) => `${i}@d${i % 7}`);
  const batches = cutEmailBatches(ids, 10, domainOf);
  assert.deepEqual(batches.flat().sort(), [...ids].sort());
  assert.ok(batches.every((b) => b.length >= 1 && b.length <= 10 && new Set(b.map(domainOf)).size === 1));
});

test('without domains it is plain chunking in order', () => {
  assert.deepEqual(cutEmailBatches(['a', 'b', 'c'], 2, () => ''), [['a', 'b'], ['c']]);
  assert.deepEqual(cutEmailBatches([], 2, () => ''), []);
});
