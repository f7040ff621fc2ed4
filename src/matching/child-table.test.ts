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

test('holds what it was made for, refuses more, and copies every transition into a bigger table', () => {
  const table = new ChildTable(100);
  assert.ok(table.capacity >= 100);
  for (let i = 0; i < table.capacity; i++) table.set(i, 7, i + 1);
  assert.throws(() => table.set(-1, 7, 1), /child table full/);
  const bigger = new ChildTable(table.capacity * 2);
  table.copyTo(bigger);
  assert.equal(bigger.size, table.size);
  for (let i = 0; i < table.capacity; i++) assert.equal(bigger.get(i, 7), i + 1);
  assert.equal(bigger.get(0, 8), -1);
});
