import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseTriggerDefinition } from './trigger-definition.js';
import type { FieldIssue } from './validation-issues.js';

// Conditions as part of a trigger definition: every bad condition names its path in the tree.

const base = {
  name: 'Big spender',
  action: { template: 'thank-you', channel: 'email' },
};

const withConditions = (conditions: unknown, source: unknown = { type: 'event', eventType: 'purchase' }) => ({ ...base, source, conditions });

function issuesOf(input: unknown): FieldIssue[] {
  const result = parseTriggerDefinition(input);
  assert.ok(!result.success, 'expected the definition to be rejected');
  return [...result.issues].sort((a, b) => (a.field < b.field ? -1 : a.field > b.field ? 1 : 0));
}

describe('Condition schema within a TriggerDefinition', () => {
  const cases: { name: string; conditions: unknown; source?: unknown; issues: FieldIssue[] }[] = [
    {
      name: '__proto__ in a path',
      conditions: { field: 'customer.__proto__.polluted', op: 'exists' },
      issues: [{ field: 'conditions.field', message: 'path segments __proto__, prototype and constructor are not allowed' }],
    },
    {
      name: 'constructor deep in a tree',
      conditions: { all: [{ any: [{ field: 'account.constructor', op: 'eq', value: 1 }] }] },
      issues: [{ field: 'conditions.all.0.any.0.field', message: 'path segments __proto__, prototype and constructor are not allowed' }],
    },
    {
      name: 'unknown root',
      conditions: { field: 'order.total', op: 'gt', value: 5 },
      issues: [{ field: 'conditions.field', message: 'expected a path like customer.tier, account.country or event.data.total' }],
    },
    { name: 'missing op', conditions: { field: 'customer.tier', value: 'gold' }, issues: [{ field: 'conditions.op', message: 'expected one of eq, ne, gt, gte, lt, lte, in, nin, exists, contains' }] },
    {
      name: 'unknown op in a nested branch',
      conditions: { all: [{ field: 'customer.tier', op: 'eq', value: 'gold' }, { not: { field: 'customer.tier', op: 'like', value: 'g%' } }] },
      issues: [{ field: 'conditions.all.1.not.op', message: 'expected one of eq, ne, gt, gte, lt, lte, in, nin, exists, contains' }],
    },
    { name: 'empty all', conditions: { all: [] }, issues: [{ field: 'conditions.all', message: 'must have at least 1 item' }] },
    {
      name: 'all and any in one object',
      conditions: { all: [], any: [] },
      issues: [{ field: 'conditions', message: 'expected exactly one of all, any, not or field, got all and any' }],
    },
    { name: 'no recognised key', conditions: { every: [] }, issues: [{ field: 'conditions', message: 'expected one of the keys all, any, not or field' }] },
    {
      name: 'a string inside any',
      conditions: { any: ['customer.tier == gold'] },
      issues: [{ field: 'conditions.any.0', message: 'expected a condition object: {all: [...]}, {any: [...]}, {not: {...}} or {field, op, value}' }],
    },
    { name: 'eq without value', conditions: { field: 'customer.tier', op: 'eq' }, issues: [{ field: 'conditions.value', message: 'required' }] },
    { name: 'eq with a list', conditions: { field: 'customer.tier', op: 'eq', value: ['gold'] }, issues: [{ field: 'conditions.value', message: 'expected a string, number, boolean or null' }] },
    { name: 'in with a scalar', conditions: { field: 'customer.tier', op: 'in', value: 'gold' }, issues: [{ field: 'conditions.value', message: 'expected a list' }] },
    { name: 'in with an empty list', conditions: { field: 'customer.tier', op: 'nin', value: [] }, issues: [{ field: 'conditions.value', message: 'must have at least 1 item' }] },
    { name: 'in with an object element', conditions: { field: 'customer.tier', op: 'in', value: ['gold', {}] }, issues: [{ field: 'conditions.value.1', message: 'expected a string, number, boolean or null' }] },
    { name: 'gt with a boolean', conditions: { field: 'customer.lifetimeValue', op: 'gt', value: true }, issues: [{ field: 'conditions.value', message: 'expected a number or a string (ISO dates compare as dates)' }] },
    { name: 'contains null', conditions: { field: 'customer.tags', op: 'contains', value: null }, issues: [{ field: 'conditions.value', message: 'expected a string, number or boolean' }] },
    { name: 'exists with a string', conditions: { field: 'customer.birthday', op: 'exists', value: 'yes' }, issues: [{ field: 'conditions.value', message: 'expected true or false' }] },
    {
      name: 'unknown key next to a comparison',
      conditions: { field: 'customer.tier', op: 'eq', value: 'gold', caseSensitive: false },
      issues: [{ field: 'conditions.caseSensitive', message: 'unknown field' }],
    },
    {
      name: 'event fields on a date trigger',
      source: { type: 'date', field: 'birthday' },
      conditions: { any: [{ field: 'customer.tier', op: 'eq', value: 'gold' }, { field: 'event.data.total', op: 'gt', value: 5 }] },
      issues: [{ field: 'conditions.any.1.field', message: 'event fields are only available to event and milestone triggers, not date' }],
    },
    {
      name: 'nesting deeper than 8 levels',
      conditions: [...Array(8).keys()].reduce<unknown>((inner) => ({ not: inner }), { field: 'customer.tier', op: 'exists' }),
      issues: [{ field: 'conditions.not.not.not.not.not.not.not.not', message: 'conditions nest deeper than 8 levels' }],
    },
  ];
  for (const { name, conditions, source, issues } of cases) {
    it(name, () => assert.deepEqual(issuesOf(withConditions(conditions, source)), issues));
  }

  it('allows 8 levels of nesting and event fields on milestone triggers', () => {
    const deep = [...Array(7).keys()].reduce<unknown>((inner) => ({ not: inner }), { field: 'event.data.total', op: 'gt', value: 1 });
    const result = parseTriggerDefinition(withConditions(deep, { type: 'milestone', eventType: 'purchase', nth: 3 }));
    assert.equal(result.success, true);
  });
});
