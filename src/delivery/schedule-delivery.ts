import { randomUUID } from 'node:crypto';
import type { Delivery, Suggestion } from '../generated/prisma/client.js';
import { writeAudit, type Actor } from '../audit/audit-log.js';
import type { Tx } from '../infra/database.js';
import { transitionSuggestion } from '../notes/suggestion-status.js';

/** The domain part of generated Message-IDs; override with MESSAGE_ID_DOMAIN in a later config. */
export const MESSAGE_ID_DOMAIN = 'rapport.local';

/**
 * Creates the delivery row for an approved suggestion and moves it to `scheduled`. The row is the
 * schedule: Redis only carries a delayed job pointing at it, so a lost Redis loses nothing.
 */
export async function scheduleDelivery(
  tx: Tx,
  args: { suggestion: Suggestion; actor: Actor; now: Date; sendAt?: Date },
): Promise<{ suggestion: Suggestion; delivery: Delivery }> {
  const id = randomUUID();
  const delivery = await tx.delivery.create({
    data: {
      id,
      suggestionId: args.suggestion.id,
      channel: args.suggestion.channel,
      scheduledFor: args.sendAt ?? args.now,
      // Stable from the first attempt on: a retried send carries the same Message-ID.
      messageId: `<${id}@${MESSAGE_ID_DOMAIN}>`,
    },
  });
  await writeAudit(tx, {
    actor: args.actor,
    entityType: 'delivery',
    entityId: delivery.id,
    action: 'delivery.queued',
    toStatus: 'queued',
    data: { suggestionId: args.suggestion.id, scheduledFor: delivery.scheduledFor.toISOString() },
  });
  const suggestion = await transitionSuggestion(tx, { id: args.suggestion.id, to: 'scheduled', actor: args.actor });
  return { suggestion, delivery };
}
