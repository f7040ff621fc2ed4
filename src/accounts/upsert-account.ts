import type { Account, PrismaClient } from '../generated/prisma/client.js';
import { writeAudit, type Actor } from '../audit/audit-log.js';
import { retryOnUniqueViolation } from '../infra/prisma-errors.js';
import type { AccountInput } from './account-input.js';
import { resolveOwnerId } from './resolve-owner.js';

/** Creates or updates an account by externalId with its audit entry; omitted fields are kept. */
export async function upsertAccount(prisma: PrismaClient, input: AccountInput, actor: Actor): Promise<{ account: Account; created: boolean }> {
  // A concurrent create of the same externalId: retried once, as an update (see upsertCustomer).
  return retryOnUniqueViolation(() => prisma.$transaction(async (tx) => {
    const ownerId = await resolveOwnerId(tx, input.owner);
    const { owner: _owner, externalId, ...fields } = input;
    const existing = await tx.account.findUnique({ where: { externalId }, select: { id: true } });
    const data = { ...fields, ...(ownerId ? { ownerId } : {}) };
    const account = existing
      ? await tx.account.update({ where: { id: existing.id }, data })
      : await tx.account.create({ data: { externalId, ...data } });
    await writeAudit(tx, { actor, entityType: 'account', entityId: account.id, action: existing ? 'account.updated' : 'account.created', data: { externalId } });
    return { account, created: !existing };
  }));
}
