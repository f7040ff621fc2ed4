import type { Customer, Delivery, Suggestion } from '../generated/prisma/client.js';
import type { GiftView } from '../gifts/gift-view.js';

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);
const date = (d: Date | null) => (d ? d.toISOString().slice(0, 10) : null);

/** The API's shape of a customer: plain JSON, dates as ISO strings, money as a number. */
export function presentCustomer(c: Customer) {
  return {
    id: c.id,
    externalId: c.externalId,
    name: c.name,
    firstName: c.firstName,
    email: c.email,
    locale: c.locale,
    timeZone: c.timeZone,
    ownerId: c.ownerId,
    accountId: c.accountId,
    tier: c.tier,
    tags: c.tags,
    country: c.country,
    birthday: date(c.birthday),
    customerSince: date(c.customerSince),
    renewalDate: date(c.renewalDate),
    lifetimeValue: Number(c.lifetimeValue),
    optedOut: c.optedOut,
    doNotContact: c.doNotContact,
    addressLines: c.addressLines,
    postalCode: c.postalCode,
    city: c.city,
    region: c.region,
    createdAt: iso(c.createdAt),
    updatedAt: iso(c.updatedAt),
  };
}

/** `gift` comes from gifts/gift-view.ts (name and remaining budget); without it the row's own gift fields are shown. */
export function presentSuggestion(s: Suggestion & { delivery?: Delivery | null }, gift?: GiftView | null) {
  return {
    id: s.id,
    status: s.status,
    customerId: s.customerId,
    triggerId: s.triggerId,
    triggerVersionId: s.triggerVersionId,
    eventId: s.eventId,
    channel: s.channel,
    template: s.templateKey,
    locale: s.locale,
    /** What will be sent: the edit when there is one, else the draft. */
    subject: s.editedSubject ?? s.subject,
    body: s.editedBody ?? s.body,
    draft: { subject: s.subject, body: s.body },
    edited: s.editedSubject !== null || s.editedBody !== null,
    assigneeId: s.assigneeId,
    decidedById: s.decidedById,
    decidedAt: iso(s.decidedAt),
    decisionReason: s.decisionReason,
    expiresAt: iso(s.expiresAt),
    createdAt: iso(s.createdAt),
    updatedAt: iso(s.updatedAt),
    gift: gift ?? (s.giftSku && s.giftCurrency ? { sku: s.giftSku, name: null, cost: Number(s.giftCost), currency: s.giftCurrency, remainingBudget: null } : null),
    delivery: s.delivery
      ? {
          id: s.delivery.id,
          status: s.delivery.status,
          scheduledFor: iso(s.delivery.scheduledFor),
          messageId: s.delivery.messageId,
          attempts: s.delivery.attempts,
          sentAt: iso(s.delivery.sentAt),
          response: s.delivery.response,
          lastError: s.delivery.lastError,
          ...(s.delivery.channel === 'print'
            ? { print: { format: s.delivery.printFormat, runId: s.delivery.printRunId, file: s.delivery.printFile, firstPage: s.delivery.firstPage, lastPage: s.delivery.lastPage } }
            : {}),
        }
      : null,
  };
}
