import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EMPTY_FORM, definitionFromForm, formFromDefinition } from './trigger-form.js';

const form = (over: Record<string, string>) => ({ ...EMPTY_FORM, key: 'k', name: 'Thanks', eventType: 'purchase', template: 'thank-you', ...over });

test('a valid form becomes a definition and back', () => {
  const { definition, errors } = definitionFromForm(form({ expiresAfterHours: '48', conditions: '{"field":"customer.tier","op":"eq","value":"gold"}' }));
  assert.deepEqual(errors, {});
  assert.equal(definition?.action.expiresAfterHours, 48);
  assert.deepEqual(definition?.conditions, { field: 'customer.tier', op: 'eq', value: 'gold' });
  const back = formFromDefinition('k', definition!);
  assert.equal(back['eventType'], 'purchase');
  assert.equal(back['expiresAfterHours'], '48');
});

test('each problem is reported beside the field that shows it', () => {
  assert.deepEqual(Object.keys(definitionFromForm(form({ name: '', eventType: '' })).errors).sort(), ['eventType', 'name']);
  assert.match(definitionFromForm(form({ priority: 'high' })).errors['priority'] ?? '', /expected a number/);
  assert.match(definitionFromForm(form({ conditions: '{' })).errors['conditions'] ?? '', /not valid JSON/);
  assert.match(definitionFromForm(form({ conditions: '{"field":"customer.tier","op":"like","value":"x"}' })).errors['conditions'] ?? '', /^conditions/);
  assert.ok(definitionFromForm(form({ sourceType: 'silence', silenceDays: '0' })).errors['silenceDays']);
  assert.ok(definitionFromForm(form({ sendWindow: '{"days":["mon"],"start":"18:00","end":"09:00"}' })).errors['sendWindow']);
});

test('editing keeps what the form does not show (a specific approver)', () => {
  const base = definitionFromForm(form({})).definition!;
  const withApprover = { ...base, action: { ...base.action, approver: { userId: 'u-1' } } };
  assert.deepEqual(definitionFromForm(form({}), withApprover).definition?.action.approver, { userId: 'u-1' });
});
