import assert from 'node:assert/strict';
import { test } from 'node:test';
import { builtInRuleFiles } from './rule-files.js';
import { compileRules, NO_CANDIDATES } from './rule-set.js';

const phrases = compileRules(builtInRuleFiles()).phrases;
const texts = (key: string) => {
  const found = phrases.startingWith(key);
  return [...found.loose.map((r) => r.phrase.text), ...[...found.bySecondKey.values()].flat().map((r) => r.phrase.text)];
};

test('a word that starts no phrase gets the shared empty answer, an unknown name as much as a common word', () => {
  assert.equal(phrases.startingWith('zorvel2k5x'), NO_CANDIDATES);
  assert.equal(phrases.startingWith('the'), NO_CANDIDATES);
  // Begins like open phrases ("recall*", "award*") without being one of them.
  assert.equal(phrases.startingWith('rec'), NO_CANDIDATES);
  assert.equal(phrases.startingWith('aw'), NO_CANDIDATES);
});

test('a word finds the phrases it starts: by its whole key, and the open ones by prefix', () => {
  assert.ok(texts('recalls').includes('recall*'), 'an open phrase, by prefix');
  assert.ok(texts('recall').includes('recall*'));
  assert.ok(texts('safety').includes('safety recall'), 'a two-word phrase, by its first word');
  assert.ok(!texts('safety').includes('recall*'));
  // The same answer twice (the memo), and the same object.
  assert.equal(phrases.startingWith('recalls'), phrases.startingWith('recalls'));
});
