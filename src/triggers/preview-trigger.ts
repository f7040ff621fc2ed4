import type { PrismaClient } from '../generated/prisma/client.js';
import { AppError } from '../errors.js';
import { explainCondition } from './conditions.js';
import { loadStanding } from './customer-standing.js';
import { customerFacts } from './facts.js';
import { checkPolicies } from './policy-checks.js';
import { previewCandidates } from './preview-candidates.js';
import { parseTriggerDefinition } from './trigger-definition.js';
import type { ActiveTrigger } from './trigger-store.js';

export interface TriggerPreview {
  /** Firings the source produced (a customer may appear more than once over several days). */
  matched: number;
  /** Suggestions the trigger would have created. */
  wouldCreate: number;
  excludedBy: Record<string, number>;
  /** The first `limit` firings, included or not, with the reasons. */
  customers: { customerId: string; name: string; at: string; why: string; included: boolean; reasons: string[] }[];
  truncated: boolean;
}

const MAX_EVALUATED = 5_000;

/**
 * The dry run: what a trigger would do now and over the last `days` days, and why each excluded
 * customer was excluded (condition, cap, cooldown, suppression, channel). It runs the same
 * conditions and policies as the real path (fire-triggers.ts), reads only, and simulates the
 * frequency cap among its own would-be notes in time order.
 */
export async function previewTrigger(
  prisma: PrismaClient,
  args: { definition: unknown; triggerId?: string; days?: number; now?: Date; frequencyCapDays?: number; limit?: number },
): Promise<TriggerPreview> {
  const parsed = parseTriggerDefinition(args.definition);
  if (!parsed.success) {
    const first = parsed.issues[0];
    throw new AppError('RAPPORT_VALIDATION', first ? `${first.field}: ${first.message}` : undefined, { issues: parsed.issues });
  }
  const trigger: ActiveTrigger = { id: args.triggerId ?? 'preview', key: 'preview', versionId: 'preview', version: 0, definition: parsed.data };
  const now = args.now ?? new Date();
  const days = args.days ?? 30;
  const limit = args.limit ?? 100;
  // The same default as NOTE_FREQUENCY_CAP_DAYS (config.ts), for callers that pass no config.
  const capDays = args.frequencyCapDays ?? 14;
  const preview: TriggerPreview = { matched: 0, wouldCreate: 0, excludedBy: {}, customers: [], truncated: false };
  const simulatedNotes = new Map<string, Date>();

  for await (const candidate of previewCandidates(prisma, trigger, now, days)) {
    if (preview.matched >= MAX_EVALUATED) {
      preview.truncated = true;
      break;
    }
    preview.matched += 1;
    const customer = await prisma.customer.findUnique({ where: { id: candidate.customerId }, include: { account: true } });
    if (!customer) continue;
    const reasons: string[] = [];
    const { conditions, action } = parsed.data;
    if (conditions) {
      const explained = explainCondition(conditions, { ...customerFacts(customer), event: candidate.eventFacts ?? null });
      if (!explained.matched) reasons.push(`condition: ${explained.failed.join('; ')}`);
    }
    if (action.channel === 'email' && !customer.email) reasons.push('no_email: the customer has no email address');
    if (reasons.length === 0) {
      const standing = await loadStanding(prisma, { customerId: customer.id, accountId: customer.accountId, triggerId: trigger.id });
      const simulated = simulatedNotes.get(customer.id);
      const latest = (a: Date | null, b: Date | undefined) => (b && (!a || b > a) ? b : a);
      const decision = checkPolicies({
        now: candidate.at,
        trigger,
        customer: { optedOut: customer.optedOut, doNotContact: customer.doNotContact, hasOpenComplaint: standing.hasOpenComplaint, recentNegativeNewsAt: standing.recentNegativeNewsAt },
        lastNoteToCustomerAt: latest(standing.lastNoteAt, simulated),
        lastNoteFromTriggerAt: latest(standing.lastNoteFromTriggerAt, simulated),
        frequencyCapDays: capDays,
      });
      if (!decision.allowed) reasons.push(`${decision.reason}: ${decision.detail}`);
    }
    const included = reasons.length === 0;
    if (included) {
      preview.wouldCreate += 1;
      simulatedNotes.set(customer.id, candidate.at);
    } else {
      const key = reasons[0]!.split(':')[0]!;
      preview.excludedBy[key] = (preview.excludedBy[key] ?? 0) + 1;
    }
    if (preview.customers.length < limit) {
      preview.customers.push({ customerId: customer.id, name: customer.name, at: candidate.at.toISOString(), why: candidate.why, included, reasons });
    }
  }
  return preview;
}
