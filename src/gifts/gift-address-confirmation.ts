import type { PrismaClient } from '../generated/prisma/client.js';
import { SYSTEM, writeAudit } from '../audit/audit-log.js';
import { createLinkToken, linkUrl, verifyLinkToken, type LinkTokenCheck } from '../consent/signed-link-token.js';
import type { Mailer } from '../infra/mailer.js';
import { giftAddressTexts } from './gift-address-texts.js';
import { transitionGiftOrder } from './gift-order-status.js';
import { shipToOf, type PostalAddress, type ShipTo } from './ship-to.js';

/**
 * Address confirmation for gifts whose catalog entry has `confirmAddress`: the order waits in
 * `awaiting_confirmation` while the recipient gets an email with a signed, expiring link
 * (RAPPORT_SECRET, purpose-bound like unsubscribe links) to GET/POST /gift-address/<token>, where
 * they confirm the address on file or correct it. Confirming stores the address on the order
 * (`shipTo`; the customer record is left as it is) and moves it to `pending` for fulfilment.
 */
const PURPOSE = 'rapport-gift-address-v1';

export const createGiftAddressToken = (secret: string, giftOrderId: string, expiresAt: Date) => createLinkToken(PURPOSE, secret, giftOrderId, expiresAt);
export const verifyGiftAddressToken = (secret: string, token: string, now = new Date()): LinkTokenCheck => verifyLinkToken(PURPOSE, secret, token, now);
export const giftAddressUrl = (publicUrl: string, token: string) => linkUrl(publicUrl, '/gift-address/', token);

export interface AddressConfirmationDeps {
  prisma: PrismaClient;
  mailer: Mailer;
  mailFrom: string;
  secret: string;
  publicUrl: string;
  templatesDir: string;
  linkDays: number;
}

/**
 * Emails the confirmation link for an order in `awaiting_confirmation` that has not had one yet.
 * At least once: `confirmationSentAt` is committed after the mailer accepted the message, so a
 * crash in between sends the link again on retry — a second identical email is a small nuisance,
 * a lost one would hold the gift forever.
 */
export async function sendAddressConfirmation(deps: AddressConfirmationDeps, giftOrderId: string, now = new Date()): Promise<'sent' | 'skipped'> {
  const order = await deps.prisma.giftOrder.findUnique({
    where: { id: giftOrderId },
    include: { suggestion: { include: { customer: true, assignee: { select: { name: true } } } } },
  });
  if (!order || order.status !== 'awaiting_confirmation' || order.confirmationSentAt) return 'skipped';
  const { customer, assignee, locale } = order.suggestion;
  if (!customer.email) {
    // The email address was removed after approval: ship to the address on file rather than never.
    await deps.prisma.$transaction((tx) => transitionGiftOrder(tx, { id: order.id, to: 'pending', actor: SYSTEM, reason: 'address confirmation skipped: the customer has no email address' }));
    return 'skipped';
  }
  const texts = giftAddressTexts(deps.templatesDir);
  const { lang, t } = await texts.for(locale);
  const expiresAt = new Date(now.getTime() + deps.linkDays * 24 * 3600_000);
  const gift = await deps.prisma.gift.findUnique({ where: { sku: order.sku }, select: { name: true } });
  const values = {
    name: customer.firstName ?? customer.name,
    sender: assignee?.name ?? customer.name,
    gift: gift?.name ?? order.sku,
    url: giftAddressUrl(deps.publicUrl, createGiftAddressToken(deps.secret, order.id, expiresAt)),
    expires: formatDay(expiresAt, lang, customer.timeZone),
  };
  const sent = await deps.mailer.send({
    from: { name: values.sender, address: deps.mailFrom },
    to: { name: customer.name, address: customer.email },
    subject: texts.fill(t.emailSubject, values),
    text: texts.fill(t.emailBody, values),
    headers: { 'X-Rapport-Gift-Order': order.id, 'Content-Language': lang },
  });
  await deps.prisma.$transaction(async (tx) => {
    const { count } = await tx.giftOrder.updateMany({ where: { id: order.id, confirmationSentAt: null }, data: { confirmationSentAt: now } });
    if (count === 1) await writeAudit(tx, { actor: SYSTEM, entityType: 'gift_order', entityId: order.id, action: 'gift_order.confirmation_sent', data: { messageId: sent.messageId, expiresAt: expiresAt.toISOString() } });
  });
  return 'sent';
}

export type ConfirmOutcome =
  | { outcome: 'confirmed'; address: PostalAddress; corrected: boolean }
  | { outcome: 'already_confirmed'; address: PostalAddress }
  | { outcome: 'closed' };

/** What the page shows for a valid link: the address to confirm, or why there is nothing to do. */
export async function addressForConfirmation(prisma: PrismaClient, giftOrderId: string) {
  const order = await prisma.giftOrder.findUnique({
    where: { id: giftOrderId },
    include: { suggestion: { include: { customer: true, assignee: { select: { name: true } } } } },
  });
  if (!order) return null;
  const gift = await prisma.gift.findUnique({ where: { sku: order.sku }, select: { name: true } });
  return {
    id: order.id,
    status: order.status,
    confirmedAt: order.addressConfirmedAt,
    address: shipToOf(order, order.suggestion.customer),
    locale: order.suggestion.locale,
    sender: order.suggestion.assignee?.name ?? '',
    gift: gift?.name ?? order.sku,
  };
}

/**
 * The recipient confirmed (possibly corrected) the address. A replay — a second click, a browser
 * resubmitting the form — changes nothing and answers with the address already confirmed.
 */
export async function confirmGiftAddress(prisma: PrismaClient, args: { giftOrderId: string; address: ShipTo; now?: Date }): Promise<ConfirmOutcome> {
  return prisma.$transaction(async (tx) => {
    const [locked] = await tx.$queryRaw<{ status: string }[]>`SELECT "status" FROM "GiftOrder" WHERE "id" = ${args.giftOrderId}::uuid FOR UPDATE`;
    const order = locked ? await tx.giftOrder.findUnique({ where: { id: args.giftOrderId }, include: { suggestion: { include: { customer: true } } } }) : null;
    if (!order) return { outcome: 'closed' };
    if (order.status !== 'awaiting_confirmation') {
      return order.addressConfirmedAt ? { outcome: 'already_confirmed', address: shipToOf(order, order.suggestion.customer) } : { outcome: 'closed' };
    }
    const onFile = shipToOf({ shipTo: null }, order.suggestion.customer);
    const corrected = JSON.stringify(normalised(onFile)) !== JSON.stringify(normalised(args.address));
    await transitionGiftOrder(tx, {
      id: order.id,
      to: 'pending',
      actor: { type: 'system', id: 'recipient' },
      reason: corrected ? 'the recipient corrected the address' : 'the recipient confirmed the address',
      data: { corrected },
      patch: { shipTo: args.address, addressConfirmedAt: args.now ?? new Date() },
    });
    return { outcome: 'confirmed', address: args.address, corrected };
  });
}

const normalised = (a: PostalAddress) => [a.name, ...a.addressLines, a.postalCode ?? '', a.city ?? '', a.region ?? '', (a.country ?? '').toUpperCase()].map((v) => v.trim());

function formatDay(date: Date, locale: string, timeZone: string): string {
  try {
    return new Intl.DateTimeFormat(locale, { dateStyle: 'long', timeZone }).format(date);
  } catch {
    return date.toISOString().slice(0, 10);
  }
}
