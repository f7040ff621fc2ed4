import type { Prisma } from '../generated/prisma/client.js';
import type { Tx } from '../infra/database.js';

/** Who did it: a user (web or API token of a user), an API token without a user, or Rapport itself. */
export type Actor =
  | { type: 'user'; id: string }
  | { type: 'api_token'; id: string }
  | { type: 'system'; id?: string };

export const SYSTEM: Actor = { type: 'system' };

export interface AuditInput {
  actor: Actor;
  entityType: 'customer' | 'account' | 'event' | 'trigger' | 'suggestion' | 'delivery' | 'user' | 'api_token' | 'feed' | 'event_type' | 'print_run' | 'gift' | 'gift_budget' | 'gift_order' | 'gift_packing_run';
  entityId: string;
  action: string;
  fromStatus?: string | null;
  toStatus?: string | null;
  reason?: string | null;
  data?: Prisma.InputJsonValue;
}

/**
 * Appends one audit entry. Takes a transaction client on purpose: an entry must commit or roll
 * back together with the change it describes.
 */
export async function writeAudit(tx: Tx, entry: AuditInput): Promise<void> {
  await tx.auditEntry.create({
    data: {
      actorType: entry.actor.type,
      actorId: entry.actor.id ?? null,
      entityType: entry.entityType,
      entityId: entry.entityId,
      action: entry.action,
      fromStatus: entry.fromStatus ?? null,
      toStatus: entry.toStatus ?? null,
      reason: entry.reason ?? null,
      ...(entry.data !== undefined ? { data: entry.data } : {}),
    },
  });
}
