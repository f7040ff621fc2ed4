import { z } from 'zod';
import { UnrecoverableError } from 'bullmq';
import type { GiftOrder, GiftOrderStatus, PrismaClient, Suggestion } from '../generated/prisma/client.js';
import { SYSTEM, writeAudit, type Actor } from '../audit/audit-log.js';
import { AppError } from '../errors.js';
import type { Tx } from '../infra/database.js';
import { canTransitionGiftOrder } from './gift-order-status.js';
import { shipToOf } from './ship-to.js';

/**
 * Gift fulfilment through a partner over HTTP: one POST per order with `Idempotency-Key: <order id>`,
 * so a retried job or a crash after the partner accepted never ships a second gift. The partner then
 * reports progress to POST /webhooks/gift-partner, signed with GIFT_PARTNER_SECRET.
 */
export interface GiftPartnerDeps {
  prisma: PrismaClient;
  partnerUrl: string;
  partnerToken?: string | undefined;
  timeoutMs?: number;
}

/**
 * In the approval transaction: the order to fulfil once the suggestion is approved with a gift.
 * A catalog gift with `confirmAddress` first waits for the recipient to confirm the address
 * (`awaiting_confirmation`, see gift-address-confirmation.ts) — unless the customer has no email
 * address to send the link to, in which case it is fulfilled to the address on file and the audit
 * entry says so.
 */
export async function createGiftOrder(tx: Tx, suggestion: Suggestion, actor: Actor): Promise<GiftOrder | null> {
  if (!suggestion.giftSku || !suggestion.giftCost || !suggestion.giftCurrency) return null;
  const [gift, customer] = await Promise.all([
    tx.gift.findUnique({ where: { sku: suggestion.giftSku }, select: { confirmAddress: true } }),
    tx.customer.findUniqueOrThrow({ where: { id: suggestion.customerId }, select: { email: true } }),
  ]);
  const confirm = gift?.confirmAddress === true && Boolean(customer.email);
  const status: GiftOrderStatus = confirm ? 'awaiting_confirmation' : 'pending';
  const order = await tx.giftOrder.create({
    data: { suggestionId: suggestion.id, sku: suggestion.giftSku, cost: suggestion.giftCost, currency: suggestion.giftCurrency, status },
  });
  const reason = gift?.confirmAddress && !confirm ? 'address confirmation skipped: the customer has no email address' : null;
  await writeAudit(tx, { actor, entityType: 'gift_order', entityId: order.id, action: 'gift_order.created', toStatus: status, reason, data: { suggestionId: suggestion.id, sku: order.sku } });
  return order;
}

/** Hands one pending order to the partner. Throws to retry; UnrecoverableError when retrying cannot help. */
export async function fulfilGift(deps: GiftPartnerDeps, giftOrderId: string): Promise<'ordered' | 'skipped'> {
  const order = await deps.prisma.giftOrder.findUnique({ where: { id: giftOrderId }, include: { suggestion: { include: { customer: true } } } });
  if (!order || order.status !== 'pending') return 'skipped';
  const recipient = shipToOf(order, order.suggestion.customer);
  let res: Response;
  try {
    res = await fetch(deps.partnerUrl, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'idempotency-key': order.id,
        ...(deps.partnerToken ? { authorization: `Bearer ${deps.partnerToken}` } : {}),
      },
      body: JSON.stringify({
        giftOrderId: order.id,
        sku: order.sku,
        recipient,
      }),
      signal: AbortSignal.timeout(deps.timeoutMs ?? 30_000),
    });
  } catch (err) {
    throw new Error(`gift partner unreachable: ${(err as Error).message}`, { cause: err });
  }
  const text = (await res.text()).slice(0, 500);
  if (!res.ok) {
    const reason = `gift partner answered ${res.status}: ${text}`;
    const permanent = res.status < 500 && ![408, 409, 425, 429].includes(res.status);
    await deps.prisma.$transaction(async (tx) => {
      await tx.giftOrder.updateMany({ where: { id: order.id, status: 'pending' }, data: { lastError: reason, ...(permanent ? { status: 'failed' } : {}) } });
      if (permanent) await writeAudit(tx, { actor: SYSTEM, entityType: 'gift_order', entityId: order.id, action: 'gift_order.failed', fromStatus: 'pending', toStatus: 'failed', reason });
    });
    throw permanent ? new UnrecoverableError(reason) : new Error(reason);
  }
  const partnerOrderId = partnerIdOf(text);
  await deps.prisma.$transaction(async (tx) => {
    // A callback may already have moved the order on; only a pending order becomes `ordered` here.
    const { count } = await tx.giftOrder.updateMany({ where: { id: order.id, status: 'pending' }, data: { status: 'ordered', partnerOrderId, lastError: null } });
    if (count === 1) await writeAudit(tx, { actor: SYSTEM, entityType: 'gift_order', entityId: order.id, action: 'gift_order.ordered', fromStatus: 'pending', toStatus: 'ordered', data: { partnerOrderId, response: `${res.status}` } });
  });
  return 'ordered';
}

function partnerIdOf(text: string): string | null {
  try {
    const id = (JSON.parse(text) as { id?: unknown }).id;
    return typeof id === 'string' ? id : null;
  } catch {
    return null;
  }
}

export const PartnerCallback = z.object({
  giftOrderId: z.string().uuid('expected the giftOrderId Rapport sent'),
  status: z.enum(['ordered', 'shipped', 'delivered', 'failed', 'cancelled']),
  partnerOrderId: z.string().max(200).optional(),
  error: z.string().max(1_000).optional(),
});
export type PartnerCallback = z.infer<typeof PartnerCallback>;

/**
 * Applies a (verified) partner status callback. Partners retry and reorder callbacks, so a status
 * the order already has, or one behind it, is acknowledged and ignored rather than refused.
 */
export async function applyPartnerCallback(prisma: PrismaClient, cb: PartnerCallback): Promise<{ status: GiftOrderStatus; changed: boolean }> {
  return prisma.$transaction(async (tx) => {
    const [locked] = await tx.$queryRaw<{ status: GiftOrderStatus }[]>`SELECT "status" FROM "GiftOrder" WHERE "id" = ${cb.giftOrderId}::uuid FOR UPDATE`;
    if (!locked) throw new AppError('RAPPORT_GIFT_ORDER_NOT_FOUND', undefined, { field: 'giftOrderId' });
    if (!canTransitionGiftOrder(locked.status, cb.status)) return { status: locked.status, changed: false };
    await tx.giftOrder.update({
      where: { id: cb.giftOrderId },
      data: { status: cb.status, ...(cb.partnerOrderId ? { partnerOrderId: cb.partnerOrderId } : {}), ...(cb.error ? { lastError: cb.error } : {}) },
    });
    await writeAudit(tx, { actor: { type: 'system', id: 'gift-partner' }, entityType: 'gift_order', entityId: cb.giftOrderId, action: `gift_order.${cb.status}`, fromStatus: locked.status, toStatus: cb.status, reason: cb.error ?? null });
    return { status: cb.status, changed: true };
  });
}
