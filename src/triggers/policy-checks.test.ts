import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkPolicies, pickWinningTrigger, type PolicyInput, type PolicyTrigger } from './policy-checks.js';
import type { TriggerPolicies, TriggerSource } from './trigger-definition.js';

const NOW = new Date('2024-06-15T12:00:00.000Z');
const daysBefore = (days: number, from: Date = NOW) => new Date(from.getTime() - days * 86_400_000);

const trigger = (source: TriggerSource, policies: Partial<TriggerPolicies> = {}, id = 'trg_birthday'): PolicyTrigger => ({
  id,
  definition: { source, policies: { priority: 0, ...policies } },
});
const birthday = trigger({ type: 'date', field: 'birthday', offsetDays: 0 }, { cooldownDays: 300 });
const checkIn = trigger({ type: 'silence', days: 90 }, {}, 'trg_check_in');

const happyCustomer = { optedOut: false, doNotContact: false, hasOpenComplaint: false, recentNegativeNewsAt: null };

function input(overrides: Partial<PolicyInput> = {}): PolicyInput {
  return { now: NOW, trigger: birthday, customer: happyCustomer, frequencyCapDays: 14, ...overrides };
}

describe('checkPolicies: suppression', () => {
  it('allows a customer with nothing against them', () => {
    assert.deepEqual(checkPolicies(input()), { allowed: true });
  });

  it('an opted-out customer gets nothing, whatever the trigger', () => {
    for (const t of [birthday, checkIn]) {
      const decision = checkPolicies(input({ trigger: t, customer: { ...happyCustomer, optedOut: true, doNotContact: true } }));
      assert.deepEqual(decision, { allowed: false, reason: 'suppressed_opted_out', detail: 'the customer opted out of notes' });
    }
  });

  it('a do-not-contact customer gets nothing', () => {
    const decision = checkPolicies(input({ trigger: checkIn, customer: { ...happyCustomer, doNotContact: true } }));
    assert.equal(decision.allowed, false);
    assert.equal(!decision.allowed && decision.reason, 'suppressed_do_not_contact');
  });
});

describe('checkPolicies: complaints and negative news block celebratory notes only', () => {
  it('an open complaint blocks a birthday note but not a check-in', () => {
    const customer = { ...happyCustomer, hasOpenComplaint: true, recentNegativeNewsAt: daysBefore(1) };
    const decision = checkPolicies(input({ customer }));
    assert.equal(!decision.allowed && decision.reason, 'blocked_open_complaint');
    assert.deepEqual(checkPolicies(input({ trigger: checkIn, customer })), { allowed: true });
  });

  it('an explicitly celebratory event trigger is blocked too', () => {
    const thanks = trigger({ type: 'event', eventType: 'purchase' }, { celebratory: true }, 'trg_thanks');
    const decision = checkPolicies(input({ trigger: thanks, customer: { ...happyCustomer, hasOpenComplaint: true } }));
    assert.equal(!decision.allowed && decision.reason, 'blocked_open_complaint');
  });

  it('negative news blocks for the lookback period, which ends exactly N days later', () => {
    const news = (days: number, lookback?: number) =>
      checkPolicies(input({ customer: { ...happyCustomer, recentNegativeNewsAt: daysBefore(days) }, negativeNewsLookbackDays: lookback }));
    const blocked = news(29.99);
    assert.deepEqual(blocked, {
      allowed: false,
      reason: 'blocked_negative_news',
      detail: `negative news on ${daysBefore(29.99).toISOString()} blocks celebratory notes for 30 days`,
    });
    assert.deepEqual(news(30), { allowed: true });
    assert.equal(news(6, 7).allowed, false);
    assert.deepEqual(news(7, 7), { allowed: true });
  });

  it('news dated in the future (clock skew) still blocks', () => {
    const decision = checkPolicies(input({ customer: { ...happyCustomer, recentNegativeNewsAt: new Date(NOW.getTime() + 60_000) } }));
    assert.equal(!decision.allowed && decision.reason, 'blocked_negative_news');
  });

  it('a trigger about negative news is not celebratory, so negative news does not block it', () => {
    const support = trigger({ type: 'news', kinds: ['outage'], minConfidence: 0.5, polarity: 'negative' }, {}, 'trg_support');
    assert.deepEqual(checkPolicies(input({ trigger: support, customer: { ...happyCustomer, recentNegativeNewsAt: daysBefore(1) } })), {
      allowed: true,
    });
  });
});

describe('checkPolicies: frequency cap and cooldown', () => {
  it('the cap blocks until exactly N days after the last note to the customer', () => {
    const capped = checkPolicies(input({ trigger: checkIn, lastNoteToCustomerAt: new Date(daysBefore(14).getTime() + 1) }));
    assert.deepEqual(capped, {
      allowed: false,
      reason: 'frequency_cap',
      detail: 'at most one note per 14 days per customer; next allowed 2024-06-15T12:00:00.001Z',
    });
    assert.deepEqual(checkPolicies(input({ trigger: checkIn, lastNoteToCustomerAt: daysBefore(14) })), { allowed: true });
  });

  it('a cap of 0 days turns the cap off', () => {
    assert.deepEqual(checkPolicies(input({ trigger: checkIn, frequencyCapDays: 0, lastNoteToCustomerAt: NOW })), { allowed: true });
  });

  it('the cooldown blocks this trigger until exactly N days after its last note to the customer', () => {
    const base = { lastNoteToCustomerAt: daysBefore(299), frequencyCapDays: 14 };
    const cooling = checkPolicies(input({ ...base, lastNoteFromTriggerAt: daysBefore(299) }));
    assert.deepEqual(cooling, {
      allowed: false,
      reason: 'cooldown',
      detail: 'trigger trg_birthday cools down for 300 days per customer; next allowed 2024-06-16T12:00:00.000Z',
    });
    assert.deepEqual(checkPolicies(input({ lastNoteToCustomerAt: daysBefore(300), lastNoteFromTriggerAt: daysBefore(300) })), { allowed: true });
  });

  it('a trigger without a cooldown only has the cap', () => {
    assert.deepEqual(checkPolicies(input({ trigger: checkIn, lastNoteFromTriggerAt: daysBefore(15), lastNoteToCustomerAt: daysBefore(15) })), {
      allowed: true,
    });
  });

  it('reports the most permanent reason first', () => {
    const everything = input({
      customer: { optedOut: false, doNotContact: false, hasOpenComplaint: true, recentNegativeNewsAt: daysBefore(1) },
      lastNoteToCustomerAt: daysBefore(1),
      lastNoteFromTriggerAt: daysBefore(1),
    });
    const reason = (overrides: Partial<PolicyInput>) => {
      const decision = checkPolicies({ ...everything, ...overrides });
      return decision.allowed ? 'allowed' : decision.reason;
    };
    assert.equal(reason({}), 'blocked_open_complaint');
    assert.equal(reason({ customer: { ...everything.customer, hasOpenComplaint: false } }), 'blocked_negative_news');
    assert.equal(reason({ customer: happyCustomer }), 'frequency_cap');
    assert.equal(reason({ customer: happyCustomer, frequencyCapDays: 0 }), 'cooldown');
  });

  it('rejects a negative or non-numeric cap', () => {
    assert.throws(() => checkPolicies(input({ frequencyCapDays: -1 })), /frequencyCapDays: expected a number of days >= 0, got -1/);
    assert.throws(() => checkPolicies(input({ frequencyCapDays: Number.NaN })), /frequencyCapDays/);
    assert.throws(() => checkPolicies(input({ negativeNewsLookbackDays: -3 })), /negativeNewsLookbackDays/);
  });
});

describe('pickWinningTrigger', () => {
  const candidate = (id: string, priority: number) => ({ trigger: trigger({ type: 'silence', days: 30 }, { priority }, id), noteKey: id });

  it('picks the highest priority', () => {
    const winner = pickWinningTrigger([candidate('a', 1), candidate('b', 10), candidate('c', -5)]);
    assert.equal(winner?.noteKey, 'b');
  });

  it('breaks ties by the smallest trigger id, whatever the input order', () => {
    const tied = [candidate('trg_b', 5), candidate('trg_a', 5), candidate('trg_c', 5), candidate('trg_z', 1)];
    const rotated = [...tied.slice(2), ...tied.slice(0, 2)];
    for (const order of [tied, [...tied].reverse(), rotated]) assert.equal(pickWinningTrigger(order)?.noteKey, 'trg_a');
  });

  it('compares ids by code point, not locale', () => {
    assert.equal(pickWinningTrigger([candidate('b', 0), candidate('B', 0)])?.noteKey, 'B');
  });

  it('returns undefined when nothing fired', () => {
    assert.equal(pickWinningTrigger([]), undefined);
  });
});
