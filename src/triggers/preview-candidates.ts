import type { PrismaClient } from '../generated/prisma/client.js';
import type { Facts } from './conditions.js';
import { candidatesOf } from './scan-triggers.js';
import type { ActiveTrigger } from './trigger-store.js';

const DAY_MS = 86_400_000;

/** One customer the trigger's source would fire for, at `at`, and the facts it fired with. */
export interface PreviewCandidate {
  customerId: string;
  at: Date;
  eventFacts?: Facts['event'];
  why: string;
}

/**
 * What the source alone would have fired for: now, and (for events, news and dates) over the last
 * `days` days. Read-only; yields in chronological order so the preview can simulate caps.
 */
export async function* previewCandidates(prisma: PrismaClient, trigger: ActiveTrigger, now: Date, days: number): AsyncGenerator<PreviewCandidate> {
  const source = trigger.definition.source;
  const since = new Date(now.getTime() - days * DAY_MS);
  if (source.type === 'event' || (source.type === 'milestone' && 'nth' in source)) {
    const events = await prisma.customerEvent.findMany({
      where: { type: source.eventType, occurredAt: { gte: since, lte: now } },
      orderBy: [{ occurredAt: 'asc' }, { id: 'asc' }],
      take: 10_000,
    });
    for (const e of events) {
      if (source.type === 'milestone' && 'nth' in source) {
        const nth = await prisma.customerEvent.count({ where: { customerId: e.customerId, type: e.type, occurredAt: { lte: e.occurredAt } } });
        if (nth !== source.nth) continue;
      }
      yield { customerId: e.customerId, at: e.occurredAt, eventFacts: { type: e.type, occurredAt: e.occurredAt.toISOString(), data: e.data as Record<string, never> }, why: `${e.type} event on ${e.occurredAt.toISOString()}` };
    }
  } else if (source.type === 'milestone') {
    const customers = await prisma.customer.findMany({ where: { lifetimeValue: { gte: source.lifetimeValueAtLeast } }, select: { id: true, lifetimeValue: true }, orderBy: { id: 'asc' }, take: 10_000 });
    for (const c of customers) yield { customerId: c.id, at: now, why: `lifetime value ${Number(c.lifetimeValue)} ≥ ${source.lifetimeValueAtLeast}` };
  } else if (source.type === 'news') {
    const signals = await prisma.signal.findMany({
      where: { kind: { in: source.kinds }, confidence: { gte: source.minConfidence }, createdAt: { gte: since }, ...(source.polarity ? { polarity: source.polarity } : {}) },
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
      include: { article: { select: { title: true } } },
      take: 10_000,
    });
    for (const s of signals) {
      const recipients = s.customerId ? [s.customerId] : (await prisma.customer.findMany({ where: { accountId: s.accountId }, select: { id: true } })).map((c) => c.id);
      for (const customerId of recipients) yield { customerId, at: s.createdAt, why: `${s.kind} news: ${s.article.title}` };
    }
  } else {
    // Dates: each of the last `days` days as the scan would have seen it; silence: now only.
    const steps = source.type === 'date' ? days : 0;
    for (let back = steps; back >= 0; back--) {
      const at = new Date(now.getTime() - back * DAY_MS);
      for await (const batch of candidatesOf(prisma, trigger, at)) {
        for (const { customerId, firing } of batch) yield { customerId, at, why: source.type === 'date' ? `${source.field} (${firing.dedupeKey.split('/').pop()})` : `silent for ${source.days}+ days` };
      }
    }
  }
}
