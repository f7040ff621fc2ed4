import { UnrecoverableError } from 'bullmq';
import type { PrismaClient } from '../generated/prisma/client.js';
import { SYSTEM, writeAudit } from '../audit/audit-log.js';
import type { Mailer } from '../infra/mailer.js';
import { transitionSuggestion } from '../notes/suggestion-status.js';
import { createUnsubscribeToken, unsubscribeUrl } from '../consent/unsubscribe-token.js';
import { buildEmailMessage } from './email-message.js';
import { noteSender } from './note-sender.js';

export interface EmailDeliveryDeps {
  prisma: PrismaClient;
  mailer: Mailer;
  mailFrom: string;
  /** Domains the assignee may send from directly (MAIL_VERIFIED_DOMAINS); others go "via Rapport". */
  verifiedDomains?: readonly string[];
  /** Signs the List-Unsubscribe link of every note; always set by the worker (tests may leave it out). */
  unsubscribe?: { secret: string; publicUrl: string; mailto?: string | undefined };
}

export type DeliveryOutcome = 'sent' | 'skipped' | 'suppressed';

/**
 * Sends one email delivery, exactly once from the customer's point of view:
 * 1. claim it (queued → sending) in a transaction — a second worker or a replayed job finds it
 *    claimed and does nothing;
 * 2. talk to SMTP with the Message-ID fixed at scheduling time;
 * 3. record the server's reply (sending → sent) and the suggestion as sent.
 * Temporary failures put it back to `queued` and throw so BullMQ retries with backoff; permanent
 * (5xx) failures mark it failed and throw UnrecoverableError.
 */
export async function deliverEmail(deps: EmailDeliveryDeps, deliveryId: string): Promise<DeliveryOutcome> {
  const { prisma } = deps;
  // Claim before sending: a crash after SMTP accepted the message must not send it again,
  // so the claim and the Message-ID are committed before we talk to the server.
  const claim = await prisma.$transaction(async (tx) => {
    const delivery = await tx.delivery.findUnique({
      where: { id: deliveryId },
      include: { suggestion: { include: { customer: true, assignee: true } } },
    });
    if (!delivery || delivery.status !== 'queued' || delivery.channel !== 'email') return null;
    const { suggestion } = delivery;
    const customer = suggestion.customer;
    const blockedBy = customer.optedOut ? 'opted out' : customer.doNotContact ? 'do not contact' : !customer.email ? 'no email address' : null;
    if (blockedBy) {
      await tx.delivery.update({ where: { id: delivery.id }, data: { status: 'failed', lastError: `suppressed: ${blockedBy}` } });
      await writeAudit(tx, { actor: SYSTEM, entityType: 'delivery', entityId: delivery.id, action: 'delivery.suppressed', fromStatus: 'queued', toStatus: 'failed', reason: blockedBy });
      await transitionSuggestion(tx, { id: suggestion.id, to: 'suppressed', actor: SYSTEM, reason: blockedBy });
      return 'suppressed' as const;
    }
    const { count } = await tx.delivery.updateMany({
      where: { id: delivery.id, status: 'queued' },
      data: { status: 'sending', claimedAt: new Date(), attempts: { increment: 1 } },
    });
    if (count !== 1) return null;
    await writeAudit(tx, { actor: SYSTEM, entityType: 'delivery', entityId: delivery.id, action: 'delivery.sending', fromStatus: 'queued', toStatus: 'sending' });
    return { delivery, suggestion, customer };
  });
  if (claim === null) return 'skipped';
  if (claim === 'suppressed') return 'suppressed';

  const { delivery, suggestion, customer } = claim;
  const { unsubscribe } = deps;
  const message = buildEmailMessage({
    messageId: delivery.messageId,
    ...noteSender({ mailFrom: deps.mailFrom, verifiedDomains: deps.verifiedDomains ?? [], assignee: suggestion.assignee }),
    to: { name: customer.name, address: customer.email ?? '' },
    subject: suggestion.editedSubject ?? suggestion.subject,
    body: suggestion.editedBody ?? suggestion.body,
    locale: suggestion.locale,
    deliveryId: delivery.id,
    unsubscribe: unsubscribe && {
      url: unsubscribeUrl(unsubscribe.publicUrl, createUnsubscribeToken(unsubscribe.secret, customer.id)),
      mailto: unsubscribe.mailto,
    },
  });

  let sent: { messageId: string; response: string };
  try {
    sent = await deps.mailer.send(message);
  } catch (err) {
    await recordFailure(prisma, delivery.id, suggestion.id, err);
    throw isPermanent(err) ? new UnrecoverableError(describe(err)) : err;
  }

  await prisma.$transaction(async (tx) => {
    await tx.delivery.update({ where: { id: delivery.id }, data: { status: 'sent', sentAt: new Date(), response: sent.response, lastError: null } });
    await writeAudit(tx, { actor: SYSTEM, entityType: 'delivery', entityId: delivery.id, action: 'delivery.sent', fromStatus: 'sending', toStatus: 'sent', data: { messageId: delivery.messageId, response: sent.response } });
    await transitionSuggestion(tx, { id: suggestion.id, to: 'sent', actor: SYSTEM });
  });
  return 'sent';
}

/** SMTP 5xx replies are permanent (bad address, policy); connection errors and 4xx are worth retrying. */
export function isPermanent(err: unknown): boolean {
  const code = (err as { responseCode?: unknown }).responseCode;
  return typeof code === 'number' && code >= 500 && code < 600;
}

const describe = (err: unknown) => {
  const e = err as { responseCode?: number; response?: string; message?: string };
  return e.response ? `${e.responseCode ?? ''} ${e.response}`.trim() : (e.message ?? String(err));
};

async function recordFailure(prisma: PrismaClient, deliveryId: string, suggestionId: string, err: unknown): Promise<void> {
  const permanent = isPermanent(err);
  const reason = describe(err);
  await prisma.$transaction(async (tx) => {
    await tx.delivery.update({
      where: { id: deliveryId },
      // A temporary failure releases the claim: nothing was accepted, so a retry may send.
      data: { status: permanent ? 'failed' : 'queued', claimedAt: null, lastError: reason },
    });
    await writeAudit(tx, {
      actor: SYSTEM,
      entityType: 'delivery',
      entityId: deliveryId,
      action: permanent ? 'delivery.failed' : 'delivery.retry',
      fromStatus: 'sending',
      toStatus: permanent ? 'failed' : 'queued',
      reason,
    });
    if (permanent) await transitionSuggestion(tx, { id: suggestionId, to: 'failed', actor: SYSTEM, reason });
  });
}
