import { UnrecoverableError } from 'bullmq';
import type { SendMailOptions } from 'nodemailer';
import type pg from 'pg';
import type { PrismaClient } from '../generated/prisma/client.js';
import { SYSTEM, writeAudit } from '../audit/audit-log.js';
import type { Mailer } from '../infra/mailer.js';
import { transitionSuggestion } from '../notes/suggestion-status.js';
import { createUnsubscribeToken, unsubscribeUrl } from '../consent/unsubscribe-token.js';
import type { DomainSlot, DomainSlots } from './domain-slots.js';
import type { EmailRate } from './email-rate.js';
import { buildEmailMessage } from './email-message.js';
import { claimEmailDelivery, emailSql, queuedRecipientDomain, recordEmailSent, type EmailClaim, type EmailSql } from './email-transitions.js';
import { noteSender } from './note-sender.js';

export interface EmailDeliveryDeps {
  prisma: PrismaClient;
  /** The pool under `prisma`: the claim and the "sent" record run on it as prepared statements (the worker passes it). */
  pool?: pg.Pool;
  mailer: Mailer;
  mailFrom: string;
  /** Domains the assignee may send from directly (MAIL_VERIFIED_DOMAINS); others go "via Rapport". */
  verifiedDomains?: readonly string[];
  /** Signs the List-Unsubscribe link of every note; always set by the worker (tests may leave it out). */
  unsubscribe?: { secret: string; publicUrl: string; mailto?: string | undefined };
  /** Caps concurrent sends per recipient domain (SMTP_MAX_PER_DOMAIN); without it, no cap. */
  domainSlots?: DomainSlots;
  /** EMAIL_RATE_PER_SECOND in emails, shared with batches; without it, no pacing. */
  rate?: EmailRate;
}

export type DeliveryOutcome = 'sent' | 'skipped' | 'suppressed' | 'postponed' | 'rate-limited';

/**
 * Sends one email delivery, exactly once from the customer's point of view:
 * 0. with `rate`, take one send from this second's budget — when it is spent, return
 *    'rate-limited' having changed nothing, and the caller tries again in the next second;
 * 1. with `domainSlots`, take a slot for the recipient's domain — at the domain's cap, return
 *    'postponed' having changed nothing: the delivery is in the domain's line, and the caller puts
 *    it to sleep, then reports it `asleep` so that the next free slot wakes it (`rank`, the job's
 *    priority, orders the line: a note approved on its own goes before bulk);
 * 2. claim it (queued → sending) in one statement — a second worker or a replayed job finds it
 *    claimed and does nothing;
 * 3. talk to SMTP with the Message-ID fixed at scheduling time;
 * 4. record the server's reply (sending → sent) and the suggestion as sent, in one statement.
 * Temporary failures put it back to `queued` and throw so BullMQ retries with backoff; permanent
 * (5xx) failures mark it failed and throw UnrecoverableError.
 */
export async function deliverEmail(deps: EmailDeliveryDeps, deliveryId: string, opts: { rank?: number } = {}): Promise<DeliveryOutcome> {
  const sql = emailSql(deps.prisma, deps.pool);
  // Nothing is taken or changed yet: a refused send waits for the next second's budget.
  if (deps.rate && !(await deps.rate.take(1)).granted) return 'rate-limited';
  let slot: DomainSlot | undefined;
  if (deps.domainSlots) {
    const domain = await queuedRecipientDomain(sql, deliveryId);
    // No domain: nothing queued to send, or no address — the claim below skips or suppresses it.
    if (domain) {
      // The delivery waits in the domain's line by its id: whoever frees a slot wakes it.
      const acquired = await deps.domainSlots.acquire(domain, deliveryId, opts.rank);
      if (!acquired) return 'postponed';
      slot = acquired;
    }
  }
  try {
    return await claimAndSend(deps, sql, deliveryId);
  } finally {
    // A release lost to a Redis hiccup only keeps the slot until its lease runs out; it must not
    // turn a sent email into a failed job.
    await slot?.release().catch(() => undefined);
  }
}

async function claimAndSend(deps: EmailDeliveryDeps, sql: EmailSql, deliveryId: string): Promise<DeliveryOutcome> {
  const { prisma } = deps;
  // Claim before sending: a crash after SMTP accepted the message must not send it again,
  // so the claim and the Message-ID are committed before we talk to the server.
  const claim = await claimEmailDelivery(sql, deliveryId, new Date());
  if (!claim) return 'skipped';
  if (claim.blockedBy) return suppress(prisma, claim.id, claim.suggestionId, claim.blockedBy);

  const message = emailMessageFor(deps, claim);

  let sent: { messageId: string; response: string };
  try {
    sent = await deps.mailer.send(message);
  } catch (err) {
    await recordFailure(prisma, claim.id, claim.suggestionId, err);
    throw isPermanent(err) ? new UnrecoverableError(describe(err)) : err;
  }
  await recordEmailSent(sql, { deliveryId: claim.id, suggestionId: claim.suggestionId, messageId: claim.messageId, response: sent.response, now: new Date() });
  return 'sent';
}

/** The message a claimed delivery is sent as: its note, the sender rules, the signed unsubscribe link. */
export function emailMessageFor(deps: Pick<EmailDeliveryDeps, 'mailFrom' | 'verifiedDomains' | 'unsubscribe'>, claim: EmailClaim): SendMailOptions {
  const { unsubscribe } = deps;
  const assignee = claim.assigneeEmail !== null ? { name: claim.assigneeName ?? '', email: claim.assigneeEmail } : null;
  return buildEmailMessage({
    messageId: claim.messageId,
    ...noteSender({ mailFrom: deps.mailFrom, verifiedDomains: deps.verifiedDomains ?? [], assignee }),
    to: { name: claim.customerName, address: claim.customerEmail ?? '' },
    subject: claim.editedSubject ?? claim.subject,
    body: claim.editedBody ?? claim.body,
    locale: claim.locale,
    deliveryId: claim.id,
    unsubscribe: unsubscribe && {
      url: unsubscribeUrl(unsubscribe.publicUrl, createUnsubscribeToken(unsubscribe.secret, claim.customerId)),
      mailto: unsubscribe.mailto,
    },
  });
}

/** The customer may not be written to (opted out, do not contact, no address): queued → failed, the note suppressed. */
export async function suppress(prisma: PrismaClient, deliveryId: string, suggestionId: string, blockedBy: string): Promise<DeliveryOutcome> {
  return prisma.$transaction(async (tx) => {
    const { count } = await tx.delivery.updateMany({ where: { id: deliveryId, status: 'queued' }, data: { status: 'failed', lastError: `suppressed: ${blockedBy}` } });
    if (count !== 1) return 'skipped';
    await writeAudit(tx, { actor: SYSTEM, entityType: 'delivery', entityId: deliveryId, action: 'delivery.suppressed', fromStatus: 'queued', toStatus: 'failed', reason: blockedBy });
    await transitionSuggestion(tx, { id: suggestionId, to: 'suppressed', actor: SYSTEM, reason: blockedBy });
    return 'suppressed';
  });
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

/** SMTP refused or failed: a temporary failure puts the delivery back to `queued`, a permanent one fails it and its note. */
export async function recordFailure(prisma: PrismaClient, deliveryId: string, suggestionId: string, err: unknown): Promise<void> {
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
