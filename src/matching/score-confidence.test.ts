import assert from 'node:assert/strict';
import { test } from 'node:test';
import { aliasSpecificity, identityScore, signalConfidence } from './score-confidence.js';

test('alias specificity grows with length and is clamped to [0.7, 0.95]', () => {
  assert.equal(aliasSpecificity(2, 1), 0.7);
  assert.equal(aliasSpecificity(5, 1), 0.85);
  assert.equal(aliasSpecificity(30, 3), 0.95);
});

test('identity is a noisy-OR of independent evidence', () => {
  assert.equal(identityScore([]), 0);
  assert.ok(Math.abs(identityScore([0.35, 0.3]) - 0.545) < 1e-9);
  assert.ok(identityScore([0.35, 0.3]) > identityScore([0.35]));
});

test('confidence scales identity by classification strength and stays within 0–1', () => {
  assert.equal(signalConfidence(1, 1), 1);
  assert.equal(signalConfidence(0.95, 0.3), 0.551);
  assert.equal(signalConfidence(2, 1), 1);
});
