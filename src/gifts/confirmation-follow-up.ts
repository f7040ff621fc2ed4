import { z } from 'zod';
import type { PrismaClient } from '../generated/prisma/client.js';
import { writeAudit, type Actor } from '../audit/audit-log.js';
import { AppError } from '../errors.js';
import { transitionGiftOrder } from './gift-order-status.js';

/**
 * What staff can do about an order still `awaiting_confirmation` — the recipient never clicked, or
 * the link expired — so a gift is never held forever. Both leave the next step to the `fulfil-gift`
 * job, which the caller enqueues: it emails a fresh link, or hands the order to fulfilment.
 */

export const SkipConfirmationInput = z.strictObject({
  reason: z.string().trim().min(5, 'say why the address is good enough without the recipient, e.g. "confirmed by phone"').max(500),
});
export type SkipConfirmationInput = z.infer<typeof SkipConfirmationInput>;

/** Another link (valid for GIFT_ADDRESS_LINK_DAYS from now) on the next fulfil-gift run. */
export async function resendAddressConfirmation(prisma: PrismaClient, args: { giftOrderId: string; actor: Actor }): Promise<void> {
  await prisma.$transaction(async (tx) => {
    const [locked] = await tx.$queryRaw<{ status: string }[]>`SELECT "status" FROM "GiftOrder" WHERE "id" = ${args.giftOrderId}::uuid FOR UPDATE`;
    if (!locked) throw new AppError('RAPPORT_GIFT_ORDER_NOT_FOUND', undefined, { field: 'id' });
    if (locked.status !== 'awaiting_confirmation') {
      throw new AppError('RAPPORT_GIFT_ORDER_ILLEGAL_TRANSITION', `Gift order ${args.giftOrderId} is ${locked.status}; only an order awaiting confirmation gets a new link`, { field: 'id' });
    }
    // sendAddressConfirmation sends to orders without a sent mark; clearing it asks for one more.
    await tx.giftOrder.update({ where: { id: args.giftOrderId }, data: { confirmationSentAt: null } });
    await writeAudit(tx, { actor: args.actor, entityType: 'gift_order', entityId: args.giftOrderId, action: 'gift_order.confirmation_resend' });
  });
}

/** Ships to the address on file without the recipient's confirmation; the reason is audited. */
export async function skipAddressConfirmation(prisma: PrismaClient, args: { giftOrderId: string; input: SkipConfirmationInput; actor: Actor }): Promise<void> {
  await prisma.$transaction((tx) =>
    transitionGiftOrder(tx, { id: args.giftOrderId, to: 'pending', from: ['awaiting_confirmation'], actor: args.actor, reason: `address confirmation skipped: ${args.input.reason}` }),
  );
}
