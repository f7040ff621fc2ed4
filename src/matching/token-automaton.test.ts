import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PatternHits } from './pattern-hits.js';
import { TokenAutomatonBuilder, type TokenAutomaton } from './token-automaton.js';

/** Each hit as [pattern, first token, last token]. */
function findAll(automaton: TokenAutomaton, tokens: number[]): [number, number, number][] {
  const hits = new PatternHits();
  automaton.findAll(Int32Array.from(tokens), tokens.length, hits);
  return Array.from({ length: hits.count }, (_, h): [number, number, number] => [hits.pattern(h), hits.first(h), hits.last(h)]);
}

function matches(patterns: number[][], text: number[]): string[] {
  const builder = new TokenAutomatonBuilder();
  const ids = patterns.map((p) => builder.add(p));
  const automaton = builder.build();
  return findAll(automaton, text)
    .map(([pattern, first, last]) => {
      assert.equal(last - automaton.patternLength(pattern) + 1, first);
      return `${ids.indexOf(pattern)}@${first}-${last}`;
    })
    .sort();
}

test('finds overlapping and nested patterns in one pass', () => {
  assert.deepEqual(matches([[1, 2, 3], [2, 3], [3, 4], [2]], [1, 2, 3, 4]), ['0@0-2', '1@1-2', '2@2-3', '3@1-1']);
});

test('follows failure links after a partial match', () => {
  // "1 1 2" must find [1, 2] after the first 1 leads nowhere.
  assert.deepEqual(matches([[1, 2], [1, 1, 1]], [1, 1, 2]), ['0@1-2']);
});

test('token 0 (a word in no pattern) breaks a match', () => {
  assert.deepEqual(matches([[1, 2]], [1, 0, 2, 1, 2]), ['0@3-4']);
});

test('the same sequence added twice is one pattern', () => {
  const builder = new TokenAutomatonBuilder();
  assert.equal(builder.add([5, 6]), builder.add([5, 6]));
  assert.notEqual(builder.add([5]), builder.add([5, 6]));
});

test('a state with many children still finds each one', () => {
  const patterns = Array.from({ length: 50 }, (_, i) => [7, 100 + i]);
  assert.deepEqual(matches(patterns, [7, 149, 7, 100]), ['0@2-3', '49@0-1']);
});

test('a builder grown far past its first room (states and branching children) still finds every pattern', () => {
  // 3,000 patterns of three tokens under 60 first tokens: ~9,000 states and ~6,000 extra children,
  // several times what the builder holds before it first grows.
  const patterns = Array.from({ length: 3000 }, (_, i) => [1 + (i % 60), 100 + (i % 997), 2000 + i]);
  const builder = new TokenAutomatonBuilder();
  const ids = patterns.map((p) => builder.add(p));
  assert.equal(new Set(ids).size, patterns.length);
  const automaton = builder.build();
  for (const [i, pattern] of patterns.entries()) {
    const found = findAll(automaton, [0, ...pattern, 0]).map(([id]) => id);
    assert.deepEqual(found, [ids[i]], `pattern ${i}`);
  }
});

test('hits past the first room of the hit list are all kept, in order of their last token', () => {
  const builder = new TokenAutomatonBuilder();
  const pair = builder.add([1, 2]);
  const single = builder.add([2]);
  const automaton = builder.build();
  const tokens = Array.from({ length: 300 }, (_, i) => 1 + (i % 2)); // 1 2 1 2 …: 150 pairs
  const found = findAll(automaton, tokens);
  assert.equal(found.length, 300);
  assert.deepEqual(found.slice(0, 2), [[pair, 0, 1], [single, 1, 1]]);
  assert.deepEqual(found.at(-1), [single, 299, 299]);
  assert.ok(found.every(([, , last], h) => h === 0 || last >= (found[h - 1]?.[2] ?? 0)));
});
