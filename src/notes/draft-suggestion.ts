import type { Suggestion } from '../generated/prisma/client.js';
import { SYSTEM, writeAudit } from '../audit/audit-log.js';
import type { Tx } from '../infra/database.js';
import type { ActiveTrigger } from '../triggers/trigger-store.js';
import { expiresAfterHours } from '../triggers/trigger-definition.js';
import { giftForDraft } from '../gifts/gift-catalog.js';
import type { RenderedNote } from './note-templates.js';

/**
 * Stores a drafted note waiting for approval, unless one with the same dedupe key exists — which
 * makes re-evaluating an event (a retried job, a reconciler pass) harmless. Returns null then.
 */
export async function draftSuggestion(
  tx: Tx,
  args: {
    dedupeKey: string;
    customerId: string;
    trigger: ActiveTrigger;
    eventId?: string | null;
    signalId?: string | null;
    note: RenderedNote;
    assigneeId: string | null;
    now: Date;
  },
): Promise<Suggestion | null> {
  const { definition } = args.trigger;
  const expiryHours = expiresAfterHours(definition);
  const delayMinutes = definition.action.delayMinutes ?? 0;
  // An unknown or inactive SKU does not stop the note: it is drafted without the gift and the
  // audit entry says why (the catalog may change after the trigger was saved).
  const giftSku = definition.action.giftSku;
  const giftOutcome = giftSku ? await giftForDraft(tx, giftSku) : null;
  const gift = giftOutcome && 'gift' in giftOutcome ? giftOutcome.gift : null;
  const rows = await tx.suggestion.createManyAndReturn({
    data: [
      {
        dedupeKey: args.dedupeKey,
        customerId: args.customerId,
        triggerId: args.trigger.id,
        triggerVersionId: args.trigger.versionId,
        eventId: args.eventId ?? null,
        signalId: args.signalId ?? null,
        status: 'pending_approval',
        channel: definition.action.channel,
        templateKey: definition.action.template,
        locale: args.note.locale,
        subject: args.note.subject,
        body: args.note.body,
        assigneeId: args.assigneeId,
        expiresAt: expiryHours ? new Date(args.now.getTime() + expiryHours * 3_600_000) : null,
        notBefore: delayMinutes ? new Date(args.now.getTime() + delayMinutes * 60_000) : null,
        ...(gift ? { giftSku: gift.sku, giftCost: gift.cost, giftCurrency: gift.currency } : {}),
      },
    ],
    skipDuplicates: true,
  });
  const suggestion = rows[0];
  if (!suggestion) return null;
  await writeAudit(tx, {
    actor: SYSTEM,
    entityType: 'suggestion',
    entityId: suggestion.id,
    action: 'suggestion.drafted',
    toStatus: 'pending_approval',
    data: {
      trigger: args.trigger.key,
      triggerVersion: args.trigger.version,
      template: args.note.templatePath,
      ...(gift ? { gift: { sku: gift.sku, cost: gift.cost.toFixed(2), currency: gift.currency } } : {}),
      ...(giftOutcome && 'skipped' in giftOutcome ? { giftSkipped: giftOutcome.skipped } : {}),
    },
  });
  return suggestion;
}
