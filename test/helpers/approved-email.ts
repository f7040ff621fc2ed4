import { SYSTEM } from '../../src/audit/audit-log.js';
import { recordEvent } from '../../src/events/record-event.js';
import type { PrismaClient } from '../../src/generated/prisma/client.js';
import { approveSuggestion } from '../../src/notes/decide-suggestion.js';
import { NoteTemplates } from '../../src/notes/note-templates.js';
import { evaluateEvent } from '../../src/triggers/evaluate-event.js';

const templates = new NoteTemplates('templates');

/**
 * A purchase by the customer `externalId` (demo trigger: a thank-you email that needs approval),
 * drafted and approved: the suggestion is scheduled and its email delivery queued. `key` makes the
 * event unique (its idempotency key and product name).
 */
export async function approvedEmail(prisma: PrismaClient, externalId: string, key: string): Promise<{ deliveryId: string; suggestionId: string }> {
  const { event } = await recordEvent(prisma, { type: 'purchase', externalId, occurredAt: new Date().toISOString(), idempotencyKey: key, data: { product: `Item ${key}` } }, SYSTEM);
  const { suggestionId } = await evaluateEvent({ prisma, templates, frequencyCapDays: 0 }, event.id);
  if (!suggestionId) throw new Error(`the purchase ${key} drafted no note`);
  const { delivery } = await approveSuggestion(prisma, { id: suggestionId, actor: SYSTEM });
  return { deliveryId: delivery.id, suggestionId };
}
