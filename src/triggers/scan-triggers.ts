import type { PrismaClient } from '../generated/prisma/client.js';
import { dateFirings } from './date-candidates.js';
import { fireForCustomer, type FireDeps, type Firing } from './fire-triggers.js';
import { silenceFirings } from './silence-candidates.js';
import { loadActiveTriggers, type ActiveTrigger } from './trigger-store.js';

export interface ScanReport {
  triggers: number;
  candidates: number;
  drafted: number;
  skipped: number;
}

/**
 * The periodic rhythm: date triggers (birthdays, anniversaries, renewals — on each recipient's own
 * calendar) and silence triggers. Runs hourly so every time zone's day is picked up soon after it
 * begins; idempotent through dedupe keys, so re-running it drafts nothing twice.
 *
 * Date candidates are few (SQL narrows them to a few days' dates), so they are gathered first and
 * grouped per customer, letting priorities pick one note when several fire at once. Silent
 * customers can be most of the base, so they are handled batch by batch — never all in memory —
 * joined with any date firing of the same customer; silence triggers run highest priority first,
 * and the frequency cap keeps a lower one from writing right after.
 */
export async function scanTriggers(deps: FireDeps, now = new Date(), opts: { batchSize?: number } = {}): Promise<ScanReport> {
  const dateTriggers = await loadActiveTriggers(deps.prisma, 'date');
  const silenceTriggers = (await loadActiveTriggers(deps.prisma, 'silence')).sort(
    (a, b) => b.definition.policies.priority - a.definition.policies.priority || a.id.localeCompare(b.id),
  );
  const report: ScanReport = { triggers: dateTriggers.length + silenceTriggers.length, candidates: 0, drafted: 0, skipped: 0 };
  const fire = async (customerId: string, firings: Firing[]) => {
    report.candidates += 1;
    const result = await fireForCustomer(deps, customerId, firings, now);
    if (result.suggestionId) report.drafted += 1;
    else report.skipped += 1;
  };

  const dated = new Map<string, Firing[]>();
  for (const trigger of dateTriggers) {
    for await (const batch of candidatesOf(deps.prisma, trigger, now, opts.batchSize)) {
      for (const { customerId, firing } of batch) dated.set(customerId, [...(dated.get(customerId) ?? []), firing]);
    }
  }
  for (const trigger of silenceTriggers) {
    for await (const batch of candidatesOf(deps.prisma, trigger, now, opts.batchSize)) {
      for (const { customerId, firing } of batch) {
        const alsoDated = dated.get(customerId) ?? [];
        dated.delete(customerId);
        await fire(customerId, [firing, ...alsoDated]);
      }
    }
  }
  for (const [customerId, firings] of dated) await fire(customerId, firings);
  return report;
}

export function candidatesOf(prisma: PrismaClient, trigger: ActiveTrigger, now: Date, batchSize?: number) {
  return trigger.definition.source.type === 'date' ? dateFirings(prisma, trigger, now, batchSize) : silenceFirings(prisma, trigger, now, batchSize);
}
