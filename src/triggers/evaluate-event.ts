import type { PrismaClient } from '../generated/prisma/client.js';
import { SYSTEM, writeAudit } from '../audit/audit-log.js';
import { AppError } from '../errors.js';
import type { NoteTemplates, RenderedNote } from '../notes/note-templates.js';
import { draftSuggestion } from '../notes/draft-suggestion.js';
import { approveInTransaction } from '../notes/decide-suggestion.js';
import { evaluateCondition } from './conditions.js';
import { loadActiveTriggers, type ActiveTrigger } from './trigger-store.js';
import { customerFacts, noteContext } from './facts.js';

export interface EvaluateEventDeps {
  prisma: PrismaClient;
  templates: NoteTemplates;
}

export interface EvaluationResult {
  suggestionIds: string[];
  /** Deliveries created by auto-approved triggers; the caller enqueues them after commit. */
  deliveryIds: string[];
  skipped: { trigger: string; reason: string }[];
}

/**
 * Runs every enabled event trigger against one stored event and drafts the notes they ask for.
 * Idempotent: suggestions carry a dedupe key of trigger + event, and the event is marked evaluated
 * in the same transaction as the drafts, so a retry or reconciler pass creates nothing new.
 */
export async function evaluateEvent(deps: EvaluateEventDeps, eventId: string, now = new Date()): Promise<EvaluationResult> {
  const { prisma } = deps;
  const result: EvaluationResult = { suggestionIds: [], deliveryIds: [], skipped: [] };
  const event = await prisma.customerEvent.findUnique({
    where: { id: eventId },
    include: { customer: { include: { account: true, owner: true } } },
  });
  if (!event || event.evaluatedAt) return result;
  const { customer } = event;
  const facts = { ...customerFacts(customer), event: { type: event.type, occurredAt: event.occurredAt.toISOString(), data: event.data } };

  const drafts: { trigger: ActiveTrigger; note: RenderedNote }[] = [];
  for (const trigger of await loadActiveTriggers(prisma, 'event')) {
    const { definition } = trigger;
    if (definition.source.type !== 'event' || definition.source.eventType !== event.type) continue;
    if (definition.conditions && !evaluateCondition(definition.conditions, facts)) {
      result.skipped.push({ trigger: trigger.key, reason: 'conditions not met' });
      continue;
    }
    if (customer.optedOut || customer.doNotContact) {
      result.skipped.push({ trigger: trigger.key, reason: customer.optedOut ? 'opted out' : 'do not contact' });
      continue;
    }
    if (definition.action.channel === 'email' && !customer.email) {
      result.skipped.push({ trigger: trigger.key, reason: 'no email address' });
      continue;
    }
    // Rendering happens before the transaction so a slow template never holds a connection. A
    // broken template is recorded on the event (audit) rather than retried: retrying cannot fix it.
    try {
      const note = await deps.templates.render(definition.action.template, customer.locale, noteContext(customer, event), customer.account?.locale);
      drafts.push({ trigger, note });
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      result.skipped.push({ trigger: trigger.key, reason: `${err.code}: ${err.message}` });
    }
  }

  await prisma.$transaction(async (tx) => {
    const { count } = await tx.customerEvent.updateMany({ where: { id: event.id, evaluatedAt: null }, data: { evaluatedAt: now } });
    if (count !== 1) return;
    for (const { trigger, note } of drafts) {
      const approver = trigger.definition.action.approver;
      const assigneeId = approver && approver !== 'owner' ? approver.userId : (customer.ownerId ?? customer.account?.ownerId ?? null);
      const suggestion = await draftSuggestion(tx, {
        dedupeKey: `trigger:${trigger.id}:event:${event.id}`,
        customerId: customer.id,
        trigger,
        eventId: event.id,
        note,
        assigneeId,
        now,
      });
      if (!suggestion) continue;
      result.suggestionIds.push(suggestion.id);
      if (trigger.definition.action.approval === 'auto') {
        const { delivery } = await approveInTransaction(tx, { id: suggestion.id, actor: SYSTEM, now });
        result.deliveryIds.push(delivery.id);
      }
    }
    await writeAudit(tx, {
      actor: SYSTEM,
      entityType: 'event',
      entityId: event.id,
      action: 'event.evaluated',
      data: { suggestions: result.suggestionIds, skipped: result.skipped },
    });
  });
  return result;
}

