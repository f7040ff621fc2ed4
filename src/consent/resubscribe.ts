import { z } from 'zod';
import type { Customer, PrismaClient } from '../generated/prisma/client.js';
import { writeAudit, type Actor } from '../audit/audit-log.js';
import { AppError } from '../errors.js';

export const ResubscribeInput = z.strictObject({
  evidence: z
    .string()
    .trim()
    .min(10, 'say how the customer asked to hear from you again, e.g. "signed the consent form at the store on 2026-11-20"')
    .max(1_000),
});
export type ResubscribeInput = z.infer<typeof ResubscribeInput>;

/**
 * Opts a customer back in — only because they asked for it, which is why the evidence is required
 * and kept in the audit log beside who recorded it. Upserts and imports can never do this (see
 * upsertCustomer). A customer who is not opted out is returned unchanged.
 */
export async function resubscribeCustomer(prisma: PrismaClient, args: { externalId: string; input: ResubscribeInput; actor: Actor }): Promise<Customer> {
  return prisma.$transaction(async (tx) => {
    const customer = await tx.customer.findUnique({ where: { externalId: args.externalId } });
    if (!customer) throw new AppError('RAPPORT_NOT_FOUND', `No customer with externalId ${args.externalId}`, { field: 'externalId' });
    const { count } = await tx.customer.updateMany({ where: { id: customer.id, optedOut: true }, data: { optedOut: false } });
    if (count === 0) return customer;
    await writeAudit(tx, {
      actor: args.actor,
      entityType: 'customer',
      entityId: customer.id,
      action: 'customer.resubscribed',
      reason: args.input.evidence,
      data: { externalId: args.externalId },
    });
    return tx.customer.findUniqueOrThrow({ where: { id: customer.id } });
  });
}
