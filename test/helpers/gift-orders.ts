import type { PrismaClient } from '../../src/generated/prisma/client.js';
import { SYSTEM } from '../../src/audit/audit-log.js';
import { approveSuggestion } from '../../src/notes/decide-suggestion.js';
import { saveTrigger } from '../../src/triggers/trigger-store.js';

let n = 0;

/** A gift for the catalog and a trigger to hang gift suggestions on. */
export async function seedGiftCatalog(prisma: PrismaClient, gift: { sku: string; name: string; confirmAddress?: boolean }): Promise<void> {
  await prisma.gift.create({ data: { sku: gift.sku, name: gift.name, cost: '12.50', currency: 'EUR', confirmAddress: gift.confirmAddress ?? false } });
  if (!(await prisma.trigger.findFirst({ where: { key: 'gift-tests' } }))) {
    await saveTrigger(prisma, { key: 'gift-tests', definition: { name: 'Gift tests', source: { type: 'event', eventType: 'purchase' }, action: { template: 'thank-you', channel: 'email' } }, actor: SYSTEM });
  }
}

/**
 * A suggestion with a gift, pending approval, for the customer with `externalId` (written directly:
 * the trigger engine is tested elsewhere), assigned to `assigneeId` when given.
 */
export async function giftSuggestion(prisma: PrismaClient, args: { externalId: string; sku: string; assigneeId?: string }): Promise<string> {
  const customer = await prisma.customer.findUniqueOrThrow({ where: { externalId: args.externalId } });
  const trigger = await prisma.trigger.findFirstOrThrow({ where: { key: 'gift-tests' }, include: { versions: true } });
  const s = await prisma.suggestion.create({
    data: {
      dedupeKey: `gift-order-test:${++n}:${Date.now()}`,
      customerId: customer.id,
      triggerId: trigger.id,
      triggerVersionId: trigger.versions[0]!.id,
      status: 'pending_approval',
      channel: 'email',
      templateKey: 'thank-you',
      locale: customer.locale,
      subject: 'A small thank-you',
      body: 'Something is on its way.',
      giftSku: args.sku,
      giftCost: '12.50',
      giftCurrency: 'EUR',
      ...(args.assigneeId ? { assigneeId: args.assigneeId } : {}),
    },
  });
  return s.id;
}

/** Approves a gift suggestion through the real state machine; returns its gift order's id. */
export async function approvedGiftOrder(prisma: PrismaClient, args: { externalId: string; sku: string; assigneeId?: string }): Promise<string> {
  const suggestionId = await giftSuggestion(prisma, args);
  await approveSuggestion(prisma, { id: suggestionId, actor: SYSTEM });
  return (await prisma.giftOrder.findUniqueOrThrow({ where: { suggestionId } })).id;
}
