import type { PrismaClient, Suggestion } from '../generated/prisma/client.js';
import { remainingBudget, type BudgetLine } from './gift-budget.js';

/** What the API shows beside a suggestion with a gift. remainingBudget is null when no budget limits the assignee. */
export interface GiftView {
  sku: string;
  name: string | null;
  cost: number;
  currency: string;
  remainingBudget: { amount: number; currency: string; period: string; periodLabel: string; scope: 'user' | 'team' } | null;
}

/** Gift views for a page of suggestions; each assignee's budget is read once. */
export async function giftViews(prisma: PrismaClient, suggestions: Suggestion[], at = new Date()): Promise<Map<string, GiftView>> {
  const withGift = suggestions.filter((s) => s.giftSku && s.giftCost && s.giftCurrency);
  const views = new Map<string, GiftView>();
  if (!withGift.length) return views;
  const gifts = await prisma.gift.findMany({ where: { sku: { in: [...new Set(withGift.map((s) => s.giftSku!))] } }, select: { sku: true, name: true } });
  const names = new Map(gifts.map((g) => [g.sku, g.name]));
  const budgets = new Map<string, Promise<BudgetLine | null>>();
  for (const s of withGift) {
    let line: BudgetLine | null = null;
    if (s.assigneeId) {
      if (!budgets.has(s.assigneeId)) budgets.set(s.assigneeId, remainingBudget(prisma, { userId: s.assigneeId, at }));
      line = await budgets.get(s.assigneeId)!;
    }
    views.set(s.id, {
      sku: s.giftSku!,
      name: names.get(s.giftSku!) ?? null,
      cost: Number(s.giftCost),
      currency: s.giftCurrency!,
      remainingBudget: line ? { amount: Number(line.remaining), currency: line.currency, period: line.period, periodLabel: line.periodLabel, scope: line.scope } : null,
    });
  }
  return views;
}
