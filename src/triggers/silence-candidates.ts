import { Prisma, type PrismaClient } from '../generated/prisma/client.js';
import { LIVE_NOTE_STATUSES } from './customer-standing.js';
import type { Firing } from './fire-triggers.js';
import type { ActiveTrigger } from './trigger-store.js';

const DAY_MS = 86_400_000;

/**
 * Customers with no event and no live note for `days` days, in keyset-paged batches. The dedupe
 * key names the last activity, so one silent stretch gets one check-in however often the scan
 * runs — and the check-in itself counts as activity, so the next one waits another `days`.
 */
export async function* silenceFirings(prisma: PrismaClient, trigger: ActiveTrigger, now: Date, batchSize = 1000): AsyncGenerator<{ customerId: string; firing: Firing }[]> {
  const source = trigger.definition.source;
  if (source.type !== 'silence') return;
  const cutoff = new Date(now.getTime() - source.days * DAY_MS);
  const live = Prisma.join(LIVE_NOTE_STATUSES.map((s) => Prisma.sql`${s}::"SuggestionStatus"`));
  for (let cursor = '00000000-0000-0000-0000-000000000000'; ; ) {
    // The page of customers is fixed first (an index range scan on the primary key), then each is
    // probed through the (customerId, time) indexes. Written as one NOT EXISTS over the whole
    // table instead, PostgreSQL may choose a hash anti-join that reads every event per page.
    const rows = await prisma.$queryRaw<{ id: string; silent: boolean; lastActivity: Date }[]>`
      WITH page AS (SELECT id, "createdAt" FROM "Customer" WHERE id > ${cursor}::uuid ORDER BY id LIMIT ${batchSize})
      SELECT p.id,
             p."createdAt" < ${cutoff}
               AND NOT EXISTS (SELECT 1 FROM "CustomerEvent" e WHERE e."customerId" = p.id AND e."occurredAt" >= ${cutoff})
               AND NOT EXISTS (SELECT 1 FROM "Suggestion" s WHERE s."customerId" = p.id AND s."createdAt" >= ${cutoff} AND s.status IN (${live})) AS silent,
             GREATEST(p."createdAt",
               (SELECT max(e."occurredAt") FROM "CustomerEvent" e WHERE e."customerId" = p.id),
               (SELECT max(s."createdAt") FROM "Suggestion" s WHERE s."customerId" = p.id AND s.status IN (${live}))) AS "lastActivity"
        FROM page p ORDER BY p.id`;
    const silent = rows.filter((row) => row.silent);
    if (silent.length) {
      yield silent.map((row) => ({
        customerId: row.id,
        firing: {
          trigger,
          dedupeKey: `silence/${trigger.id}/${row.id}/${row.lastActivity.toISOString().slice(0, 10)}`,
          templateExtras: { silence: { days: source.days, since: row.lastActivity.toISOString() } },
        },
      }));
    }
    if (rows.length < batchSize) return;
    cursor = rows.at(-1)!.id;
  }
}
