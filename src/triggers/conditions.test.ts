import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Condition } from './condition-schema.js';
import { describeCondition, evaluateCondition, explainCondition, lookupFact, type Facts } from './conditions.js';

const facts: Facts = {
  customer: {
    tier: 'silver',
    tags: ['vip', 'newsletter'],
    locale: 'de-DE',
    lifetimeValue: 1250.5,
    orders: 0,
    country: 'DE',
    active: true,
    nickname: '',
    birthday: '1990-02-28',
    customerSince: '2019-06-01',
    renewalDate: null,
    createdAt: new Date('2024-01-01T10:00:00Z'),
    preferences: { channel: 'print' },
  },
  account: { country: 'US', tier: 'enterprise', tags: [] },
  event: {
    type: 'purchase',
    data: { total: 499.99, currency: 'EUR', items: ['mug', 'shirt'], quantities: [1, 2], coupon: null, meta: { source: { id: 7 } } },
  },
};

const cond = (condition: Condition): Condition => condition;
const check = (condition: Condition, on: Facts = facts) => evaluateCondition(condition, on);

describe('evaluateCondition: eq and ne', () => {
  it('compares strings, numbers and booleans exactly', () => {
    assert.equal(check({ field: 'customer.tier', op: 'eq', value: 'silver' }), true);
    assert.equal(check({ field: 'customer.tier', op: 'eq', value: 'Silver' }), false);
    assert.equal(check({ field: 'customer.lifetimeValue', op: 'eq', value: 1250.5 }), true);
    assert.equal(check({ field: 'customer.active', op: 'eq', value: true }), true);
    assert.equal(check({ field: 'customer.active', op: 'eq', value: false }), false);
  });

  it('never coerces between types', () => {
    assert.equal(check({ field: 'customer.lifetimeValue', op: 'eq', value: '1250.5' }), false);
    assert.equal(check({ field: 'customer.orders', op: 'eq', value: false }), false);
    assert.equal(check({ field: 'customer.nickname', op: 'eq', value: 0 }), false);
    assert.equal(check({ field: 'customer.active', op: 'eq', value: 'true' }), false);
  });

  it('treats null and missing alike: eq null matches both, ne null means present', () => {
    assert.equal(check({ field: 'customer.renewalDate', op: 'eq', value: null }), true);
    assert.equal(check({ field: 'customer.unknown', op: 'eq', value: null }), true);
    assert.equal(check({ field: 'customer.tier', op: 'eq', value: null }), false);
    assert.equal(check({ field: 'customer.tier', op: 'ne', value: null }), true);
    assert.equal(check({ field: 'customer.renewalDate', op: 'ne', value: null }), false);
  });

  it('compares ISO dates as instants, and Date facts as their ISO string', () => {
    assert.equal(check({ field: 'customer.customerSince', op: 'eq', value: '2019-06-01T00:00:00Z' }), true);
    assert.equal(check({ field: 'customer.createdAt', op: 'eq', value: '2024-01-01T11:00:00+01:00' }), true);
    assert.equal(check({ field: 'customer.createdAt', op: 'eq', value: '2024-01-01' }), false);
  });

  it('a list never equals a scalar (use contains)', () => {
    assert.equal(check({ field: 'customer.tags', op: 'eq', value: 'vip' }), false);
    assert.equal(check({ field: 'customer.preferences', op: 'eq', value: 'print' }), false);
  });

  it('ne is true for a different value and for a missing field', () => {
    assert.equal(check({ field: 'customer.tier', op: 'ne', value: 'gold' }), true);
    assert.equal(check({ field: 'customer.tier', op: 'ne', value: 'silver' }), false);
    assert.equal(check({ field: 'customer.segment', op: 'ne', value: 'gold' }), true);
  });
});

describe('evaluateCondition: gt, gte, lt, lte', () => {
  it('compares numbers, including at the boundary', () => {
    const total = (op: 'gt' | 'gte' | 'lt' | 'lte', value: number) => check({ field: 'event.data.total', op, value });
    assert.deepEqual([total('gt', 499.99), total('gte', 499.99), total('lt', 499.99), total('lte', 499.99)], [false, true, false, true]);
    assert.deepEqual([total('gt', 499), total('lt', 500), total('gt', 500), total('lt', 499)], [true, true, false, false]);
    assert.equal(check({ field: 'customer.orders', op: 'gte', value: 0 }), true);
  });

  it('compares ISO dates as instants across formats and offsets', () => {
    assert.equal(check({ field: 'customer.customerSince', op: 'lt', value: '2020-01-01' }), true);
    assert.equal(check({ field: 'customer.customerSince', op: 'lt', value: '2019-06-01T12:00:00Z' }), true);
    assert.equal(check({ field: 'customer.customerSince', op: 'gte', value: '2019-06-01' }), true);
    // 00:30 in UTC+02:00 is 22:30 UTC the day before, so it is before the 23:00 UTC fact.
    const on = { customer: { seenAt: '2024-05-31T23:00:00Z' } };
    assert.equal(check({ field: 'customer.seenAt', op: 'gt', value: '2024-06-01T00:30:00+02:00' }, on), true);
    assert.equal(check({ field: 'customer.createdAt', op: 'gt', value: '2023-12-31T23:59:59Z' }), true);
  });

  it('compares other strings by code point, the same on every machine', () => {
    assert.equal(check({ field: 'customer.locale', op: 'gt', value: 'de' }), true);
    assert.equal(check({ field: 'customer.country', op: 'lt', value: 'de' }), true, 'upper case sorts before lower case');
  });

  it('is false for mismatched types, lists, objects and missing values', () => {
    assert.equal(check({ field: 'customer.lifetimeValue', op: 'gt', value: '100' }), false);
    assert.equal(check({ field: 'customer.tier', op: 'lt', value: 5 }), false);
    assert.equal(check({ field: 'event.data.quantities', op: 'gt', value: 0 }), false);
    assert.equal(check({ field: 'event.data.meta', op: 'gt', value: 0 }), false);
    for (const op of ['gt', 'gte', 'lt', 'lte'] as const) {
      assert.equal(check({ field: 'customer.missing', op, value: 0 }), false, op);
      assert.equal(check({ field: 'customer.renewalDate', op, value: '2020-01-01' }), false, op);
    }
  });
});

describe('evaluateCondition: in and nin', () => {
  it('matches a scalar listed in the values', () => {
    assert.equal(check({ field: 'customer.tier', op: 'in', value: ['gold', 'silver'] }), true);
    assert.equal(check({ field: 'customer.tier', op: 'in', value: ['gold', 'platinum'] }), false);
    assert.equal(check({ field: 'customer.tier', op: 'nin', value: ['gold', 'platinum'] }), true);
    assert.equal(check({ field: 'customer.tier', op: 'nin', value: ['silver'] }), false);
  });

  it('matches a list fact when any element is listed', () => {
    assert.equal(check({ field: 'customer.tags', op: 'in', value: ['press', 'vip'] }), true);
    assert.equal(check({ field: 'customer.tags', op: 'in', value: ['press'] }), false);
    assert.equal(check({ field: 'customer.tags', op: 'nin', value: ['press', 'vip'] }), false);
    assert.equal(check({ field: 'account.tags', op: 'in', value: ['press'] }), false);
    assert.equal(check({ field: 'account.tags', op: 'nin', value: ['press'] }), true);
  });

  it('does not coerce, and handles missing values (null in the list matches them)', () => {
    assert.equal(check({ field: 'event.data.total', op: 'in', value: ['499.99'] }), false);
    assert.equal(check({ field: 'event.data.total', op: 'in', value: [499.99] }), true);
    assert.equal(check({ field: 'customer.segment', op: 'in', value: ['a'] }), false);
    assert.equal(check({ field: 'customer.segment', op: 'nin', value: ['a'] }), true);
    assert.equal(check({ field: 'customer.segment', op: 'in', value: ['a', null] }), true);
    assert.equal(check({ field: 'customer.tier', op: 'in', value: [null] }), false);
  });
});

describe('evaluateCondition: exists and contains', () => {
  it('exists is about presence: empty strings and zero exist, null does not', () => {
    assert.equal(check({ field: 'customer.tier', op: 'exists' }), true);
    assert.equal(check({ field: 'customer.nickname', op: 'exists' }), true);
    assert.equal(check({ field: 'customer.orders', op: 'exists', value: true }), true);
    assert.equal(check({ field: 'customer.renewalDate', op: 'exists' }), false);
    assert.equal(check({ field: 'customer.renewalDate', op: 'exists', value: false }), true);
    assert.equal(check({ field: 'customer.tier', op: 'exists', value: false }), false);
    assert.equal(check({ field: 'event.data.meta.source.id', op: 'exists' }), true);
  });

  it('contains finds list elements and substrings, case-sensitively', () => {
    assert.equal(check({ field: 'customer.tags', op: 'contains', value: 'vip' }), true);
    assert.equal(check({ field: 'customer.tags', op: 'contains', value: 'VIP' }), false);
    assert.equal(check({ field: 'event.data.quantities', op: 'contains', value: 2 }), true);
    assert.equal(check({ field: 'event.data.quantities', op: 'contains', value: '2' }), false);
    assert.equal(check({ field: 'customer.locale', op: 'contains', value: 'DE' }), true);
    assert.equal(check({ field: 'customer.locale', op: 'contains', value: 'fr' }), false);
  });

  it('contains is false on missing values, numbers and objects', () => {
    assert.equal(check({ field: 'customer.interests', op: 'contains', value: 'golf' }), false);
    assert.equal(check({ field: 'customer.lifetimeValue', op: 'contains', value: 125 }), false);
    assert.equal(check({ field: 'customer.preferences', op: 'contains', value: 'print' }), false);
  });
});

describe('evaluateCondition: all, any, not and nesting', () => {
  const gold = cond({ field: 'customer.tier', op: 'eq', value: 'gold' });
  const vip = cond({ field: 'customer.tags', op: 'contains', value: 'vip' });
  const bigOrder = cond({ field: 'event.data.total', op: 'gte', value: 400 });

  it('combines children', () => {
    assert.equal(check({ all: [vip, bigOrder] }), true);
    assert.equal(check({ all: [vip, gold] }), false);
    assert.equal(check({ any: [gold, vip] }), true);
    assert.equal(check({ any: [gold, { not: vip }] }), false);
    assert.equal(check({ not: gold }), true);
    assert.equal(check({ not: { not: gold } }), false);
  });

  it('nests several levels deep', () => {
    const condition = cond({
      all: [
        { any: [gold, { all: [vip, { not: { field: 'account.country', op: 'in', value: ['FR', 'IT'] } }] }] },
        { not: { any: [{ field: 'customer.optedOut', op: 'eq', value: true }, { field: 'event.data.coupon', op: 'exists' }] } },
        bigOrder,
      ],
    });
    assert.equal(check(condition), true);
    assert.equal(check(condition, { ...facts, account: { country: 'FR' } }), false);
  });
});

describe('evaluateCondition: missing paths never throw', () => {
  const odd: Facts[] = [
    { customer: {} },
    { customer: { tier: 'gold' }, account: null, event: null },
    { customer: { tier: 'gold', tags: 'vip' } },
    { customer: { tier: ['gold'] } },
  ];
  const conditions = [
    cond({ field: 'account.country', op: 'eq', value: 'US' }),
    cond({ field: 'event.data.total', op: 'gt', value: 1 }),
    cond({ field: 'customer.tier.length', op: 'eq', value: 4 }),
    cond({ field: 'customer.tags.length', op: 'exists' }),
    cond({ field: 'customer.tags', op: 'contains', value: 'vip' }),
  ];
  it('returns booleans for every combination', () => {
    for (const on of odd) for (const condition of conditions) assert.equal(typeof check(condition, on), 'boolean');
    assert.equal(check({ field: 'customer.tags', op: 'contains', value: 'vi' }, { customer: { tags: 'vip' } }), true);
    assert.equal(check({ field: 'customer.tier.length', op: 'eq', value: 4 }, { customer: { tier: 'gold' } }), false, 'no string properties');
  });

  it('never reads inherited properties or the prototype chain', () => {
    const polluted: Facts = { customer: JSON.parse('{"__proto__": {"isAdmin": true}, "tier": "gold"}') as Facts['customer'] };
    // The schema refuses such paths; evaluation refuses them again for conditions built in code.
    const unchecked = (field: string) => ({ field, op: 'exists' }) as Condition;
    assert.equal(check(unchecked('customer.__proto__.isAdmin'), polluted), false);
    assert.equal(check(unchecked('customer.constructor'), facts), false);
    assert.equal(check({ field: 'customer.toString', op: 'exists' }), false);
    assert.equal(check({ field: 'customer.hasOwnProperty', op: 'exists' }), false);
    assert.deepEqual(lookupFact(facts, 'customer.tier.constructor'), { found: false });
  });
});

describe('explainCondition', () => {
  it('says nothing failed when the condition matches', () => {
    assert.deepEqual(explainCondition({ field: 'customer.tier', op: 'eq', value: 'silver' }, facts), { matched: true, failed: [] });
  });

  it('gives the expected and the actual value', () => {
    assert.deepEqual(explainCondition({ field: 'customer.tier', op: 'eq', value: 'gold' }, facts), {
      matched: false,
      failed: ['customer.tier eq "gold" (was "silver")'],
    });
    assert.deepEqual(explainCondition({ field: 'customer.lifetimeValue', op: 'gte', value: 5000 }, facts).failed, [
      'customer.lifetimeValue gte 5000 (was 1250.5)',
    ]);
    assert.deepEqual(explainCondition({ field: 'customer.tags', op: 'in', value: ['press'] }, facts).failed, [
      'customer.tags in ["press"] (was ["vip","newsletter"])',
    ]);
    assert.deepEqual(explainCondition({ field: 'customer.birthdate', op: 'exists' }, facts).failed, ['customer.birthdate exists (was missing)']);
    assert.deepEqual(explainCondition({ field: 'customer.tier', op: 'exists', value: false }, facts).failed, [
      'customer.tier is absent (was "silver")',
    ]);
    assert.deepEqual(explainCondition({ field: 'customer.createdAt', op: 'lt', value: '2020-01-01' }, facts).failed, [
      'customer.createdAt lt "2020-01-01" (was "2024-01-01T10:00:00.000Z")',
    ]);
  });

  it('lists every unmet requirement of an all, not just the first', () => {
    const result = explainCondition(
      {
        all: [
          { field: 'customer.tier', op: 'eq', value: 'gold' },
          { field: 'customer.country', op: 'eq', value: 'DE' },
          { field: 'account.country', op: 'in', value: ['DE', 'AT'] },
        ],
      },
      facts,
    );
    assert.deepEqual(result, { matched: false, failed: ['customer.tier eq "gold" (was "silver")', 'account.country in ["DE","AT"] (was "US")'] });
  });

  it('summarises a failed any and a matched not', () => {
    assert.deepEqual(
      explainCondition({ any: [{ field: 'customer.tier', op: 'eq', value: 'gold' }, { field: 'customer.orders', op: 'gt', value: 0 }] }, facts).failed,
      ['none of: customer.tier eq "gold" (was "silver"); customer.orders gt 0 (was 0)'],
    );
    assert.deepEqual(explainCondition({ not: { field: 'customer.tags', op: 'contains', value: 'vip' } }, facts).failed, [
      'not (customer.tags contains "vip") (it matched)',
    ]);
  });

  it('shortens long values', () => {
    const long = { customer: { bio: 'x'.repeat(200) } };
    const [reason] = explainCondition({ field: 'customer.bio', op: 'eq', value: 'short' }, long).failed;
    assert.equal(reason, `customer.bio eq "short" (was "${'x'.repeat(76)}...)`);
  });

  it('agrees with evaluateCondition', () => {
    const conditions: Condition[] = [
      { all: [{ field: 'customer.tier', op: 'ne', value: 'gold' }, { not: { field: 'account.tags', op: 'contains', value: 'x' } }] },
      { any: [{ field: 'event.data.coupon', op: 'exists' }, { field: 'event.data.items', op: 'contains', value: 'hat' }] },
      { not: { all: [{ field: 'customer.active', op: 'eq', value: true }, { field: 'customer.orders', op: 'lte', value: 0 }] } },
    ];
    for (const condition of conditions) assert.equal(explainCondition(condition, facts).matched, evaluateCondition(condition, facts));
  });

  it('describeCondition renders a whole tree on one line', () => {
    assert.equal(
      describeCondition({
        all: [
          { field: 'customer.tier', op: 'in', value: ['gold', 'platinum'] },
          { any: [{ not: { field: 'customer.birthday', op: 'exists' } }, { field: 'account.country', op: 'eq', value: 'US' }] },
        ],
      }),
      'all of (customer.tier in ["gold","platinum"]; any of (not (customer.birthday exists); account.country eq "US"))',
    );
  });
});
