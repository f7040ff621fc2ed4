import { isCelebratory, type TriggerDefinition } from './trigger-definition.js';

// Whether one trigger may write to one customer now. Pure: the caller loads the facts (flags,
// last notes, recent news) and this decides, so the rules are testable without a database and
// dry-run previews give the same answer as the real run.

const MS_PER_DAY = 86_400_000;

/** How long negative news about a customer blocks celebratory notes, unless the caller says otherwise. */
export const DEFAULT_NEGATIVE_NEWS_LOOKBACK_DAYS = 30;

export type PolicyTrigger = { id: string; definition: Pick<TriggerDefinition, 'source' | 'policies'> };

export type PolicyInput = {
  now: Date;
  trigger: PolicyTrigger;
  customer: {
    optedOut: boolean;
    doNotContact: boolean;
    hasOpenComplaint: boolean;
    recentNegativeNewsAt?: Date | null;
  };
  /** The last note to this customer from any trigger (sent or scheduled). */
  lastNoteToCustomerAt?: Date | null;
  /** The last note to this customer from this trigger. */
  lastNoteFromTriggerAt?: Date | null;
  /** At most one note per this many days across all triggers; 0 turns the cap off. */
  frequencyCapDays: number;
  negativeNewsLookbackDays?: number;
};

export type PolicyBlockReason =
  | 'suppressed_opted_out'
  | 'suppressed_do_not_contact'
  | 'blocked_open_complaint'
  | 'blocked_negative_news'
  | 'frequency_cap'
  | 'cooldown';

export type PolicyDecision = { allowed: true } | { allowed: false; reason: PolicyBlockReason; detail: string };

function requireDays(value: number, name: string): number {
  if (!Number.isFinite(value) || value < 0) throw new RangeError(`${name}: expected a number of days >= 0, got ${value}`);
  return value;
}

/**
 * The instant a "once per `days`" rule allows again after `last`, or undefined if it already does.
 * Boundary: exactly `days` × 24 h after the last note is allowed again — "at most one note per
 * 14 days" means a note on the 1st allows the next at the same time on the 15th.
 */
function blockedUntil(now: Date, last: Date | null | undefined, days: number): Date | undefined {
  if (!last || days === 0) return undefined;
  const until = last.getTime() + days * MS_PER_DAY;
  return now.getTime() < until ? new Date(until) : undefined;
}

/**
 * Whether the trigger may write to the customer at `now`, and if not, the first reason why.
 * Checks run from the most to the least permanent, so the reason given is the one that matters:
 * suppression (opted out, do not contact) before celebratory blocks (open complaint, negative
 * news) before timing (frequency cap across triggers, then this trigger's cooldown).
 */
export function checkPolicies(input: PolicyInput): PolicyDecision {
  const { now, trigger, customer } = input;
  const frequencyCapDays = requireDays(input.frequencyCapDays, 'frequencyCapDays');
  const lookbackDays = requireDays(input.negativeNewsLookbackDays ?? DEFAULT_NEGATIVE_NEWS_LOOKBACK_DAYS, 'negativeNewsLookbackDays');

  if (customer.optedOut) {
    return { allowed: false, reason: 'suppressed_opted_out', detail: 'the customer opted out of notes' };
  }
  if (customer.doNotContact) {
    return { allowed: false, reason: 'suppressed_do_not_contact', detail: 'the customer is marked do-not-contact' };
  }
  if (isCelebratory(trigger.definition)) {
    if (customer.hasOpenComplaint) {
      return {
        allowed: false,
        reason: 'blocked_open_complaint',
        detail: 'celebratory notes wait until the customer has no open complaint',
      };
    }
    const news = customer.recentNegativeNewsAt;
    if (news && now.getTime() - news.getTime() < lookbackDays * MS_PER_DAY) {
      return {
        allowed: false,
        reason: 'blocked_negative_news',
        detail: `negative news on ${news.toISOString()} blocks celebratory notes for ${lookbackDays} days`,
      };
    }
  }
  const capUntil = blockedUntil(now, input.lastNoteToCustomerAt, frequencyCapDays);
  if (capUntil) {
    return {
      allowed: false,
      reason: 'frequency_cap',
      detail: `at most one note per ${frequencyCapDays} days per customer; next allowed ${capUntil.toISOString()}`,
    };
  }
  const cooldownDays = trigger.definition.policies.cooldownDays ?? 0;
  const cooldownUntil = blockedUntil(now, input.lastNoteFromTriggerAt, cooldownDays);
  if (cooldownUntil) {
    return {
      allowed: false,
      reason: 'cooldown',
      detail: `trigger ${trigger.id} cools down for ${cooldownDays} days per customer; next allowed ${cooldownUntil.toISOString()}`,
    };
  }
  return { allowed: true };
}

/**
 * When several triggers fire for one customer at once, the one whose note is drafted: highest
 * `policies.priority` wins; a tie goes to the smallest trigger id (code-point order), so the
 * choice never depends on the order the candidates were loaded in. Undefined for no candidates.
 */
export function pickWinningTrigger<C extends { trigger: PolicyTrigger }>(candidates: readonly C[]): C | undefined {
  let winner: C | undefined;
  for (const candidate of candidates) {
    if (!winner) {
      winner = candidate;
      continue;
    }
    const priority = candidate.trigger.definition.policies.priority;
    const best = winner.trigger.definition.policies.priority;
    if (priority > best || (priority === best && candidate.trigger.id < winner.trigger.id)) winner = candidate;
  }
  return winner;
}
