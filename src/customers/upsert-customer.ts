import type { Customer, PrismaClient } from '../generated/prisma/client.js';
import { writeAudit, type Actor } from '../audit/audit-log.js';
import { retryOnUniqueViolation } from '../infra/prisma-errors.js';
import { firstNameOf, type CustomerInput } from './customer-input.js';
import { resolveOwnerId } from '../accounts/resolve-owner.js';

const dateOrUndefined = (d: string | undefined) => (d === undefined ? undefined : new Date(`${d}T00:00:00Z`));

/** Said beside a customer whose opt-out an upsert tried to clear. */
export const OPT_OUT_KEPT =
  'kept true: this customer opted out, and an import or sync cannot opt them back in; with their consent use POST /api/v1/customers/{externalId}/resubscribe';

/**
 * Creates or updates a customer by externalId (and its account, when given), in one transaction
 * with the audit entry. Fields left out of the input keep their stored values.
 *
 * An opt-out is the customer's own decision: `optedOut: false` never clears it (a CRM sync that
 * sends false for everyone would otherwise re-subscribe whoever used the unsubscribe link). The
 * rest of the row is written and `optOutKept` tells the caller; resubscribeCustomer is the only way back.
 */
export async function upsertCustomer(
  prisma: PrismaClient,
  input: CustomerInput,
  actor: Actor,
): Promise<{ customer: Customer; created: boolean; optOutKept: boolean }> {
  // Two requests creating the same new externalId race: the loser's insert hits the unique key,
  // and its second run finds the winner's row and updates it (never a 500).
  return retryOnUniqueViolation(() => prisma.$transaction(async (tx) => {
    const ownerId = await resolveOwnerId(tx, input.owner);
    let accountId: string | undefined;
    if (input.account) {
      const account = await tx.account.upsert({
        where: { externalId: input.account.externalId },
        create: { externalId: input.account.externalId, name: input.account.name, domain: input.account.domain ?? null, ownerId: ownerId ?? null },
        update: { name: input.account.name, ...(input.account.domain ? { domain: input.account.domain } : {}) },
      });
      accountId = account.id;
    }
    const fields = {
      name: input.name,
      // Derived from the name only when creating: a later update without firstName keeps the stored one.
      firstName: input.firstName,
      aliases: input.aliases,
      title: input.title,
      email: input.email,
      locale: input.locale,
      timeZone: input.timeZone,
      ownerId,
      accountId,
      tier: input.tier,
      tags: input.tags,
      country: input.country,
      birthday: dateOrUndefined(input.birthday),
      customerSince: dateOrUndefined(input.customerSince),
      renewalDate: dateOrUndefined(input.renewalDate),
      lifetimeValue: input.lifetimeValue,
      optedOut: input.optedOut,
      doNotContact: input.doNotContact,
      addressLines: input.addressLines,
      postalCode: input.postalCode,
      city: input.city,
      region: input.region,
    };
    const existing = await tx.customer.findUnique({ where: { externalId: input.externalId }, select: { id: true, optedOut: true } });
    const optOutKept = existing?.optedOut === true && input.optedOut === false;
    if (optOutKept) fields.optedOut = undefined;
    const customer = existing
      ? await tx.customer.update({ where: { id: existing.id }, data: fields })
      : await tx.customer.create({ data: { externalId: input.externalId, ...fields, firstName: firstNameOf(input) } });
    await writeAudit(tx, {
      actor,
      entityType: 'customer',
      entityId: customer.id,
      action: existing ? 'customer.updated' : 'customer.created',
      data: { externalId: input.externalId, ...(optOutKept ? { optOutKept: true } : {}) },
    });
    return { customer, created: !existing, optOutKept };
  }));
}
