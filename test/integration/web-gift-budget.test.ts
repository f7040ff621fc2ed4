import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Suggestion } from '../../src/generated/prisma/client.js';
import { startInboxFixture, type InboxFixture } from '../helpers/inbox-fixture.js';
import { waitFor } from '../helpers/test-services.js';

// The inbox card of a note with a gift: its cost and what is left of the budget, the refusal beside
// the approve button when it is beyond the budget, and the admin's audited override.
describe('gift budget in the web inbox', () => {
  let fx: InboxFixture;

  /** A demo purchase note for Mai's customer Lan, with a gift attached as a trigger would. */
  const withGift = async (product: string, cost: string): Promise<Suggestion> => {
    const note = await fx.purchase('cust-1002', product);
    return fx.prisma.suggestion.update({ where: { id: note.id }, data: { giftSku: 'MUG-01', giftCost: cost, giftCurrency: 'EUR' } });
  };
  const cardOf = (html: string, id: string) => {
    const start = html.indexOf(`id="s-${id}"`);
    assert.ok(start >= 0, `the inbox shows the card ${id}`);
    return html.slice(start, html.indexOf('</article>', start));
  };

  before(async () => {
    fx = await startInboxFixture();
    const mai = await fx.user('mai');
    // confirmAddress: the gift's fulfilment job emails the recipient, which shows the job ran.
    await fx.prisma.gift.create({ data: { sku: 'MUG-01', name: 'Rapport mug', cost: '12.50', currency: 'EUR', confirmAddress: true } });
    await fx.prisma.giftBudget.create({ data: { userId: mai.id, period: 'month', amount: '20.00', currency: 'EUR' } });
  });
  after(async () => fx?.close());

  test('a card shows the gift, its cost and the budget left; within budget it approves as usual', async () => {
    const note = await withGift('Gift lamp', '5.00');
    const mai = await fx.sessionFor('mai');
    const card = cardOf((await mai.get('/inbox')).body, note.id);
    assert.match(card, /data-gift>Gift: <strong>Rapport mug<\/strong> \(MUG-01\) · €5\.00/);
    assert.match(card, /data-gift-remaining>€20\.00 left<\/span> of the Mai Nguyen's budget for/);
    assert.doesNotMatch(card, /data-over-budget|data-override-budget/);
    assert.equal((await mai.post(`/inbox/${note.id}/approve`, { subject: note.subject, body: note.body })).statusCode, 303);
    const second = await withGift('Gift lamp 2', '1.00');
    const after = cardOf((await mai.get('/inbox')).body, second.id);
    assert.match(after, /€15\.00 left/, 'the approved gift counts against the budget at once');
  });

  test('beyond the budget: refused for the manager, overridden by an admin with an audit entry', async () => {
    const note = await withGift('Expensive lamp', '40.00');
    const mai = await fx.sessionFor('mai');
    const card = cardOf((await mai.get('/inbox')).body, note.id);
    assert.match(card, /data-over-budget>This gift is beyond the budget\. Only an admin can approve it/);
    assert.doesNotMatch(card, /data-override-budget/, 'no override box for an account manager');

    const refused = await mai.post(`/inbox/${note.id}/approve`, { subject: note.subject, body: note.body });
    assert.equal(refused.statusCode, 422);
    assert.match(cardOf(refused.body, note.id), new RegExp(`id="override-${note.id}-error" role="alert">Gift MUG-01 costs 40\\.00 EUR but only`));
    const forged = await mai.post(`/inbox/${note.id}/approve`, { subject: note.subject, body: note.body, overrideBudget: 'yes' });
    assert.equal(forged.statusCode, 403, 'sending the box by hand does not make a manager an admin');
    assert.match(cardOf(forged.body, note.id), /Only an admin may override the gift budget/);
    assert.equal((await fx.prisma.suggestion.findUniqueOrThrow({ where: { id: note.id } })).status, 'pending_approval');

    const admin = await fx.sessionFor('admin');
    const adminCard = cardOf((await admin.get('/inbox')).body, note.id);
    assert.match(adminCard, /You may approve it anyway; the override is recorded/);
    assert.match(adminCard, new RegExp(`id="override-${note.id}" name="overrideBudget" value="yes"`));
    const unticked = await admin.post(`/inbox/${note.id}/approve`, { subject: note.subject, body: note.body });
    assert.equal(unticked.statusCode, 422, 'an admin overrides on purpose, not by accident');
    const approved = await admin.post(`/inbox/${note.id}/approve`, { subject: note.subject, body: note.body, overrideBudget: 'yes' });
    assert.equal(approved.statusCode, 303, approved.body.slice(0, 500));
    assert.notEqual((await fx.prisma.suggestion.findUniqueOrThrow({ where: { id: note.id } })).status, 'pending_approval');
    // The gift order goes to fulfilment at once, not a minute later with the reconciler.
    await waitFor('the address confirmation email', () => fx.prisma.giftOrder.findFirst({ where: { suggestionId: note.id, confirmationSentAt: { not: null } } }), 15_000);
    const audit = await fx.prisma.auditEntry.findFirstOrThrow({ where: { entityId: note.id, action: 'suggestion.gift_budget_override' } });
    assert.equal(audit.actorId, (await fx.user('admin')).id);
    assert.match(audit.reason ?? '', /costs 40\.00 EUR but only/);
  });
});
