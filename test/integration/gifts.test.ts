import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { UnrecoverableError } from 'bullmq';
import type { LightMyRequestResponse } from 'fastify';
import { SYSTEM } from '../../src/audit/audit-log.js';
import { createApiToken } from '../../src/auth/api-tokens.js';
import { startRapport, type Rapport } from '../../src/main.js';
import { approveSuggestion } from '../../src/notes/decide-suggestion.js';
import { draftSuggestion } from '../../src/notes/draft-suggestion.js';
import { saveTrigger } from '../../src/triggers/trigger-store.js';
import { budgetLines, periodWindow, remainingBudget } from '../../src/gifts/gift-budget.js';
import { fulfilGift } from '../../src/gifts/gift-orders.js';
import { partnerSignatureHeaders, signPartnerBody } from '../../src/gifts/gift-partner-signature.js';
import type { SuggestionStatus, UserRole } from '../../src/generated/prisma/client.js';
import { startFakePrintProvider } from '../helpers/fake-print-provider.js';
import { freshDatabase, silentLogger, testConfig } from '../helpers/test-services.js';

const PARTNER_SECRET = 'gift-partner-secret-for-tests';

// Gifts: catalog, budgets per account manager and team, the budget check inside approval, and
// fulfilment through a partner (the fake print provider: any idempotent order API behaves alike).
describe('gifts', () => {
  let database: Awaited<ReturnType<typeof freshDatabase>>;
  let rapport: Rapport;
  let partner: Awaited<ReturnType<typeof startFakePrintProvider>>;
  let triggerId: string;
  let versionId: string;
  let customerId: string;
  let n = 0;
  const prisma = () => database.db.prisma;

  const user = async (role: UserRole, fields: { team?: string; timeZone?: string } = {}) => {
    const u = await prisma().user.create({ data: { email: `u${++n}@rapport.example`, name: `User ${n}`, role, ...fields } });
    return { ...u, token: (await createApiToken(prisma(), { name: `t${n}`, userId: u.id })).secret };
  };
  const call = (method: 'GET' | 'POST', url: string, token: string, body?: unknown): Promise<LightMyRequestResponse> =>
    rapport.app!.inject({ method, url, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, ...(body !== undefined ? { payload: JSON.stringify(body) } : {}) });
  const budget = (data: { userId?: string; team?: string; period: 'month' | 'quarter'; amount: string }) =>
    prisma().giftBudget.create({ data: { ...data, currency: 'EUR' } });
  const giftSuggestion = (args: { assigneeId: string; cost: string; status?: SuggestionStatus; decidedAt?: Date; currency?: string }) =>
    prisma().suggestion.create({
      data: {
        dedupeKey: `gift-test:${++n}`,
        customerId,
        triggerId,
        triggerVersionId: versionId,
        status: args.status ?? 'pending_approval',
        channel: 'email',
        templateKey: 'thank-you',
        locale: 'en',
        subject: 'A small thank-you',
        body: 'Dear Ada, a little something is on its way.',
        assigneeId: args.assigneeId,
        giftSku: 'MUG-01',
        giftCost: args.cost,
        giftCurrency: args.currency ?? 'EUR',
        ...(args.decidedAt ? { decidedAt: args.decidedAt } : {}),
      },
    });

  before(async () => {
    database = await freshDatabase();
    partner = await startFakePrintProvider();
    rapport = await startRapport(
      testConfig({ DATABASE_URL: database.url, GIFT_PARTNER_URL: partner.url, GIFT_PARTNER_SECRET: PARTNER_SECRET }),
      silentLogger(),
      { workers: false },
    );
    const customer = await prisma().customer.create({ data: { externalId: 'ada', name: 'Ada Lovelace', email: 'ada@example.com', addressLines: ['1 Analytical Way'], city: 'London', postalCode: 'N1', country: 'GB' } });
    customerId = customer.id;
    const { trigger } = await saveTrigger(prisma(), { key: 'thanks', definition: { name: 'Thanks', source: { type: 'event', eventType: 'purchase' }, action: { template: 'thank-you', channel: 'email' } }, actor: SYSTEM });
    triggerId = trigger.id;
    versionId = trigger.versionId;
    await prisma().gift.createMany({ data: [{ sku: 'MUG-01', name: 'Rapport mug', cost: '12.50', currency: 'EUR' }, { sku: 'OLD-01', name: 'Retired pen', cost: '3.00', currency: 'EUR', active: false }] });
  });
  after(async () => {
    await rapport?.close();
    await partner?.close();
    await database?.drop();
  });

  test('catalog API: upsert by SKU, validation names the field, list', async () => {
    const admin = await user('admin');
    const created = await call('POST', '/api/v1/gifts', admin.token, { sku: 'WINE-RED', name: 'Bottle of red', cost: '35.00', currency: 'EUR' });
    assert.equal(created.statusCode, 201, created.body);
    assert.deepEqual({ ...created.json().gift, id: undefined, createdAt: undefined, updatedAt: undefined }, { id: undefined, sku: 'WINE-RED', name: 'Bottle of red', cost: 35, currency: 'EUR', active: true, confirmAddress: false, createdAt: undefined, updatedAt: undefined });
    assert.equal((await call('POST', '/api/v1/gifts', admin.token, { sku: 'WINE-RED', name: 'Bottle of red', cost: 36, currency: 'EUR', active: false })).statusCode, 200);
    const bad = await call('POST', '/api/v1/gifts', admin.token, { sku: 'X-1', name: 'X', cost: '1.999', currency: 'euro' });
    assert.equal(bad.statusCode, 422);
    assert.deepEqual(bad.json().error.issues.map((i: { field: string }) => i.field).sort(), ['cost', 'currency']);
    const am = await user('account_manager');
    assert.equal((await call('POST', '/api/v1/gifts', am.token, { sku: 'X-2', name: 'X', cost: 1, currency: 'EUR' })).json().error.code, 'RAPPORT_FORBIDDEN');
    const active = (await call('GET', '/api/v1/gifts?active=true', admin.token)).json().gifts.map((g: { sku: string }) => g.sku);
    assert.deepEqual(active, ['MUG-01']);
    const budgetReply = await call('POST', '/api/v1/gift-budgets', admin.token, { userId: am.id, period: 'month', amount: 100, currency: 'EUR' });
    assert.equal(budgetReply.statusCode, 201, budgetReply.body);
    assert.equal((await call('POST', '/api/v1/gift-budgets', admin.token, { userId: am.id, team: 'x', period: 'month', amount: 1, currency: 'EUR' })).statusCode, 422);
    assert.equal((await call('POST', '/api/v1/gift-budgets', am.token, { userId: am.id, period: 'month', amount: 1e6, currency: 'EUR' })).statusCode, 403);
  });

  test('periods are calendar months and quarters on the account manager clock', () => {
    // 31 March 12:00 UTC is already 1 April in Auckland (UTC+13): April, Q2 there; March, Q1 in UTC.
    const at = new Date('2026-03-31T12:00:00Z');
    assert.equal(periodWindow(at, 'Pacific/Auckland', 'month').label, '2026-04');
    assert.equal(periodWindow(at, 'Pacific/Auckland', 'quarter').label, '2026-Q2');
    assert.equal(periodWindow(at, 'UTC', 'quarter').label, '2026-Q1');
    const q = periodWindow(new Date('2026-11-15T00:00:00Z'), 'Europe/Berlin', 'quarter');
    assert.deepEqual([q.start.toISOString(), q.end.toISOString()], ['2026-09-30T22:00:00.000Z', '2026-12-31T23:00:00.000Z']);
  });

  test('budget math: month and quarter spend of the assignee, then the team; rejected and other people excluded', async () => {
    const am = await user('account_manager', { team: 'emea-math', timeZone: 'Europe/Berlin' });
    const colleague = await user('account_manager', { team: 'emea-math' });
    const stranger = await user('account_manager');
    const at = new Date('2026-11-20T12:00:00Z');
    await budget({ userId: am.id, period: 'month', amount: '100.00' });
    await budget({ userId: am.id, period: 'quarter', amount: '250.00' });
    await giftSuggestion({ assigneeId: am.id, cost: '30.00', status: 'sent', decidedAt: new Date('2026-11-02T09:00:00Z') });
    await giftSuggestion({ assigneeId: am.id, cost: '50.00', status: 'scheduled', decidedAt: new Date('2026-10-10T09:00:00Z') });
    await giftSuggestion({ assigneeId: am.id, cost: '70.00', status: 'sent', decidedAt: new Date('2026-09-30T22:30:00Z') }); // Q3 in UTC, Q4 in Berlin (00:30 on 1 October)
    await giftSuggestion({ assigneeId: am.id, cost: '20.00', status: 'rejected', decidedAt: new Date('2026-11-03T09:00:00Z') });
    await giftSuggestion({ assigneeId: am.id, cost: '15.00', status: 'pending_approval' });
    await giftSuggestion({ assigneeId: stranger.id, cost: '40.00', status: 'approved', decidedAt: new Date('2026-11-04T09:00:00Z') });
    const lines = await budgetLines(prisma(), { userId: am.id, at });
    assert.deepEqual(lines.map((l) => [l.scope, l.periodLabel, l.spent.toFixed(2), l.remaining.toFixed(2)]), [
      ['user', '2026-11', '30.00', '70.00'],
      ['user', '2026-Q4', '150.00', '100.00'],
    ]);
    assert.equal((await remainingBudget(prisma(), { userId: am.id, at }))?.remaining.toFixed(2), '70.00');
    // A team budget counts everyone in the team, and the tightest budget is the one that limits.
    await budget({ team: 'emea-math', period: 'month', amount: '90.00' });
    await giftSuggestion({ assigneeId: colleague.id, cost: '40.00', status: 'approved', decidedAt: new Date('2026-11-05T09:00:00Z') });
    const tightest = await remainingBudget(prisma(), { userId: am.id, at });
    assert.deepEqual([tightest?.scope, tightest?.remaining.toFixed(2)], ['team', '20.00']);
    assert.equal(await remainingBudget(prisma(), { userId: stranger.id, at }), null, 'no budget: not limited');
  });

  test('approval beyond the budget is refused with cost, remaining and period; nothing changes', async () => {
    const am = await user('account_manager');
    await budget({ userId: am.id, period: 'month', amount: '50.00' });
    const s = await giftSuggestion({ assigneeId: am.id, cost: '80.00' });
    const reply = await call('POST', `/api/v1/suggestions/${s.id}/approve`, am.token, {});
    assert.equal(reply.statusCode, 422, reply.body);
    const { error } = reply.json();
    assert.equal(error.code, 'RAPPORT_GIFT_BUDGET_EXCEEDED');
    const period = periodWindow(new Date(), 'UTC', 'month').label;
    assert.match(error.message, new RegExp(`costs 80\\.00 EUR but only 50\\.00 EUR remains .*monthly budget for ${period}`));
    assert.equal((await prisma().suggestion.findUniqueOrThrow({ where: { id: s.id } })).status, 'pending_approval');
    assert.equal(await prisma().giftOrder.count({ where: { suggestionId: s.id } }), 0);
    // Within budget it passes.
    const small = await giftSuggestion({ assigneeId: am.id, cost: '50.00' });
    assert.equal((await call('POST', `/api/v1/suggestions/${small.id}/approve`, am.token, {})).statusCode, 200);
  });

  test('only an admin may override the budget, and the override is audited with the reason', async () => {
    const am = await user('account_manager');
    const admin = await user('admin');
    await budget({ userId: am.id, period: 'month', amount: '50.00' });
    const s = await giftSuggestion({ assigneeId: am.id, cost: '80.00' });
    const refused = await call('POST', `/api/v1/suggestions/${s.id}/approve`, am.token, { overrideBudget: true });
    assert.equal(refused.json().error.code, 'RAPPORT_FORBIDDEN');
    const reply = await call('POST', `/api/v1/suggestions/${s.id}/approve`, admin.token, { overrideBudget: true });
    assert.equal(reply.statusCode, 200, reply.body);
    assert.equal(reply.json().suggestion.status, 'scheduled');
    const audit = await prisma().auditEntry.findFirstOrThrow({ where: { entityId: s.id, action: 'suggestion.gift_budget_override' } });
    assert.equal(audit.actorId, admin.id);
    assert.match(audit.reason ?? '', /costs 80\.00 EUR but only 50\.00 EUR remains/);
    const order = await prisma().giftOrder.findUniqueOrThrow({ where: { suggestionId: s.id } });
    assert.deepEqual([order.status, order.sku, order.cost.toFixed(2)], ['pending', 'MUG-01', '80.00']);
    assert.ok(await rapport.runtime.queues.queue('fulfil-gift').getJob(`gift-${order.id}`), 'a fulfil-gift job is queued');
  });

  test('concurrent approvals cannot both spend the last of a budget (user and team)', async () => {
    const am = await user('account_manager', { team: 'race' });
    const other = await user('account_manager', { team: 'race' });
    await budget({ userId: am.id, period: 'month', amount: '100.00' });
    const mine = await Promise.all([1, 2, 3].map(() => giftSuggestion({ assigneeId: am.id, cost: '60.00' })));
    const results = await Promise.allSettled(mine.map((s) => approveSuggestion(prisma(), { id: s.id, actor: SYSTEM })));
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1, JSON.stringify(results.map((r) => r.status)));
    for (const r of results) if (r.status === 'rejected') assert.equal((r.reason as { code?: string }).code, 'RAPPORT_GIFT_BUDGET_EXCEEDED');

    await budget({ team: 'race', period: 'quarter', amount: '150.00' });
    // 60 of the team's 150 is spent; two colleagues race for the remaining 90 with 60 each.
    // Different users, so only the team's budget rows serialise them.
    const third = await user('account_manager', { team: 'race' });
    const rivals = [await giftSuggestion({ assigneeId: other.id, cost: '60.00' }), await giftSuggestion({ assigneeId: third.id, cost: '60.00' })];
    const team = await Promise.allSettled(rivals.map((s) => approveSuggestion(prisma(), { id: s.id, actor: SYSTEM })));
    assert.equal(team.filter((r) => r.status === 'fulfilled').length, 1, JSON.stringify(team.map((r) => r.status)));
  });

  test('a suggestion with a gift shows its cost and the remaining budget', async () => {
    const am = await user('account_manager');
    await budget({ userId: am.id, period: 'quarter', amount: '200.00' });
    await giftSuggestion({ assigneeId: am.id, cost: '25.00', status: 'approved', decidedAt: new Date() });
    const s = await giftSuggestion({ assigneeId: am.id, cost: '12.50' });
    const { suggestion } = (await call('GET', `/api/v1/suggestions/${s.id}`, am.token)).json();
    assert.deepEqual(suggestion.gift, {
      sku: 'MUG-01',
      name: 'Rapport mug',
      cost: 12.5,
      currency: 'EUR',
      remainingBudget: { amount: 175, currency: 'EUR', period: 'quarter', periodLabel: periodWindow(new Date(), 'UTC', 'quarter').label, scope: 'user' },
    });
    const listed = (await call('GET', '/api/v1/suggestions?status=pending_approval&limit=200', am.token)).json().suggestions.find((x: { id: string }) => x.id === s.id);
    assert.equal(listed.gift.remainingBudget.amount, 175);
  });

  test('drafting copies the gift from the catalog; an inactive SKU drafts without it and says why; auto approval with a gift is refused', async () => {
    const note = { subject: 'Thanks', body: 'Thank you!', locale: 'en', templatePath: 'notes/thank-you/en.hbs' };
    const base = { name: 'Gift', source: { type: 'event', eventType: 'purchase' } };
    const withGift = (await saveTrigger(prisma(), { key: 'gift-mug', definition: { ...base, action: { template: 'thank-you', channel: 'email', giftSku: 'MUG-01' } }, actor: SYSTEM })).trigger;
    const retired = (await saveTrigger(prisma(), { key: 'gift-old', definition: { ...base, action: { template: 'thank-you', channel: 'email', giftSku: 'OLD-01' } }, actor: SYSTEM })).trigger;
    const [a, b] = await prisma().$transaction(async (tx) => [
      await draftSuggestion(tx, { dedupeKey: `d-${++n}`, customerId, trigger: withGift, note, assigneeId: null, now: new Date() }),
      await draftSuggestion(tx, { dedupeKey: `d-${++n}`, customerId, trigger: retired, note, assigneeId: null, now: new Date() }),
    ]);
    assert.deepEqual([a?.giftSku, a?.giftCost?.toFixed(2), a?.giftCurrency], ['MUG-01', '12.50', 'EUR']);
    assert.deepEqual([b?.giftSku, b?.giftCost], [null, null]);
    const audit = await prisma().auditEntry.findFirstOrThrow({ where: { entityId: b!.id, action: 'suggestion.drafted' } });
    assert.equal((audit.data as { giftSkipped?: string }).giftSkipped, 'gift OLD-01 is inactive');
    await assert.rejects(
      saveTrigger(prisma(), { key: 'gift-auto', definition: { ...base, action: { template: 'thank-you', channel: 'email', giftSku: 'MUG-01', approval: 'auto' } }, actor: SYSTEM }),
      (e: { code?: string; message: string }) => e.code === 'RAPPORT_VALIDATION' && /giftSku/.test(e.message),
    );
  });

  test('fulfilment: one order per Idempotency-Key; a resend after a crash is deduplicated; errors retry or fail', async () => {
    const am = await user('account_manager');
    const deps = { prisma: prisma(), partnerUrl: partner.url };
    const approved = async () => {
      const s = await giftSuggestion({ assigneeId: am.id, cost: '12.50' });
      await approveSuggestion(prisma(), { id: s.id, actor: SYSTEM });
      return prisma().giftOrder.findUniqueOrThrow({ where: { suggestionId: s.id } });
    };
    const order = await approved();
    assert.equal(await fulfilGift(deps, order.id), 'ordered');
    assert.equal(await fulfilGift(deps, order.id), 'skipped');
    const sent = partner.orders.get(order.id);
    assert.ok(sent, 'the partner has an order under the gift order id');
    assert.equal((sent.body as unknown as { sku: string }).sku, 'MUG-01');
    const stored = await prisma().giftOrder.findUniqueOrThrow({ where: { id: order.id } });
    assert.deepEqual([stored.status, stored.partnerOrderId], ['ordered', sent.id]);
    // The process died after the partner accepted but before our commit: sending again is harmless.
    await prisma().giftOrder.update({ where: { id: order.id }, data: { status: 'pending' } });
    assert.equal(await fulfilGift(deps, order.id), 'ordered');
    assert.deepEqual(partner.requests.filter((r) => r.idempotencyKey === order.id).map((r) => r.status), [201, 200]);

    const flaky = await approved();
    partner.failNext(503);
    await assert.rejects(fulfilGift(deps, flaky.id), (e: Error) => !(e instanceof UnrecoverableError) && /503/.test(e.message));
    assert.equal((await prisma().giftOrder.findUniqueOrThrow({ where: { id: flaky.id } })).status, 'pending');
    const broken = await approved();
    partner.failNext(422);
    await assert.rejects(fulfilGift(deps, broken.id), UnrecoverableError);
    assert.equal((await prisma().giftOrder.findUniqueOrThrow({ where: { id: broken.id } })).status, 'failed');
  });

  test('status callbacks: a good signature moves the order forward; a bad or missing one changes nothing', async () => {
    const am = await user('account_manager');
    const s = await giftSuggestion({ assigneeId: am.id, cost: '12.50' });
    await approveSuggestion(prisma(), { id: s.id, actor: SYSTEM });
    const order = await prisma().giftOrder.findUniqueOrThrow({ where: { suggestionId: s.id } });
    const callback = (body: object, headers: Record<string, string> = {}) =>
      rapport.app!.inject({ method: 'POST', url: '/webhooks/gift-partner', headers: { 'content-type': 'application/json', ...headers }, payload: JSON.stringify(body) });
    // The partner's side: it signs "<timestamp>.<raw body>" and sends both headers.
    const signed = (body: object, at = new Date()) => callback(body, partnerSignatureHeaders(PARTNER_SECRET, JSON.stringify(body), at));
    const status = async () => (await prisma().giftOrder.findUniqueOrThrow({ where: { id: order.id } })).status;

    const shipped = { giftOrderId: order.id, status: 'shipped', partnerOrderId: 'P-1' };
    const forged = await callback(shipped, partnerSignatureHeaders('not-the-secret-at-all', JSON.stringify(shipped)));
    assert.equal(forged.statusCode, 401);
    assert.deepEqual([forged.json().error.code, forged.json().error.field], ['RAPPORT_BAD_SIGNATURE', 'X-Rapport-Signature']);
    assert.match(forged.json().error.message, /gift partner secret/);
    assert.equal((await callback(shipped)).statusCode, 401);
    // Signed over different bytes than were sent (e.g. re-serialised): refused too.
    assert.equal((await callback(shipped, partnerSignatureHeaders(PARTNER_SECRET, JSON.stringify(shipped, null, 2)))).statusCode, 401);
    assert.equal(await status(), 'pending');

    const ok = await signed(shipped);
    assert.equal(ok.statusCode, 200, ok.body);
    assert.deepEqual(ok.json(), { giftOrderId: order.id, status: 'shipped', changed: true });
    assert.deepEqual((await signed({ giftOrderId: order.id, status: 'delivered' })).json().status, 'delivered');
    const late = await signed({ giftOrderId: order.id, status: 'ordered' });
    assert.deepEqual(late.json(), { giftOrderId: order.id, status: 'delivered', changed: false });
    const stored = await prisma().giftOrder.findUniqueOrThrow({ where: { id: order.id } });
    assert.deepEqual([stored.status, stored.partnerOrderId], ['delivered', 'P-1']);
    assert.equal((await signed({ giftOrderId: '00000000-0000-4000-8000-000000000000', status: 'shipped' })).statusCode, 404);
    assert.equal((await signed({ giftOrderId: order.id, status: 'lost' })).statusCode, 422);
  });

  test('status callbacks carry a signed timestamp: missing, old or future ones are refused, recent ones pass', async () => {
    const am = await user('account_manager');
    const s = await giftSuggestion({ assigneeId: am.id, cost: '12.50' });
    await approveSuggestion(prisma(), { id: s.id, actor: SYSTEM });
    const order = await prisma().giftOrder.findUniqueOrThrow({ where: { suggestionId: s.id } });
    const body = JSON.stringify({ giftOrderId: order.id, status: 'shipped' });
    const send = (headers: Record<string, string>) =>
      rapport.app!.inject({ method: 'POST', url: '/webhooks/gift-partner', headers: { 'content-type': 'application/json', ...headers }, payload: body });
    const nowS = Math.floor(Date.now() / 1000);

    // A body signed the old way (no timestamp) is refused, naming the missing header.
    const untimed = await send({ 'x-rapport-signature': `sha256=${createHmac('sha256', PARTNER_SECRET).update(body).digest('hex')}` });
    assert.equal(untimed.statusCode, 401);
    assert.deepEqual([untimed.json().error.code, untimed.json().error.field], ['RAPPORT_BAD_SIGNATURE', 'X-Rapport-Timestamp']);
    assert.match(untimed.json().error.message, /missing/);
    // A genuine signature made long ago (a replay) or too far ahead: stale, whatever the body says.
    for (const ts of [nowS - 301, nowS - 86_400, nowS + 310]) {
      const stale = await send({ 'x-rapport-timestamp': String(ts), 'x-rapport-signature': signPartnerBody(PARTNER_SECRET, String(ts), body) });
      assert.equal(stale.statusCode, 401, stale.body);
      assert.deepEqual([stale.json().error.code, stale.json().error.field], ['RAPPORT_STALE_SIGNATURE', 'X-Rapport-Timestamp']);
    }
    // The timestamp is signed: moving a captured callback's timestamp forward breaks the signature.
    const moved = await send({ 'x-rapport-timestamp': String(nowS), 'x-rapport-signature': signPartnerBody(PARTNER_SECRET, String(nowS - 3_600), body) });
    assert.equal(moved.json().error.code, 'RAPPORT_BAD_SIGNATURE');
    assert.equal((await prisma().giftOrder.findUniqueOrThrow({ where: { id: order.id } })).status, 'pending');

    // Inside the window, early or late (clock skew), it is accepted.
    const skewed = await send({ 'x-rapport-timestamp': String(nowS - 290), 'x-rapport-signature': signPartnerBody(PARTNER_SECRET, String(nowS - 290), body) });
    assert.equal(skewed.statusCode, 200, skewed.body);
    assert.equal(skewed.json().status, 'shipped');
  });
});
