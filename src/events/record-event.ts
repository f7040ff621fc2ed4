import type { CustomerEvent, Prisma, PrismaClient } from '../generated/prisma/client.js';
import { writeAudit, type Actor } from '../audit/audit-log.js';
import { AppError } from '../errors.js';
import { isUniqueViolation } from '../infra/prisma-errors.js';
import type { EventInput } from './event-input.js';

/**
 * Stores an event once per idempotency key. A repeat with the same key returns the original event
 * (created: false) and changes nothing; the same key for another customer or type is a conflict,
 * because silently returning someone else's event would hide an integration bug.
 */
export async function recordEvent(
  prisma: PrismaClient,
  input: EventInput,
  actor: Actor,
): Promise<{ event: CustomerEvent; created: boolean }> {
  const existing = await findRepeat(prisma, input);
  if (existing) return { event: existing, created: false };
  try {
    return await prisma.$transaction(async (tx) => {
      const customer = await tx.customer.findUnique({
        where: input.customerId ? { id: input.customerId } : { externalId: input.externalId ?? '' },
        select: { id: true },
      });
      if (!customer) {
        throw new AppError('RAPPORT_CUSTOMER_NOT_FOUND', undefined, { field: input.customerId ? 'customerId' : 'externalId' });
      }
      const event = await tx.customerEvent.create({
        data: {
          customerId: customer.id,
          type: input.type,
          occurredAt: new Date(input.occurredAt),
          idempotencyKey: input.idempotencyKey,
          data: input.data as Prisma.InputJsonObject,
        },
      });
      // A purchase's total adds to the customer's lifetime value (milestone triggers watch it);
      // an upsert with lifetimeValue sets it outright, for systems that track it themselves.
      const total = input.type === 'purchase' ? input.data['total'] : undefined;
      if (typeof total === 'number' && Number.isFinite(total) && total > 0) {
        await tx.customer.update({ where: { id: customer.id }, data: { lifetimeValue: { increment: total } } });
      }
      await writeAudit(tx, { actor, entityType: 'event', entityId: event.id, action: 'event.received', data: { type: input.type } });
      return { event, created: true };
    });
  } catch (err) {
    // Two requests with the same key raced past findRepeat: the loser returns the winner's event.
    if (isUniqueViolation(err)) {
      const winner = await findRepeat(prisma, input);
      if (winner) return { event: winner, created: false };
    }
    throw err;
  }
}

async function findRepeat(prisma: PrismaClient, input: EventInput): Promise<CustomerEvent | null> {
  const event = await prisma.customerEvent.findUnique({
    where: { idempotencyKey: input.idempotencyKey },
    include: { customer: { select: { externalId: true } } },
  });
  if (!event) return null;
  const sameCustomer = input.customerId ? event.customerId === input.customerId : event.customer.externalId === input.externalId;
  if (!sameCustomer || event.type !== input.type) {
    throw new AppError(
      'RAPPORT_IDEMPOTENCY_CONFLICT',
      `Idempotency key "${input.idempotencyKey}" was already used for a ${event.type} event of another customer or type`,
      { field: 'idempotencyKey' },
    );
  }
  const { customer: _customer, ...plain } = event;
  return plain;
}
