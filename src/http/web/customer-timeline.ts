import type { PrismaClient } from '../../generated/prisma/client.js';

export interface TimelineItem {
  at: Date;
  kind: 'event' | 'signal' | 'note' | 'gift';
  title: string;
  detail: string | null;
  link: string | null;
}

const summarize = (data: unknown): string | null => {
  if (!data || typeof data !== 'object' || Array.isArray(data)) return null;
  const parts = Object.entries(data as Record<string, unknown>)
    .filter(([, v]) => v !== null && typeof v !== 'object')
    .slice(0, 4)
    .map(([k, v]) => `${k}: ${String(v)}`);
  return parts.length ? parts.join(' · ') : null;
};

/**
 * What happened with a customer, newest first: events, news signals (with the article link),
 * notes that went out and gifts sent with them. The inbox shows the first few; the customer
 * page shows more.
 */
export async function loadTimeline(prisma: PrismaClient, customerId: string, limit = 20): Promise<TimelineItem[]> {
  const [events, signals, notes] = await Promise.all([
    prisma.customerEvent.findMany({ where: { customerId }, orderBy: { occurredAt: 'desc' }, take: limit }),
    prisma.signal.findMany({ where: { customerId }, include: { article: true }, orderBy: { createdAt: 'desc' }, take: limit }),
    prisma.suggestion.findMany({
      where: { customerId, status: { in: ['sent', 'scheduled', 'approved'] } },
      include: { delivery: true, trigger: true, triggerVersion: { select: { definition: true } } },
      orderBy: { updatedAt: 'desc' },
      take: limit,
    }),
  ]);
  const items: TimelineItem[] = [
    ...events.map((e) => ({ at: e.occurredAt, kind: 'event' as const, title: e.type.replaceAll('_', ' '), detail: summarize(e.data), link: null })),
    ...signals.map((s) => ({
      at: s.article.publishedAt ?? s.createdAt,
      kind: 'signal' as const,
      title: `${s.kind.replaceAll('_', ' ')} in the news: ${s.article.title}`,
      detail: s.evidence,
      link: s.article.link,
    })),
    ...notes.flatMap((n) => {
      const note: TimelineItem = {
        at: n.delivery?.sentAt ?? n.decidedAt ?? n.updatedAt,
        kind: 'note',
        title: `${n.channel === 'print' ? 'Card' : 'Email'} ${n.status === 'sent' ? 'sent' : n.status}: ${n.editedSubject ?? n.subject}`,
        detail: n.trigger.name,
        link: `/inbox/${n.id}`,
      };
      const sku = giftSkuOf(n.triggerVersion.definition);
      if (!sku || n.status !== 'sent') return [note];
      return [note, { at: note.at, kind: 'gift' as const, title: `Gift sent with the note: ${sku}`, detail: n.trigger.name, link: null }];
    }),
  ];
  return items.sort((a, b) => b.at.getTime() - a.at.getTime()).slice(0, limit);
}

/** Gifts ride on notes: the trigger version's `action.giftSku`, sent with the note. */
function giftSkuOf(definition: unknown): string | null {
  const action = (definition as { action?: { giftSku?: unknown } } | null)?.action;
  return typeof action?.giftSku === 'string' ? action.giftSku : null;
}
