import type { PrismaClient, Trigger } from '../generated/prisma/client.js';
import { writeAudit, type Actor } from '../audit/audit-log.js';
import { AppError } from '../errors.js';

/** Turns a trigger on or off without adding a version (the rule itself did not change), audited. */
export async function setTriggerEnabled(prisma: PrismaClient, args: { id: string; enabled: boolean; actor: Actor }): Promise<Trigger> {
  return prisma.$transaction(async (tx) => {
    const trigger = await tx.trigger.findUnique({ where: { id: args.id } });
    if (!trigger) throw new AppError('RAPPORT_TRIGGER_NOT_FOUND', undefined, { field: 'id' });
    if (trigger.enabled === args.enabled) return trigger;
    const updated = await tx.trigger.update({ where: { id: args.id }, data: { enabled: args.enabled } });
    await writeAudit(tx, { actor: args.actor, entityType: 'trigger', entityId: args.id, action: args.enabled ? 'trigger.enabled' : 'trigger.disabled' });
    return updated;
  });
}
