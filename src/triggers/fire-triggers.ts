import type { PrismaClient } from '../generated/prisma/client.js';
import { SYSTEM } from '../audit/audit-log.js';
import { AppError } from '../errors.js';
import type { NoteTemplates, RenderedNote } from '../notes/note-templates.js';
import { draftSuggestion } from '../notes/draft-suggestion.js';
import { approveInTransaction } from '../notes/decide-suggestion.js';
import { explainCondition, type Facts } from './conditions.js';
import { loadStanding } from './customer-standing.js';
import { customerFacts, noteContext } from './facts.js';
import { checkPolicies, pickWinningTrigger, type PolicyBlockReason } from './policy-checks.js';
import type { ActiveTrigger } from './trigger-store.js';

export interface FireDeps {
  prisma: PrismaClient;
  templates: NoteTemplates;
  /** At most one note per this many days per customer across all triggers; 0 turns it off. */
  frequencyCapDays: number;
}

/** One trigger that fired for a customer, with what made it fire. */
export interface Firing {
  trigger: ActiveTrigger;
  /** Unique per firing: a re-run with the same key drafts nothing new. */
  dedupeKey: string;
  eventId?: string | null;
  signalId?: string | null;
  /** Extra facts for conditions (`event.*`) and extra template context (event, signal, years…). */
  eventFacts?: Facts['event'];
  templateExtras?: Record<string, unknown>;
}

export type SkipReason = 'condition' | 'lower_priority' | 'no_email' | 'duplicate' | 'template_error' | PolicyBlockReason;

export interface FireResult {
  suggestionId: string | null;
  deliveryIds: string[];
  skipped: { trigger: string; reason: SkipReason; detail: string }[];
}

/**
 * The one path from "triggers fired for a customer" to a drafted note, shared by events, news,
 * dates, milestones and silence (and mirrored by the dry run): conditions, channel checks, the
 * priority winner, then — under a row lock on the customer, so concurrent events cannot both pass
 * the frequency cap — the policies and the draft in one transaction.
 */
export async function fireForCustomer(deps: FireDeps, customerId: string, firings: Firing[], now = new Date()): Promise<FireResult> {
  const result: FireResult = { suggestionId: null, deliveryIds: [], skipped: [] };
  if (firings.length === 0) return result;
  const customer = await deps.prisma.customer.findUnique({ where: { id: customerId }, include: { account: true, owner: true } });
  if (!customer) return result;
  const base = customerFacts(customer);

  const eligible: Firing[] = [];
  for (const firing of firings) {
    const { definition } = firing.trigger;
    const facts: Facts = { ...base, event: firing.eventFacts ?? null };
    const explanation = definition.conditions ? explainCondition(definition.conditions, facts) : { matched: true, failed: [] };
    if (!explanation.matched) {
      result.skipped.push({ trigger: firing.trigger.key, reason: 'condition', detail: explanation.failed.join('; ') });
    } else if (definition.action.channel === 'email' && !customer.email) {
      result.skipped.push({ trigger: firing.trigger.key, reason: 'no_email', detail: 'the customer has no email address' });
    } else {
      eligible.push(firing);
    }
  }
  const winner = pickWinningTrigger(eligible);
  if (!winner) return result;
  for (const other of eligible) {
    if (other !== winner) result.skipped.push({ trigger: other.trigger.key, reason: 'lower_priority', detail: `${winner.trigger.key} has priority` });
  }

  // A rerun (retried job, hourly rescan) usually finds its note drafted already: say so before
  // rendering anything. The check inside the transaction below stays the authoritative one.
  if (await deps.prisma.suggestion.findUnique({ where: { dedupeKey: winner.dedupeKey }, select: { id: true } })) {
    result.skipped.push({ trigger: winner.trigger.key, reason: 'duplicate', detail: `already drafted (${winner.dedupeKey})` });
    return result;
  }

  let note: RenderedNote;
  try {
    // Rendering happens before the transaction so a slow template never holds a connection.
    const context = { ...noteContext(customer), ...winner.templateExtras };
    note = await deps.templates.render(winner.trigger.definition.action.template, customer.locale, context, customer.account?.locale);
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    result.skipped.push({ trigger: winner.trigger.key, reason: 'template_error', detail: `${err.code}: ${err.message}` });
    return result;
  }

  await deps.prisma.$transaction(async (tx) => {
    // Serialises decisions per customer: the second of two concurrent events waits here and then
    // sees the first one's draft when it checks the frequency cap.
    await tx.$queryRaw`SELECT id FROM "Customer" WHERE id = ${customer.id}::uuid FOR UPDATE`;
    if (await tx.suggestion.findUnique({ where: { dedupeKey: winner.dedupeKey }, select: { id: true } })) {
      result.skipped.push({ trigger: winner.trigger.key, reason: 'duplicate', detail: `already drafted (${winner.dedupeKey})` });
      return;
    }
    const standing = await loadStanding(tx, { customerId: customer.id, accountId: customer.accountId, triggerId: winner.trigger.id });
    const decision = checkPolicies({
      now,
      trigger: winner.trigger,
      customer: { optedOut: customer.optedOut, doNotContact: customer.doNotContact, hasOpenComplaint: standing.hasOpenComplaint, recentNegativeNewsAt: standing.recentNegativeNewsAt },
      lastNoteToCustomerAt: standing.lastNoteAt,
      lastNoteFromTriggerAt: standing.lastNoteFromTriggerAt,
      frequencyCapDays: deps.frequencyCapDays,
    });
    if (!decision.allowed) {
      result.skipped.push({ trigger: winner.trigger.key, reason: decision.reason, detail: decision.detail });
      return;
    }
    const approver = winner.trigger.definition.action.approver;
    const suggestion = await draftSuggestion(tx, {
      dedupeKey: winner.dedupeKey,
      customerId: customer.id,
      trigger: winner.trigger,
      eventId: winner.eventId ?? null,
      signalId: winner.signalId ?? null,
      note,
      assigneeId: approver && approver !== 'owner' ? approver.userId : (customer.ownerId ?? customer.account?.ownerId ?? null),
      now,
    });
    if (!suggestion) return;
    result.suggestionId = suggestion.id;
    if (winner.trigger.definition.action.approval === 'auto') {
      const { delivery } = await approveInTransaction(tx, { id: suggestion.id, actor: SYSTEM, now });
      result.deliveryIds.push(delivery.id);
    }
  });
  return result;
}
