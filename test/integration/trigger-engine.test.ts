import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { SYSTEM } from '../../src/audit/audit-log.js';
import { recordEvent } from '../../src/events/record-event.js';
import { approveSuggestion } from '../../src/notes/decide-suggestion.js';
import { NoteTemplates } from '../../src/notes/note-templates.js';
import { evaluateEvent } from '../../src/triggers/evaluate-event.js';
import { evaluateSignal } from '../../src/triggers/evaluate-signal.js';
import { scanTriggers } from '../../src/triggers/scan-triggers.js';
import { saveTrigger } from '../../src/triggers/trigger-store.js';
import { freshDatabase } from '../helpers/test-services.js';

// Each source, policy and the priority rule against the real database, with a fixed clock.
describe('trigger engine', () => {
  let database: Awaited<ReturnType<typeof freshDatabase>>;
  const templates = new NoteTemplates('templates');
  const deps = (frequencyCapDays = 14) => ({ prisma: database.db.prisma, templates, frequencyCapDays });
  const prisma = () => database.db.prisma;
  let n = 0;

  const customer = async (fields: Record<string, unknown> = {}) =>
    prisma().customer.create({ data: { externalId: `c-${++n}`, name: `Customer ${n}`, firstName: `C${n}`, email: `c${n}@example.com`, ...fields } });
  const event = async (customerId: string, type: string, occurredAt: string, data: Record<string, unknown> = {}) =>
    (await recordEvent(prisma(), { type: type as 'purchase', customerId, occurredAt, idempotencyKey: `e-${++n}`, data }, SYSTEM)).event;
  const trigger = async (key: string, definition: object) => (await saveTrigger(prisma(), { key, definition, actor: SYSTEM })).trigger;
  const suggestionsOf = (customerId: string) => prisma().suggestion.findMany({ where: { customerId }, include: { trigger: true }, orderBy: { createdAt: 'asc' } });
  const thankYou = (extra: object = {}) => ({ name: 'Thanks', source: { type: 'event', eventType: 'purchase' }, action: { template: 'thank-you', channel: 'email' }, ...extra });

  before(async () => {
    database = await freshDatabase();
  });
  beforeEach(async () => {
    // Every test starts without triggers; customers are new per test, so they never collide.
    await prisma().suggestion.deleteMany();
    await prisma().triggerVersion.deleteMany();
    await prisma().trigger.deleteMany();
  });
  after(async () => database?.drop());

  test('event source with conditions on the event and the customer', async () => {
    await trigger('big-orders', thankYou({ conditions: { all: [{ field: 'event.data.total', op: 'gte', value: 100 }, { field: 'customer.tier', op: 'in', value: ['gold', 'platinum'] }] } }));
    const gold = await customer({ tier: 'gold' });
    const silver = await customer({ tier: 'silver' });
    const small = await evaluateEvent(deps(), (await event(gold.id, 'purchase', '2026-11-20T10:00:00Z', { total: 20 })).id);
    assert.equal(small.suggestionId, null);
    assert.match(small.skipped[0]!.detail, /event\.data\.total gte 100 \(was 20\)/);
    const big = await evaluateEvent(deps(), (await event(gold.id, 'purchase', '2026-11-21T10:00:00Z', { total: 250 })).id);
    assert.ok(big.suggestionId);
    const wrongTier = await evaluateEvent(deps(), (await event(silver.id, 'purchase', '2026-11-21T10:00:00Z', { total: 250 })).id);
    assert.equal(wrongTier.skipped[0]?.reason, 'condition');
  });

  test('priorities: one note when several triggers fire at once; the winner is recorded with its version', async () => {
    const low = await trigger('low', thankYou({ name: 'low', policies: { priority: 1 } }));
    const high = await trigger('high', thankYou({ name: 'high', policies: { priority: 5 } }));
    const c = await customer();
    const result = await evaluateEvent(deps(), (await event(c.id, 'purchase', '2026-11-20T10:00:00Z')).id);
    const [s] = await suggestionsOf(c.id);
    assert.equal(s?.triggerId, high.id);
    assert.equal(s?.triggerVersionId, high.versionId);
    assert.deepEqual(result.skipped.map((x) => [x.trigger, x.reason]), [[low.key, 'lower_priority']]);
    const edited = await trigger('high', thankYou({ name: 'high v2', policies: { priority: 5 } }));
    assert.equal(edited.version, 2);
    assert.equal((await prisma().suggestion.findUniqueOrThrow({ where: { id: s!.id } })).triggerVersionId, high.versionId, 'history is not rewritten');
  });

  test('frequency cap across triggers and cooldown per trigger', async () => {
    await trigger('thanks', thankYou({ policies: { cooldownDays: 30 } }));
    const c = await customer();
    const first = await evaluateEvent(deps(14), (await event(c.id, 'purchase', '2026-11-01T10:00:00Z')).id, new Date('2026-11-01T10:00:00Z'));
    assert.ok(first.suggestionId);
    const capped = await evaluateEvent(deps(14), (await event(c.id, 'purchase', '2026-11-10T10:00:00Z')).id, new Date('2026-11-10T10:00:00Z'));
    assert.equal(capped.skipped[0]?.reason, 'frequency_cap');
    // Backdate the first note: the cap has passed, the 30-day cooldown has not.
    await prisma().suggestion.update({ where: { id: first.suggestionId! }, data: { createdAt: new Date('2026-10-20T10:00:00Z') } });
    const cooled = await evaluateEvent(deps(14), (await event(c.id, 'purchase', '2026-11-10T11:00:00Z')).id, new Date('2026-11-10T11:00:00Z'));
    assert.equal(cooled.skipped[0]?.reason, 'cooldown');
  });

  test('concurrent events for one customer create one suggestion', async () => {
    await trigger('thanks', thankYou());
    const c = await customer();
    const events = await Promise.all([0, 1, 2, 3, 4].map((i) => event(c.id, 'purchase', `2026-11-20T10:0${i}:00Z`)));
    const results = await Promise.all(events.map((e) => evaluateEvent(deps(14), e.id)));
    assert.equal(results.filter((r) => r.suggestionId).length, 1);
    assert.equal((await suggestionsOf(c.id)).length, 1);
    assert.equal(results.filter((r) => r.skipped[0]?.reason === 'frequency_cap').length, 4);
  });

  test('suppression: opted out and do-not-contact customers get nothing', async () => {
    await trigger('thanks', thankYou());
    for (const flags of [{ optedOut: true }, { doNotContact: true }]) {
      const c = await customer(flags);
      const r = await evaluateEvent(deps(0), (await event(c.id, 'purchase', '2026-11-20T10:00:00Z')).id);
      assert.equal(r.suggestionId, null);
      assert.match(r.skipped[0]!.reason, /^suppressed_/);
    }
  });

  test('milestones: the 3rd purchase, lifetime value crossing a threshold, blocked by an open complaint until resolved', async () => {
    await trigger('third', { name: 'Third order', source: { type: 'milestone', eventType: 'purchase', nth: 3 }, action: { template: 'thank-you', channel: 'email' } });
    await trigger('ltv', { name: 'Big fan', source: { type: 'milestone', lifetimeValueAtLeast: 1000 }, action: { template: 'thank-you', channel: 'email' }, policies: { priority: -1 } });
    const c = await customer();
    const r1 = await evaluateEvent(deps(0), (await event(c.id, 'purchase', '2026-11-01T10:00:00Z', { total: 100 })).id);
    const r2 = await evaluateEvent(deps(0), (await event(c.id, 'purchase', '2026-11-02T10:00:00Z', { total: 100 })).id);
    assert.equal(r1.suggestionId ?? r2.suggestionId, null, 'no milestone yet');
    await event(c.id, 'complaint', '2026-11-02T12:00:00Z');
    const third = await evaluateEvent(deps(0), (await event(c.id, 'purchase', '2026-11-03T10:00:00Z', { total: 100 })).id);
    assert.equal(third.skipped.find((s) => s.trigger === 'third')?.reason, 'blocked_open_complaint', 'celebrating during a complaint would be tone-deaf');
    await event(c.id, 'ticket_resolved', '2026-11-04T10:00:00Z');
    const fourth = await evaluateEvent(deps(0), (await event(c.id, 'purchase', '2026-11-05T10:00:00Z', { total: 800 })).id);
    assert.ok(fourth.suggestionId, 'lifetime value 1,100 crosses 1,000 after the complaint is resolved');
    assert.equal(Number((await prisma().customer.findUniqueOrThrow({ where: { id: c.id } })).lifetimeValue), 1100);
    const again = await evaluateEvent(deps(0), (await event(c.id, 'purchase', '2026-11-06T10:00:00Z', { total: 50 })).id);
    assert.equal(again.suggestionId, null, 'a lifetime-value milestone fires once');
  });

  test('date triggers: 14 days before a birthday on the recipient calendar (UTC+14), Feb 29, idempotent rescans', async () => {
    await trigger('birthday', { name: 'Birthday', source: { type: 'date', field: 'birthday', offsetDays: -14 }, action: { template: 'birthday', channel: 'email' } });
    // At 11:00 UTC on 2026-12-21 it is already 2026-12-22 in Kiritimati (UTC+14) but not in Honolulu.
    const kiritimati = await customer({ timeZone: 'Pacific/Kiritimati', birthday: new Date('1990-01-05T00:00:00Z') });
    const honolulu = await customer({ timeZone: 'Pacific/Honolulu', birthday: new Date('1990-01-05T00:00:00Z') });
    const now = new Date('2026-12-21T11:00:00Z');
    const first = await scanTriggers(deps(0), now);
    assert.equal((await suggestionsOf(kiritimati.id)).length, 1);
    assert.equal((await suggestionsOf(honolulu.id)).length, 0);
    assert.equal(first.drafted, 1);
    const rescan = await scanTriggers(deps(0), now);
    assert.equal(rescan.drafted, 0, 're-running the scan creates no duplicates');
    assert.equal((await suggestionsOf(kiritimati.id)).length, 1);
    // Honolulu's day comes later.
    await scanTriggers(deps(0), new Date('2026-12-22T11:00:00Z'));
    assert.equal((await suggestionsOf(honolulu.id)).length, 1);

    await trigger('birthday', { name: 'Birthday', source: { type: 'date', field: 'birthday', offsetDays: 0 }, action: { template: 'birthday', channel: 'email' } });
    const leapling = await customer({ timeZone: 'Europe/Berlin', birthday: new Date('2000-02-29T00:00:00Z') });
    await scanTriggers(deps(0), new Date('2027-02-27T12:00:00Z'));
    assert.equal((await suggestionsOf(leapling.id)).length, 0);
    await scanTriggers(deps(0), new Date('2027-02-28T12:00:00Z'));
    assert.equal((await suggestionsOf(leapling.id)).length, 1, 'Feb 29 birthdays are celebrated on Feb 28 in common years');
  });

  test('negative news blocks a celebratory birthday note; silence finds the quiet customer once', async () => {
    await trigger('birthday', { name: 'Birthday', source: { type: 'date', field: 'birthday', offsetDays: 0 }, action: { template: 'birthday', channel: 'email' } });
    const account = await prisma().account.create({ data: { name: 'Globex' } });
    const c = await customer({ accountId: account.id, timeZone: 'UTC', birthday: new Date('1985-03-10T00:00:00Z') });
    const feed = await prisma().feed.create({ data: { url: `http://news.example/${n}`, name: 'news' } });
    const article = await prisma().article.create({ data: { feedId: feed.id, dedupeKey: `k-${n}`, title: 'Globex recalls heaters', text: '' } });
    await prisma().signal.create({ data: { articleId: article.id, accountId: account.id, kind: 'recall', polarity: 'negative', confidence: 0.9, evidence: 'Globex recalls heaters', createdAt: new Date('2027-03-01T00:00:00Z') } });
    await scanTriggers(deps(0), new Date('2027-03-10T12:00:00Z'));
    assert.equal((await suggestionsOf(c.id)).length, 0, 'no birthday wishes nine days after a recall');

    await prisma().trigger.updateMany({ data: { enabled: false } });
    await trigger('quiet', { name: 'Quiet', source: { type: 'silence', days: 90 }, action: { template: 'check-in', channel: 'email' } });
    const quiet = await customer({ createdAt: new Date('2026-01-01T00:00:00Z') });
    await event(quiet.id, 'purchase', '2026-02-01T00:00:00Z');
    const busy = await customer({ createdAt: new Date('2026-01-01T00:00:00Z') });
    await event(busy.id, 'purchase', '2026-06-20T00:00:00Z');
    const now = new Date('2026-07-01T00:00:00Z');
    await scanTriggers(deps(0), now);
    await scanTriggers(deps(0), now);
    assert.equal((await suggestionsOf(quiet.id)).length, 1);
    assert.equal((await suggestionsOf(busy.id)).length, 0);
  });

  test('news: a funding signal drafts a congratulation for the named contact, with the evidence', async () => {
    await trigger('funding', { name: 'Funding', source: { type: 'news', kinds: ['funding'], minConfidence: 0.6, polarity: 'positive' }, action: { template: 'congratulations', channel: 'email' } });
    const account = await prisma().account.create({ data: { name: 'Acme Corp' } });
    const jane = await customer({ accountId: account.id, name: 'Jane Doe', firstName: 'Jane' });
    const feed = await prisma().feed.create({ data: { url: `http://news.example/${n}`, name: 'news' } });
    const article = await prisma().article.create({ data: { feedId: feed.id, dedupeKey: `k-${n}`, title: 'Acme Corp closes $40 million Series B', text: '' } });
    const weak = await prisma().signal.create({ data: { articleId: article.id, accountId: account.id, kind: 'funding', polarity: 'positive', confidence: 0.4, evidence: 'x' } });
    assert.deepEqual(await evaluateSignal(deps(0), weak.id), [], 'below minConfidence');
    const article2 = await prisma().article.create({ data: { feedId: feed.id, dedupeKey: `k2-${n}`, title: 'Acme Corp closes $40 million Series B', text: '' } });
    const strong = await prisma().signal.create({ data: { articleId: article2.id, accountId: account.id, customerId: jane.id, kind: 'funding', polarity: 'positive', confidence: 0.95, evidence: 'Acme Corp closes $40 million Series B' } });
    const [result] = await evaluateSignal(deps(0), strong.id);
    const s = await prisma().suggestion.findUniqueOrThrow({ where: { id: result!.suggestionId! } });
    assert.equal(s.signalId, strong.id);
    assert.match(s.body, /“Acme Corp closes \$40 million Series B”/);
    assert.ok(s.expiresAt && Math.round((s.expiresAt.getTime() - s.createdAt.getTime()) / 3_600_000) === 168, 'news notes expire after 7 days by default');
    assert.deepEqual(await evaluateSignal(deps(0), strong.id), [], 'a signal is evaluated once');
  });

  test('approval schedules into the send window on the recipient clock, after the delay', async () => {
    await trigger('thanks', thankYou({ action: { template: 'thank-you', channel: 'email', delayMinutes: 60 }, policies: { sendWindow: { days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '09:00', end: '17:00', holidays: ['2026-11-23'] } } }));
    const c = await customer({ timeZone: 'Asia/Bangkok' });
    // Saturday 2026-11-21 15:00 in Bangkok; Monday the 23rd is a holiday → Tuesday 09:00 Bangkok.
    const now = new Date('2026-11-21T08:00:00Z');
    const r = await evaluateEvent(deps(0), (await event(c.id, 'purchase', now.toISOString())).id, now);
    const { delivery } = await approveSuggestion(prisma(), { id: r.suggestionId!, actor: SYSTEM, now });
    assert.equal(delivery.scheduledFor.toISOString(), '2026-11-24T02:00:00.000Z');

    // Across a DST change: approved on Saturday 2026-03-07 in New York (EST, UTC−5); clocks spring
    // forward on Sunday, so Monday 09:00 is EDT (UTC−4) = 13:00 UTC, not 14:00.
    const ny = await customer({ timeZone: 'America/New_York' });
    const saturday = new Date('2026-03-07T15:00:00Z');
    const r2 = await evaluateEvent(deps(0), (await event(ny.id, 'purchase', saturday.toISOString())).id, saturday);
    const { delivery: d2 } = await approveSuggestion(prisma(), { id: r2.suggestionId!, actor: SYSTEM, now: saturday });
    assert.equal(d2.scheduledFor.toISOString(), '2026-03-09T13:00:00.000Z');
  });
});
