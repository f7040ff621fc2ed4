import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  expiresAfterHours,
  isCelebratory,
  isYearlyDateField,
  parseTriggerDefinition,
  TriggerDefinition,
  type TriggerSource,
} from './trigger-definition.js';
import { formatFieldIssues, type FieldIssue } from './validation-issues.js';

const birthday = {
  name: 'Birthday card',
  source: { type: 'date', field: 'birthday', offsetDays: -3 },
  action: { template: 'birthday', channel: 'print', giftSku: 'CHOC-BOX-S' },
  policies: { priority: 10, sendWindow: { days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '09:00', end: '17:00' } },
};

function parsed(input: unknown): TriggerDefinition {
  const result = parseTriggerDefinition(input);
  assert.ok(result.success, `expected valid, got ${result.success ? '' : formatFieldIssues(result.issues)}`);
  return result.data;
}

function issuesOf(input: unknown): FieldIssue[] {
  const result = parseTriggerDefinition(input);
  assert.ok(!result.success, 'expected the definition to be rejected');
  return result.issues;
}

/** The definition with one top-level part replaced: `withPart('source', {...})`. */
function withPart(key: string, value: unknown): Record<string, unknown> {
  return { ...birthday, [key]: value };
}

describe('TriggerDefinition: valid definitions', () => {
  it('accepts every source type', () => {
    const sources: TriggerSource[] = [
      { type: 'event', eventType: 'order.completed' },
      { type: 'news', kinds: ['funding', 'award'], minConfidence: 0.7, polarity: 'positive' },
      { type: 'news', kinds: ['layoffs'], minConfidence: 0 },
      { type: 'date', field: 'account.renewalDate', offsetDays: -14 },
      { type: 'milestone', eventType: 'purchase', nth: 10 },
      { type: 'milestone', lifetimeValueAtLeast: 10_000 },
      { type: 'silence', days: 90 },
    ];
    for (const source of sources) assert.deepEqual(parsed(withPart('source', source)).source, source);
  });

  it('fills defaults: offsetDays 0, approval required, priority 0, no policies at all', () => {
    const definition = parsed({
      name: 'Anniversary',
      source: { type: 'date', field: 'customerSince' },
      action: { template: 'anniversary', channel: 'email' },
    });
    assert.deepEqual(definition.source, { type: 'date', field: 'customerSince', offsetDays: 0 });
    assert.equal(definition.action.approval, 'required');
    assert.deepEqual(definition.policies, { priority: 0 });
  });

  it('accepts nested conditions, a named approver, holidays and a window until midnight', () => {
    const definition = parsed({
      ...birthday,
      source: { type: 'event', eventType: 'purchase' },
      conditions: {
        all: [
          { field: 'customer.tier', op: 'in', value: ['gold', 'platinum'] },
          { any: [{ field: 'customer.tags', op: 'contains', value: 'vip' }, { field: 'event.data.total', op: 'gte', value: 500 }] },
          { not: { field: 'account.country', op: 'eq', value: 'US' } },
          { field: 'customer.birthday', op: 'exists' },
        ],
      },
      action: { template: 'thank-you', channel: 'email', approval: 'required', approver: { userId: 'u_1' }, delayMinutes: 60 },
      policies: { sendWindow: { days: ['sat'], start: '10:00', end: '24:00', holidays: ['2024-12-25'] }, cooldownDays: 30 },
    });
    assert.equal(definition.policies.sendWindow?.end, '24:00');
    assert.deepEqual(definition.action.approver, { userId: 'u_1' });
    assert.ok(definition.conditions && 'all' in definition.conditions && definition.conditions.all.length === 4);
  });

  it('accepts a holiday calendar name instead of dates', () => {
    const definition = parsed({ ...birthday, policies: { sendWindow: { ...birthday.policies.sendWindow, holidays: 'de-by' } } });
    assert.equal(definition.policies.sendWindow?.holidays, 'de-by');
  });
});

describe('TriggerDefinition: each bad input names its field', () => {
  const cases: { name: string; input: unknown; issues: FieldIssue[] }[] = [
    { name: 'not an object', input: 5, issues: [{ field: '', message: 'expected an object' }] },
    { name: 'missing name', input: { ...birthday, name: undefined }, issues: [{ field: 'name', message: 'required' }] },
    { name: 'blank name', input: withPart('name', '   '), issues: [{ field: 'name', message: 'must not be empty' }] },
    { name: 'unknown top-level key', input: withPart('cooldownDays', 3), issues: [{ field: 'cooldownDays', message: 'unknown field' }] },
    { name: 'missing source', input: { ...birthday, source: undefined }, issues: [{ field: 'source', message: 'required' }] },
    {
      name: 'source not an object',
      input: withPart('source', 'birthday'),
      issues: [{ field: 'source', message: 'expected a source object with a type (event, news, date, milestone, silence)' }],
    },
    {
      name: 'unknown source type',
      input: withPart('source', { type: 'weather' }),
      issues: [{ field: 'source.type', message: 'expected one of event, news, date, milestone, silence' }],
    },
    { name: 'event without eventType', input: withPart('source', { type: 'event' }), issues: [{ field: 'source.eventType', message: 'required' }] },
    {
      name: 'event type with spaces',
      input: withPart('source', { type: 'event', eventType: 'big purchase' }),
      issues: [{ field: 'source.eventType', message: 'expected an event type like "purchase" (letters, digits, _ . -)' }],
    },
    {
      name: 'news without kinds and with confidence above 1',
      input: withPart('source', { type: 'news', kinds: [], minConfidence: 1.5 }),
      issues: [
        { field: 'source.kinds', message: 'must have at least 1 item' },
        { field: 'source.minConfidence', message: 'must be <= 1' },
      ],
    },
    {
      name: 'news kind listed twice, bad polarity',
      input: withPart('source', { type: 'news', kinds: ['award', 'award'], minConfidence: 0.5, polarity: 'good' }),
      issues: [
        { field: 'source.kinds', message: 'lists a kind twice' },
        { field: 'source.polarity', message: 'expected one of "positive", "negative", "neutral"' },
      ],
    },
    {
      name: 'unknown date field',
      input: withPart('source', { type: 'date', field: 'weddingDay' }),
      issues: [
        {
          field: 'source.field',
          message: 'expected one of "birthday", "customerSince", "renewalDate", "account.customerSince", "account.renewalDate"',
        },
      ],
    },
    {
      name: 'fractional offset',
      input: withPart('source', { type: 'date', field: 'birthday', offsetDays: 1.5 }),
      issues: [{ field: 'source.offsetDays', message: 'expected an integer' }],
    },
    {
      name: 'offset beyond a year',
      input: withPart('source', { type: 'date', field: 'birthday', offsetDays: -400 }),
      issues: [{ field: 'source.offsetDays', message: 'must be >= -366' }],
    },
    { name: 'offset as a string', input: withPart('source', { type: 'date', field: 'birthday', offsetDays: '-14' }), issues: [{ field: 'source.offsetDays', message: 'expected a number' }] },
    {
      name: 'milestone mixing both forms',
      input: withPart('source', { type: 'milestone', eventType: 'purchase', nth: 3, lifetimeValueAtLeast: 100 }),
      issues: [{ field: 'source', message: 'a milestone is either {eventType, nth} or {lifetimeValueAtLeast}, not both' }],
    },
    {
      name: 'milestone with neither form',
      input: withPart('source', { type: 'milestone' }),
      issues: [
        { field: 'source.eventType', message: 'required' },
        { field: 'source.nth', message: 'required' },
      ],
    },
    { name: 'zeroth purchase', input: withPart('source', { type: 'milestone', eventType: 'purchase', nth: 0 }), issues: [{ field: 'source.nth', message: 'must be >= 1' }] },
    {
      name: 'negative lifetime value',
      input: withPart('source', { type: 'milestone', lifetimeValueAtLeast: -5 }),
      issues: [{ field: 'source.lifetimeValueAtLeast', message: 'must be > 0' }],
    },
    { name: 'silence of zero days', input: withPart('source', { type: 'silence', days: 0 }), issues: [{ field: 'source.days', message: 'must be >= 1' }] },
    {
      name: 'silence with an unknown key',
      input: withPart('source', { type: 'silence', days: 30, day: 30 }),
      issues: [{ field: 'source.day', message: 'unknown field' }],
    },
    { name: 'missing action', input: { ...birthday, action: undefined }, issues: [{ field: 'action', message: 'required' }] },
    {
      name: 'bad template and channel',
      input: withPart('action', { template: 'Birthday Card!', channel: 'fax' }),
      issues: [
        { field: 'action.template', message: 'expected a template key like "birthday" (a-z, 0-9, _ and -)' },
        { field: 'action.channel', message: 'expected one of "email", "print"' },
      ],
    },
    {
      name: 'approver with auto approval',
      input: withPart('action', { template: 'birthday', channel: 'email', approval: 'auto', approver: 'owner' }),
      issues: [{ field: 'action.approver', message: 'only used when approval is "required"' }],
    },
    {
      name: 'unknown approval and approver',
      input: withPart('action', { template: 'birthday', channel: 'email', approval: 'maybe', approver: 'boss' }),
      issues: [
        { field: 'action.approval', message: 'expected one of "auto", "required"' },
        { field: 'action.approver', message: 'expected "owner" or {"userId": "..."}' },
      ],
    },
    {
      name: 'negative delay, zero expiry, empty gift SKU',
      input: withPart('action', { template: 'birthday', channel: 'email', delayMinutes: -1, expiresAfterHours: 0, giftSku: '' }),
      issues: [
        { field: 'action.giftSku', message: 'must not be empty' },
        { field: 'action.delayMinutes', message: 'must be >= 0' },
        { field: 'action.expiresAfterHours', message: 'must be >= 1' },
      ],
    },
    {
      name: 'send window start not HH:MM',
      input: withPart('policies', { sendWindow: { days: ['mon'], start: '9:00', end: '17:00' } }),
      issues: [{ field: 'policies.sendWindow.start', message: 'expected HH:MM' }],
    },
    {
      name: 'send window hour 25 and missing end',
      input: withPart('policies', { sendWindow: { days: ['mon'], start: '25:00' } }),
      issues: [
        { field: 'policies.sendWindow.start', message: 'expected HH:MM' },
        { field: 'policies.sendWindow.end', message: 'required' },
      ],
    },
    {
      name: 'overnight send window',
      input: withPart('policies', { sendWindow: { days: ['mon'], start: '22:00', end: '06:00' } }),
      issues: [{ field: 'policies.sendWindow.end', message: 'must be after start (overnight windows are not supported)' }],
    },
    {
      name: 'empty window',
      input: withPart('policies', { sendWindow: { days: ['mon'], start: '09:00', end: '09:00' } }),
      issues: [{ field: 'policies.sendWindow.end', message: 'must be after start (overnight windows are not supported)' }],
    },
    {
      name: 'no days',
      input: withPart('policies', { sendWindow: { days: [], start: '09:00', end: '17:00' }, priority: 1 }),
      issues: [{ field: 'policies.sendWindow.days', message: 'must have at least 1 item' }],
    },
    {
      name: 'misspelt weekday and duplicate',
      input: withPart('policies', { sendWindow: { days: ['mon', 'funday', 'mon'], start: '09:00', end: '17:00' } }),
      issues: [{ field: 'policies.sendWindow.days.1', message: 'expected one of "mon", "tue", "wed", "thu", "fri", "sat", "sun"' }],
    },
    {
      name: 'a day listed twice',
      input: withPart('policies', { sendWindow: { days: ['mon', 'tue', 'mon'], start: '09:00', end: '17:00' } }),
      issues: [{ field: 'policies.sendWindow.days', message: 'lists a day twice' }],
    },
    {
      name: 'a holiday that does not exist (Feb 29 in a common year)',
      input: withPart('policies', { sendWindow: { days: ['mon'], start: '09:00', end: '17:00', holidays: ['2024-02-29', '2023-02-29'] } }),
      issues: [{ field: 'policies.sendWindow.holidays.1', message: 'expected a date YYYY-MM-DD' }],
    },
    {
      name: 'holiday calendar name in capitals',
      input: withPart('policies', { sendWindow: { days: ['mon'], start: '09:00', end: '17:00', holidays: 'US' } }),
      issues: [{ field: 'policies.sendWindow.holidays', message: 'expected a holiday calendar name like "us" or "de-by"' }],
    },
    {
      name: 'fractional priority, negative cooldown, misspelt key',
      input: withPart('policies', { priority: 1.5, cooldownDays: -1, celebrate: true }),
      issues: [
        { field: 'policies.celebrate', message: 'unknown field' },
        { field: 'policies.cooldownDays', message: 'must be >= 0' },
        { field: 'policies.priority', message: 'expected an integer' },
      ],
    },
  ];
  for (const { name, input, issues } of cases) {
    it(name, () => assert.deepEqual(sortIssues(issuesOf(input)), sortIssues(issues)));
  }
});

describe('definition helpers', () => {
  it('isYearlyDateField: birthdays and anniversaries recur, renewals do not', () => {
    assert.deepEqual(
      (['birthday', 'customerSince', 'account.customerSince', 'renewalDate', 'account.renewalDate'] as const).map(isYearlyDateField),
      [true, true, true, false, false],
    );
  });

  it('isCelebratory: explicit setting wins, otherwise dates, milestones and positive news', () => {
    const celebratory = (source: unknown, policies: unknown = {}) => isCelebratory(parsed({ ...withPart('source', source), policies }));
    assert.equal(celebratory({ type: 'date', field: 'birthday' }), true);
    assert.equal(celebratory({ type: 'milestone', lifetimeValueAtLeast: 1000 }), true);
    assert.equal(celebratory({ type: 'news', kinds: ['award'], minConfidence: 0.5, polarity: 'positive' }), true);
    assert.equal(celebratory({ type: 'news', kinds: ['award'], minConfidence: 0.5 }), false);
    assert.equal(celebratory({ type: 'silence', days: 60 }), false);
    assert.equal(celebratory({ type: 'event', eventType: 'purchase' }), false);
    assert.equal(celebratory({ type: 'event', eventType: 'purchase' }, { celebratory: true }), true);
    assert.equal(celebratory({ type: 'date', field: 'birthday' }, { celebratory: false }), false);
  });

  it('expiresAfterHours: news notes expire after 7 days unless the action says otherwise', () => {
    const news = { type: 'news', kinds: ['funding'], minConfidence: 0.8 };
    assert.equal(expiresAfterHours(parsed(withPart('source', news))), 168);
    assert.equal(expiresAfterHours(parsed({ ...withPart('source', news), action: { ...birthday.action, expiresAfterHours: 48 } })), 48);
    assert.equal(expiresAfterHours(parsed(birthday)), undefined);
  });
});

function sortIssues(issues: readonly FieldIssue[]): FieldIssue[] {
  return [...issues].sort((a, b) => (a.field < b.field ? -1 : a.field > b.field ? 1 : 0));
}
