import { Prisma, type PrismaClient } from '../generated/prisma/client.js';
import type { Tx } from '../infra/database.js';

/** Statuses of notes that count against caps and cooldowns: everything that was or may be sent. */
export const LIVE_NOTE_STATUSES = ['pending_approval', 'approved', 'scheduled', 'sent'] as const;

/** What the policies need to know about a customer beyond their own row. */
export interface CustomerStanding {
  /** A complaint event with no ticket_resolved after it. */
  hasOpenComplaint: boolean;
  /** The newest negative news signal about the customer or their account. */
  recentNegativeNewsAt: Date | null;
  /** The newest live note to the customer, from any trigger. */
  lastNoteAt: Date | null;
  lastNoteFromTriggerAt: Date | null;
}

/**
 * Loads the standing inside the caller's transaction, so the decision and the draft it leads to
 * see the same data (the caller locks the customer row first; see fire-trigger.ts).
 */
export async function loadStanding(db: Tx | PrismaClient, args: { customerId: string; accountId: string | null; triggerId: string }): Promise<CustomerStanding> {
  // One round trip: this runs for every candidate, inside the customer's lock.
  const [row] = await db.$queryRaw<{ complaint: Date | null; resolved: Date | null; negative: Date | null; lastNote: Date | null; lastFromTrigger: Date | null }[]>`
    SELECT
      (SELECT max("occurredAt") FROM "CustomerEvent" WHERE "customerId" = ${args.customerId}::uuid AND type = 'complaint') AS complaint,
      (SELECT max("occurredAt") FROM "CustomerEvent" WHERE "customerId" = ${args.customerId}::uuid AND type = 'ticket_resolved') AS resolved,
      (SELECT max("createdAt") FROM "Signal" WHERE polarity = 'negative'
          AND ("customerId" = ${args.customerId}::uuid OR "accountId" = ${args.accountId}::uuid)) AS negative,
      (SELECT max("createdAt") FROM "Suggestion" WHERE "customerId" = ${args.customerId}::uuid AND status::text IN (${Prisma.join(LIVE_NOTE_STATUSES)})) AS "lastNote",
      (SELECT max("createdAt") FROM "Suggestion" WHERE "customerId" = ${args.customerId}::uuid AND "triggerId"::text = ${args.triggerId}
          AND status::text IN (${Prisma.join(LIVE_NOTE_STATUSES)})) AS "lastFromTrigger"`;
  return {
    hasOpenComplaint: row?.complaint != null && (row.resolved == null || row.resolved < row.complaint),
    recentNegativeNewsAt: row?.negative ?? null,
    lastNoteAt: row?.lastNote ?? null,
    lastNoteFromTriggerAt: row?.lastFromTrigger ?? null,
  };
}
