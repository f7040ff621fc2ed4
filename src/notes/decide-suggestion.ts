import { z } from 'zod';
import type { Delivery, PrismaClient, Suggestion } from '../generated/prisma/client.js';
import type { Actor } from '../audit/audit-log.js';
import type { Tx } from '../infra/database.js';
import { scheduleDelivery } from '../delivery/schedule-delivery.js';
import { nextSendInstant } from '../triggers/send-window.js';
import { parseTriggerDefinition } from '../triggers/trigger-definition.js';
import { canTransition, transitionSuggestion } from './suggestion-status.js';
import { enforceGiftBudget } from '../gifts/gift-budget.js';
import { createGiftOrder } from '../gifts/gift-orders.js';

export const ApproveInput = z.strictObject({
  subject: z.string().trim().min(1, 'the subject cannot be empty').max(300).optional(),
  body: z.string().trim().min(1, 'the body cannot be empty').max(20_000).optional(),
  /** Admins only: approve a gift beyond the assignee's gift budget (audited). */
  overrideBudget: z.boolean().optional(),
});
export type ApproveInput = z.infer<typeof ApproveInput>;

export const RejectInput = z.strictObject({
  reason: z.string().trim().min(1, 'say why, so marketing can learn from it').max(1_000),
});
export type RejectInput = z.infer<typeof RejectInput>;

const userIdOf = (actor: Actor) => (actor.type === 'user' ? actor.id : null);

/**
 * Approves a pending suggestion (optionally with an edited subject/body, kept beside the original
 * draft) and schedules its delivery in the same transaction. The caller enqueues the delivery job
 * after commit; if it crashes first, the reconciler finds the queued delivery in PostgreSQL.
 */
export async function approveSuggestion(
  prisma: PrismaClient,
  args: { id: string; actor: Actor; edit?: ApproveInput; now?: Date },
): Promise<{ suggestion: Suggestion; delivery: Delivery }> {
  return prisma.$transaction((tx) => approveInTransaction(tx, args));
}

export async function approveInTransaction(
  tx: Tx,
  args: { id: string; actor: Actor; edit?: ApproveInput; now?: Date },
): Promise<{ suggestion: Suggestion; delivery: Delivery }> {
  const now = args.now ?? new Date();
  const edited = args.edit?.subject !== undefined || args.edit?.body !== undefined;
  // A gift is checked against what its assignee has already spent, before it counts as spent itself
  // (approval sets decidedAt, which puts it in the period's sum).
  const current = await tx.suggestion.findUnique({ where: { id: args.id } });
  if (current && canTransition(current.status, 'approved')) {
    await enforceGiftBudget(tx, { suggestion: current, actor: args.actor, overrideBudget: args.edit?.overrideBudget === true, now });
  }
  const approved = await transitionSuggestion(tx, {
    id: args.id,
    to: 'approved',
    actor: args.actor,
    patch: {
      ...(args.edit?.subject !== undefined ? { editedSubject: args.edit.subject } : {}),
      ...(args.edit?.body !== undefined ? { editedBody: args.edit.body } : {}),
      decidedById: userIdOf(args.actor),
      decidedAt: now,
    },
    ...(edited ? { data: { edited: true } } : {}),
  });
  await createGiftOrder(tx, approved, args.actor);
  return scheduleDelivery(tx, { suggestion: approved, actor: args.actor, now, sendAt: await sendTimeFor(tx, approved, now) });
}

/**
 * When an approved note may go out: not before the trigger's delay, then at the first moment
 * inside the trigger's send window on the recipient's clock (weekdays, hours, holidays).
 */
async function sendTimeFor(tx: Tx, suggestion: Suggestion, now: Date): Promise<Date> {
  const [version, customer] = await Promise.all([
    tx.triggerVersion.findUniqueOrThrow({ where: { id: suggestion.triggerVersionId }, select: { definition: true } }),
    tx.customer.findUniqueOrThrow({ where: { id: suggestion.customerId }, select: { timeZone: true } }),
  ]);
  const parsed = parseTriggerDefinition(version.definition);
  const notBefore = suggestion.notBefore && suggestion.notBefore > now ? suggestion.notBefore : now;
  if (!parsed.success) return notBefore;
  return nextSendInstant(notBefore, parsed.data.policies.sendWindow, customer.timeZone);
}

export async function rejectSuggestion(
  prisma: PrismaClient,
  args: { id: string; actor: Actor; reason: string; now?: Date },
): Promise<Suggestion> {
  return prisma.$transaction((tx) =>
    transitionSuggestion(tx, {
      id: args.id,
      to: 'rejected',
      actor: args.actor,
      reason: args.reason,
      patch: { decidedById: userIdOf(args.actor), decidedAt: args.now ?? new Date(), decisionReason: args.reason },
    }),
  );
}
