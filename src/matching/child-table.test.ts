import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ChildTable } from './child-table.js';

test('finds every stored transition and reports the missing ones as -1', () => {
  const table = new ChildTable(3000);
  for (let parent = 1; parent <= 30; parent++) for (let token = 1; token <= 100; token++) table.set(parent, token, parent * 1000 + token);
  for (let parent = 1; parent <= 30; parent++) {
    for (let token = 1; token <= 100; token++) assert.equal(table.get(parent, token), parent * 1000 + token);
    assert.equal(table.get(parent, 101), -1);
  }
  assert.equal(table.get(31, 1), -1);
});
