import type { Runtime } from '../infra/runtime.js';
import { sendAddressConfirmation, type AddressConfirmationDeps } from './gift-address-confirmation.js';
import { fulfilGift } from './gift-orders.js';

export interface GiftFulfilmentDeps {
  confirmation: AddressConfirmationDeps;
  /** The fulfilment partner; absent: manual fulfilment (packing runs). */
  partner?: { url: string; token: string | undefined };
}

/**
 * The `fulfil-gift` job: takes an order's next automatic step. An order awaiting confirmation gets
 * its confirmation email; a pending one goes to the partner when there is one, and otherwise waits
 * for a packing run (`rapport gifts pack`). Anything else has nothing automatic left to do.
 */
export async function advanceGiftOrder(deps: GiftFulfilmentDeps, giftOrderId: string): Promise<'confirmation_sent' | 'ordered' | 'skipped'> {
  const { prisma } = deps.confirmation;
  const order = await prisma.giftOrder.findUnique({ where: { id: giftOrderId }, select: { status: true } });
  if (order?.status === 'awaiting_confirmation') {
    return (await sendAddressConfirmation(deps.confirmation, giftOrderId)) === 'sent' ? 'confirmation_sent' : 'skipped';
  }
  if (order?.status === 'pending' && deps.partner) {
    return fulfilGift({ prisma, partnerUrl: deps.partner.url, partnerToken: deps.partner.token }, giftOrderId);
  }
  return 'skipped';
}

export const giftFulfilmentDeps = (rt: Runtime): GiftFulfilmentDeps => ({
  confirmation: {
    prisma: rt.db.prisma,
    mailer: rt.mailer,
    mailFrom: rt.config.mail.from,
    secret: rt.secret,
    publicUrl: rt.config.http.publicUrl,
    templatesDir: rt.config.templatesDir,
    linkDays: rt.config.gifts.addressLinkDays,
  },
  ...(rt.config.gifts.partnerUrl ? { partner: { url: rt.config.gifts.partnerUrl, token: rt.config.gifts.partnerToken } } : {}),
});
