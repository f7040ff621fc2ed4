import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { z } from 'zod';
import { TriggerDefinition } from './trigger-definition.js';
import { expected, formatFieldIssues, formatZodIssues } from './validation-issues.js';

const issuesOf = (schema: z.ZodType, input: unknown) => {
  const result = schema.safeParse(input);
  assert.ok(!result.success, 'expected the input to be rejected');
  return formatZodIssues(result.error);
};

describe('formatZodIssues', () => {
  it('reports each unknown key at its own path', () => {
    const definition = {
      name: 'x',
      source: { type: 'silence', days: 30 },
      action: { template: 'check-in', channel: 'email' },
      extra: 1,
      policies: { priority: 1, window: {}, cap: 2 },
    };
    assert.deepEqual(issuesOf(TriggerDefinition, definition), [
      { field: 'policies.window', message: 'unknown field' },
      { field: 'policies.cap', message: 'unknown field' },
      { field: 'extra', message: 'unknown field' },
    ]);
  });

  it('rewrites zod’s wording into short messages, keeping custom ones', () => {
    const schema = z.strictObject({
      count: z.number().int().max(10),
      label: z.string().min(3),
      tags: z.array(z.string()).max(1),
      mode: z.enum(['a', 'b']),
      code: z.string({ error: expected('a code') }),
      note: z.string({ error: 'a custom message' }),
    });
    assert.deepEqual(issuesOf(schema, { count: 11, label: 'ab', tags: ['x', 'y'], mode: 'c', note: 5 }), [
      { field: 'count', message: 'must be <= 10' },
      { field: 'label', message: 'must have at least 3 characters' },
      { field: 'tags', message: 'must have at most 1 item' },
      { field: 'mode', message: 'expected one of "a", "b"' },
      { field: 'code', message: 'required' },
      { field: 'note', message: 'a custom message' },
    ]);
    assert.deepEqual(issuesOf(schema, { count: 'x', label: 1, tags: {}, mode: 'a', code: 1, note: '' }), [
      { field: 'count', message: 'expected a number' },
      { field: 'label', message: 'expected a string' },
      { field: 'tags', message: 'expected a list' },
      { field: 'code', message: 'expected a code' },
    ]);
  });
});

describe('formatFieldIssues', () => {
  it('prints one line per issue, without a field for the document itself', () => {
    assert.equal(
      formatFieldIssues([
        { field: '', message: 'expected an object' },
        { field: 'policies.sendWindow.start', message: 'expected HH:MM' },
      ]),
      'expected an object\npolicies.sendWindow.start: expected HH:MM',
    );
  });
});
