import type { Account, Customer, CustomerEvent, User } from '../generated/prisma/client.js';

const isoDate = (d: Date | null) => (d ? d.toISOString().slice(0, 10) : null);

/** The customer and account attributes trigger conditions may test (see trigger-definition.ts). */
export function customerFacts(customer: Customer & { account: Account | null }) {
  return {
    customer: {
      id: customer.id,
      externalId: customer.externalId,
      name: customer.name,
      locale: customer.locale,
      timeZone: customer.timeZone,
      tier: customer.tier,
      tags: customer.tags,
      country: customer.country,
      lifetimeValue: Number(customer.lifetimeValue),
      birthday: isoDate(customer.birthday),
      customerSince: isoDate(customer.customerSince),
      renewalDate: isoDate(customer.renewalDate),
    },
    account: customer.account
      ? {
          id: customer.account.id,
          name: customer.account.name,
          domain: customer.account.domain,
          country: customer.account.country,
          tier: customer.account.tier,
          tags: customer.account.tags,
          locale: customer.account.locale,
        }
      : {},
  };
}

/** What a note template sees: first name, the customer, the event and who signs the note. */
export function noteContext(
  customer: Customer & { account: Account | null; owner: User | null },
  event?: Pick<CustomerEvent, 'type' | 'occurredAt' | 'data'>,
) {
  return {
    firstName: customer.firstName ?? customer.name.split(/\s+/)[0] ?? customer.name,
    name: customer.name,
    customer: { name: customer.name, email: customer.email, locale: customer.locale },
    // Dates and numbers in notes are formatted for the recipient (see notes/template-helpers.ts).
    recipient: { locale: customer.locale, timeZone: customer.timeZone },
    account: customer.account ? { name: customer.account.name } : null,
    event: event ? { type: event.type, occurredAt: event.occurredAt.toISOString(), data: event.data } : null,
    sender: { name: customer.owner?.name ?? 'Your Rapport team', email: customer.owner?.email ?? null },
  };
}
