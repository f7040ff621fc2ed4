import { z } from 'zod';
import { DateTime } from 'luxon';
import { Prisma, type GiftBudget, type GiftBudgetPeriod, type PrismaClient, type Suggestion } from '../generated/prisma/client.js';
import { writeAudit, type Actor } from '../audit/audit-log.js';
import { AppError } from '../errors.js';
import type { Tx } from '../infra/database.js';
import { CurrencyCode, MoneyAmount } from './gift-catalog.js';

export const GiftBudgetInput = z
  .strictObject({
    /** An account manager's own budget… */
    userId: z.string().uuid('expected a user id (UUID)').optional(),
    /** …or a team's, shared by every user whose `team` is this. */
    team: z.string().trim().min(1).max(100).optional(),
    period: z.enum(['month', 'quarter']),
    amount: MoneyAmount,
    currency: CurrencyCode,
  })
  .refine((b) => (b.userId === undefined) !== (b.team === undefined), { message: 'give exactly one of userId or team', path: ['userId'] });
export type GiftBudgetInput = z.infer<typeof GiftBudgetInput>;

/** Suggestions in these states have spent their gift's cost; rejected, expired or failed ones have not. */
const SPENDING = ['approved', 'scheduled', 'sent'] as const;

export interface BudgetLine {
  scope: 'user' | 'team';
  /** The user id or the team name. */
  owner: string;
  period: GiftBudgetPeriod;
  /** "2026-11" or "2026-Q4", on the account manager's clock. */
  periodLabel: string;
  currency: string;
  amount: Prisma.Decimal;
  spent: Prisma.Decimal;
  remaining: Prisma.Decimal;
}

type Db = Tx | PrismaClient;

/** Creates or replaces the budget of one user or team for one kind of period. */
export async function upsertGiftBudget(prisma: PrismaClient, input: GiftBudgetInput, actor: Actor): Promise<{ budget: GiftBudget; created: boolean }> {
  return prisma.$transaction(async (tx) => {
    if (input.userId && !(await tx.user.findUnique({ where: { id: input.userId }, select: { id: true } }))) {
      throw new AppError('RAPPORT_VALIDATION', `userId: no user with id ${input.userId}`, { field: 'userId' });
    }
    const where = input.userId ? { userId: input.userId, period: input.period } : { team: input.team!, period: input.period };
    const existing = await tx.giftBudget.findFirst({ where, select: { id: true } });
    const data = { amount: input.amount, currency: input.currency };
    const budget = existing
      ? await tx.giftBudget.update({ where: { id: existing.id }, data })
      : await tx.giftBudget.create({ data: { ...where, ...data } });
    await writeAudit(tx, {
      actor,
      entityType: 'gift_budget',
      entityId: budget.id,
      action: existing ? 'gift_budget.updated' : 'gift_budget.created',
      data: { userId: budget.userId, team: budget.team, period: budget.period, amount: budget.amount.toFixed(2), currency: budget.currency },
    });
    return { budget, created: !existing };
  });
}

/** The calendar month or quarter containing `at` on the given clock, as instants [start, end). */
export function periodWindow(at: Date, timeZone: string, period: GiftBudgetPeriod): { start: Date; end: Date; label: string } {
  let local = DateTime.fromJSDate(at, { zone: timeZone });
  if (!local.isValid) local = DateTime.fromJSDate(at, { zone: 'UTC' });
  const start = local.startOf(period);
  const end = start.plus(period === 'month' ? { months: 1 } : { quarters: 1 });
  const label = period === 'month' ? start.toFormat('yyyy-LL') : `${start.year}-Q${start.quarter}`;
  return { start: start.toJSDate(), end: end.toJSDate(), label };
}

/**
 * Every budget that limits gifts approved for `userId` at `at`: the user's own month and quarter
 * budgets and those of the user's team. Periods are calendar months/quarters in the user's time
 * zone; spending is the cost of the gift suggestions assigned to the user (or anyone in the team)
 * that were approved in the period and have not been rejected, expired or failed since.
 */
export async function budgetLines(db: Db, args: { userId: string; at: Date }): Promise<BudgetLine[]> {
  const user = await db.user.findUnique({ where: { id: args.userId }, select: { id: true, team: true, timeZone: true } });
  if (!user) return [];
  const budgets = await db.giftBudget.findMany({
    where: { OR: [{ userId: user.id }, ...(user.team ? [{ team: user.team }] : [])] },
    orderBy: [{ period: 'asc' }],
  });
  const lines: BudgetLine[] = [];
  for (const b of budgets) {
    const scope = b.userId ? 'user' : 'team';
    const window = periodWindow(args.at, user.timeZone, b.period);
    const sum = await db.suggestion.aggregate({
      _sum: { giftCost: true },
      where: {
        giftCost: { not: null },
        giftCurrency: b.currency,
        status: { in: [...SPENDING] },
        decidedAt: { gte: window.start, lt: window.end },
        ...(scope === 'user' ? { assigneeId: user.id } : { assignee: { team: b.team } }),
      },
    });
    const spent = sum._sum.giftCost ?? new Prisma.Decimal(0);
    lines.push({ scope, owner: b.userId ?? b.team ?? '', period: b.period, periodLabel: window.label, currency: b.currency, amount: b.amount, spent, remaining: b.amount.minus(spent) });
  }
  return lines;
}

/** The tightest of the user's budgets right now, or null when no budget limits them. */
export async function remainingBudget(db: Db, args: { userId: string; at: Date }): Promise<BudgetLine | null> {
  const lines = await budgetLines(db, args);
  return lines.reduce<BudgetLine | null>((min, l) => (min === null || l.remaining.lessThan(min.remaining) ? l : min), null);
}

export const describeLine = (l: BudgetLine) =>
  `${l.remaining.toFixed(2)} ${l.currency} remains of the ${l.scope === 'team' ? `team "${l.owner}"` : "account manager's"} ${l.period === 'month' ? 'monthly' : 'quarterly'} budget for ${l.periodLabel} (${l.amount.toFixed(2)} ${l.currency}, ${l.spent.toFixed(2)} spent)`;

/**
 * Inside the approval transaction: refuses a gift its assignee's budgets cannot pay for, unless an
 * admin overrides (audited). Only the assignee's budgets are charged; an unassigned suggestion is
 * not limited.
 */
export async function enforceGiftBudget(tx: Tx, args: { suggestion: Suggestion; actor: Actor; overrideBudget: boolean; now: Date }): Promise<void> {
  const s = args.suggestion;
  if (!s.giftSku || !s.giftCost || !s.giftCurrency || !s.assigneeId) return;
  // Two approvals racing for the last of a budget: both read "enough left" unless they queue up.
  // The assignee's row (and their team's budget rows) stay locked until this transaction commits,
  // and under READ COMMITTED the sum below is read after the lock, so it includes the winner.
  const [assignee] = await tx.$queryRaw<{ team: string | null }[]>`SELECT "team" FROM "User" WHERE "id" = ${s.assigneeId}::uuid FOR UPDATE`;
  if (assignee?.team) await tx.$queryRaw`SELECT "id" FROM "GiftBudget" WHERE "team" = ${assignee.team} ORDER BY "id" FOR UPDATE`;

  const cost = s.giftCost;
  const problems: { code: 'RAPPORT_GIFT_BUDGET_EXCEEDED' | 'RAPPORT_GIFT_CURRENCY_MISMATCH'; message: string }[] = [];
  for (const line of await budgetLines(tx, { userId: s.assigneeId, at: args.now })) {
    if (line.currency !== s.giftCurrency) {
      problems.push({ code: 'RAPPORT_GIFT_CURRENCY_MISMATCH', message: `Gift ${s.giftSku} costs ${cost.toFixed(2)} ${s.giftCurrency} but the ${line.period === 'month' ? 'monthly' : 'quarterly'} ${line.scope} budget is in ${line.currency}` });
    } else if (cost.greaterThan(line.remaining)) {
      problems.push({ code: 'RAPPORT_GIFT_BUDGET_EXCEEDED', message: `Gift ${s.giftSku} costs ${cost.toFixed(2)} ${s.giftCurrency} but only ${describeLine(line)}` });
    }
  }
  const first = problems[0];
  if (!first) return;
  if (!args.overrideBudget) throw new AppError(first.code, `${first.message}; an admin may approve with "overrideBudget": true`, { field: 'overrideBudget' });
  if (!(await isAdmin(tx, args.actor))) throw new AppError('RAPPORT_FORBIDDEN', 'Only an admin may override the gift budget', { field: 'overrideBudget' });
  await writeAudit(tx, {
    actor: args.actor,
    entityType: 'suggestion',
    entityId: s.id,
    action: 'suggestion.gift_budget_override',
    reason: problems.map((p) => p.message).join('; '),
    data: { sku: s.giftSku, cost: cost.toFixed(2), currency: s.giftCurrency, assigneeId: s.assigneeId },
  });
}

async function isAdmin(tx: Tx, actor: Actor): Promise<boolean> {
  if (actor.type !== 'user') return false;
  const user = await tx.user.findUnique({ where: { id: actor.id }, select: { role: true } });
  return user?.role === 'admin';
}

export function presentBudget(b: GiftBudget) {
  return { id: b.id, userId: b.userId, team: b.team, period: b.period, amount: Number(b.amount), currency: b.currency, createdAt: b.createdAt.toISOString(), updatedAt: b.updatedAt.toISOString() };
}
