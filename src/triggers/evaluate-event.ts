import type { CustomerEvent, PrismaClient } from '../generated/prisma/client.js';
import { SYSTEM, writeAudit } from '../audit/audit-log.js';
import { fireForCustomer, type FireDeps, type FireResult, type Firing } from './fire-triggers.js';
import { loadActiveTriggers, type ActiveTrigger } from './trigger-store.js';

export type EvaluationResult = FireResult;

/**
 * Runs the event and milestone triggers against one stored event and drafts the winning note.
 * Idempotent: each firing has a dedupe key (trigger + event, or trigger + milestone), and the
 * event is marked evaluated afterwards, so a retry or a reconciler pass creates nothing new.
 */
export async function evaluateEvent(deps: FireDeps, eventId: string, now = new Date()): Promise<EvaluationResult> {
  const { prisma } = deps;
  const event = await prisma.customerEvent.findUnique({ where: { id: eventId }, include: { customer: { select: { lifetimeValue: true } } } });
  if (!event || event.evaluatedAt) return { suggestionId: null, deliveryIds: [], skipped: [] };
  const triggers = await loadActiveTriggers(prisma, ['event', 'milestone']);
  const firings: Firing[] = [];
  for (const trigger of triggers) {
    const firing = await firingFor(prisma, trigger, event, Number(event.customer.lifetimeValue));
    if (firing) firings.push(firing);
  }
  const result = await fireForCustomer(deps, event.customerId, firings, now);
  await prisma.$transaction(async (tx) => {
    const { count } = await tx.customerEvent.updateMany({ where: { id: event.id, evaluatedAt: null }, data: { evaluatedAt: now } });
    if (count !== 1) return;
    await writeAudit(tx, {
      actor: SYSTEM,
      entityType: 'event',
      entityId: event.id,
      action: 'event.evaluated',
      data: { suggestion: result.suggestionId, skipped: result.skipped.map((s) => ({ ...s })) },
    });
  });
  return result;
}

async function firingFor(prisma: PrismaClient, trigger: ActiveTrigger, event: CustomerEvent, lifetimeValue: number): Promise<Firing | null> {
  const { source } = trigger.definition;
  const eventFacts = { type: event.type, occurredAt: event.occurredAt.toISOString(), data: event.data as Record<string, never> };
  const base = { trigger, eventId: event.id, eventFacts, templateExtras: { event: eventFacts } };
  if (source.type === 'event') {
    return source.eventType === event.type ? { ...base, dedupeKey: `trigger/${trigger.id}/event/${event.id}` } : null;
  }
  if (source.type !== 'milestone') return null;
  if ('nth' in source) {
    if (source.eventType !== event.type) return null;
    // The Nth event by occurrence time; an earlier event arriving late does not re-fire it.
    const nth = await prisma.customerEvent.count({ where: { customerId: event.customerId, type: event.type, occurredAt: { lte: event.occurredAt } } });
    if (nth !== source.nth) return null;
    return { ...base, dedupeKey: `milestone/${trigger.id}/${event.customerId}/nth-${source.nth}`, templateExtras: { event: eventFacts, milestone: { nth } } };
  }
  if (lifetimeValue < source.lifetimeValueAtLeast) return null;
  return {
    ...base,
    dedupeKey: `milestone/${trigger.id}/${event.customerId}/ltv-${source.lifetimeValueAtLeast}`,
    templateExtras: { event: eventFacts, milestone: { lifetimeValue } },
  };
}
