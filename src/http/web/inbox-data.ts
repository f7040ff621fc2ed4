import type { Prisma, PrismaClient, User } from '../../generated/prisma/client.js';
import { loadTimeline, type TimelineItem } from './customer-timeline.js';
import { suggestionScope } from './authorize.js';
import { giftViews, type GiftView } from '../../gifts/gift-view.js';

const CARD_INCLUDE = {
  customer: { include: { account: true } },
  trigger: true,
  event: true,
  signal: { include: { article: true } },
  assignee: true,
  delivery: true,
} as const satisfies Prisma.SuggestionInclude;

type CardRow = Prisma.SuggestionGetPayload<{ include: typeof CARD_INCLUDE }>;

export interface InboxCard {
  s: CardRow;
  /** What the recipient will get: the edit when there is one, else the draft. */
  subject: string;
  body: string;
  edited: boolean;
  why: { kind: 'event' | 'signal' | 'other'; title: string; detail: string | null; link: string | null; at: Date | null };
  timeline: TimelineItem[];
  /** The gift this note sends, its cost and what is left of the assignee's tightest budget. */
  gift: GiftView | null;
  /** Approving would be refused for the budget: the card says so and offers admins the override. */
  overBudget: boolean;
}

export const INBOX_PAGE_SIZE = 50;

function whyOf(s: CardRow): InboxCard['why'] {
  if (s.signal) {
    return {
      kind: 'signal',
      title: `${s.signal.kind.replaceAll('_', ' ')} in the news: ${s.signal.article.title}`,
      detail: s.signal.evidence,
      link: s.signal.article.link,
      at: s.signal.article.publishedAt ?? s.signal.createdAt,
    };
  }
  if (s.event) {
    const data = s.event.data && typeof s.event.data === 'object' && !Array.isArray(s.event.data) ? (s.event.data as Record<string, unknown>) : {};
    const detail = Object.entries(data).filter(([, v]) => v !== null && typeof v !== 'object').map(([k, v]) => `${k}: ${String(v)}`).join(' · ');
    return { kind: 'event', title: `${s.event.type.replaceAll('_', ' ')} event`, detail: detail || null, link: null, at: s.event.occurredAt };
  }
  return { kind: 'other', title: s.trigger.name, detail: null, link: null, at: null };
}

/** The same comparison enforceGiftBudget makes at approval, against the tightest budget only. */
const exceedsBudget = (gift: GiftView | null) =>
  gift?.remainingBudget != null && (gift.remainingBudget.currency !== gift.currency || gift.cost > gift.remainingBudget.amount);

async function toCard(prisma: PrismaClient, s: CardRow, gift: GiftView | null, timelineSize = 5): Promise<InboxCard> {
  return {
    s,
    subject: s.editedSubject ?? s.subject,
    body: s.editedBody ?? s.body,
    edited: s.editedSubject !== null || s.editedBody !== null,
    why: whyOf(s),
    timeline: await loadTimeline(prisma, s.customerId, timelineSize),
    gift,
    overBudget: exceedsBudget(gift),
  };
}

/** One suggestion within the user's scope, with everything its card shows; null when out of scope. */
export async function loadCard(prisma: PrismaClient, user: User, id: string): Promise<InboxCard | null> {
  const row = await prisma.suggestion.findFirst({ where: { AND: [{ id }, suggestionScope(user)] }, include: CARD_INCLUDE });
  if (!row) return null;
  const gifts = await giftViews(prisma, [row]);
  return toCard(prisma, row, gifts.get(row.id) ?? null, 10);
}

/**
 * The inbox: pending suggestions assigned to the user (every pending one for an admin) that are
 * not snoozed, oldest first; plus the snoozed ones and the latest decisions, so a manager sees
 * an approved note go out.
 */
export async function loadInbox(prisma: PrismaClient, user: User, now = new Date()) {
  const mine: Prisma.SuggestionWhereInput = user.role === 'admin' ? {} : { assigneeId: user.id };
  const pendingWhere: Prisma.SuggestionWhereInput = { AND: [suggestionScope(user), mine, { status: 'pending_approval' }] };
  const [rows, snoozed, recent, approvers] = await Promise.all([
    prisma.suggestion.findMany({
      where: { AND: [pendingWhere, { OR: [{ snoozedUntil: null }, { snoozedUntil: { lte: now } }] }] },
      include: CARD_INCLUDE,
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
      take: INBOX_PAGE_SIZE,
    }),
    prisma.suggestion.findMany({
      where: { AND: [pendingWhere, { snoozedUntil: { gt: now } }] },
      include: { customer: true },
      orderBy: { snoozedUntil: 'asc' },
      take: 50,
    }),
    prisma.suggestion.findMany({
      where: { AND: [suggestionScope(user), mine, { status: { notIn: ['pending_approval', 'draft'] } }] },
      include: { customer: true, delivery: true },
      orderBy: [{ updatedAt: 'desc' }],
      take: 10,
    }),
    prisma.user.findMany({ where: { role: { in: ['account_manager', 'admin'] } }, orderBy: { name: 'asc' }, select: { id: true, name: true } }),
  ]);
  const gifts = await giftViews(prisma, rows, now);
  const cards: InboxCard[] = [];
  for (const row of rows) cards.push(await toCard(prisma, row, gifts.get(row.id) ?? null));
  return { cards, snoozed, recent, approvers };
}
