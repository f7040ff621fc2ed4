import { z } from 'zod';
import { isCalendarDate } from './calendar-date.js';
import { Condition, comparisonsIn } from './condition-schema.js';
import { isRecord, shapeUnion } from './shape-union.js';
import { expected, formatZodIssues, type FieldIssue } from './validation-issues.js';

// The JSON marketing writes (through the API or `rapport triggers`) to say when a note should be
// drafted. Every object is strict: a misspelt key is an error at its own path, never ignored.

export { Condition } from './condition-schema.js';

const Slug = (what: string, example: string) =>
  z
    .string({ error: expected(what) })
    .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/, { error: `expected ${what} like "${example}" (letters, digits, _ . -)` });

// ---------------------------------------------------------------------------------------------
// Sources: what makes a trigger fire.

export const EventSource = z.strictObject({
  type: z.literal('event'),
  eventType: Slug('an event type', 'purchase'),
});
export type EventSource = z.infer<typeof EventSource>;

export const NEWS_POLARITIES = ['positive', 'negative', 'neutral'] as const;
export const NewsSource = z.strictObject({
  type: z.literal('news'),
  kinds: z
    .array(Slug('a signal kind', 'funding'))
    .min(1)
    .refine((kinds) => new Set(kinds).size === kinds.length, { error: 'lists a kind twice' }),
  minConfidence: z.number().min(0).max(1),
  /** Absent: any polarity. */
  polarity: z.enum(NEWS_POLARITIES).optional(),
});
export type NewsSource = z.infer<typeof NewsSource>;

export const DATE_FIELDS = ['birthday', 'customerSince', 'renewalDate', 'account.customerSince', 'account.renewalDate'] as const;
export type DateField = (typeof DATE_FIELDS)[number];
export const DateSource = z.strictObject({
  type: z.literal('date'),
  field: z.enum(DATE_FIELDS),
  /** Days relative to the date: -14 fires two weeks before, 0 on the day, 3 three days after. */
  offsetDays: z.number().int().min(-366).max(366).default(0),
});
export type DateSource = z.infer<typeof DateSource>;

/** Birthdays and customer-since anniversaries come back every year; a renewal date happens once. */
export function isYearlyDateField(field: DateField): boolean {
  return field === 'birthday' || field.endsWith('customerSince');
}

export const EventCountMilestoneSource = z.strictObject({
  type: z.literal('milestone'),
  eventType: Slug('an event type', 'purchase'),
  /** Fires on the nth event of that type: 10 = the tenth purchase. */
  nth: z.number().int().min(1),
});
export type EventCountMilestoneSource = z.infer<typeof EventCountMilestoneSource>;

export const LifetimeValueMilestoneSource = z.strictObject({
  type: z.literal('milestone'),
  /** Fires once, when the customer's lifetime value first reaches this amount. */
  lifetimeValueAtLeast: z.number().positive(),
});
export type LifetimeValueMilestoneSource = z.infer<typeof LifetimeValueMilestoneSource>;
export type MilestoneSource = EventCountMilestoneSource | LifetimeValueMilestoneSource;

export const SilenceSource = z.strictObject({
  type: z.literal('silence'),
  /** No event and no note for this many days. */
  days: z.number().int().min(1).max(3650),
});
export type SilenceSource = z.infer<typeof SilenceSource>;

export type TriggerSource = EventSource | NewsSource | DateSource | MilestoneSource | SilenceSource;
export const SOURCE_TYPES = ['event', 'news', 'date', 'milestone', 'silence'] as const;

export const TriggerSource: z.ZodType<TriggerSource, unknown> = shapeUnion<TriggerSource>((input) => {
  if (!isRecord(input)) return { error: `expected a source object with a type (${SOURCE_TYPES.join(', ')})` };
  switch (input['type']) {
    case 'event':
      return EventSource;
    case 'news':
      return NewsSource;
    case 'date':
      return DateSource;
    case 'milestone': {
      const byValue = Object.hasOwn(input, 'lifetimeValueAtLeast');
      if (byValue && (Object.hasOwn(input, 'eventType') || Object.hasOwn(input, 'nth'))) {
        return { error: 'a milestone is either {eventType, nth} or {lifetimeValueAtLeast}, not both' };
      }
      return byValue ? LifetimeValueMilestoneSource : EventCountMilestoneSource;
    }
    case 'silence':
      return SilenceSource;
    default:
      return { error: `expected one of ${SOURCE_TYPES.join(', ')}`, path: ['type'] };
  }
});

// ---------------------------------------------------------------------------------------------
// Action: the note to draft.

export const Approver = z.union([z.literal('owner'), z.strictObject({ userId: z.string().min(1) })], {
  error: 'expected "owner" or {"userId": "..."}',
});
export type Approver = z.infer<typeof Approver>;

export const TriggerAction = z
  .strictObject({
    /** A template key: templates/notes/<template>/<locale>.hbs. */
    template: z
      .string({ error: expected('a template key') })
      .regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, { error: 'expected a template key like "birthday" (a-z, 0-9, _ and -)' }),
    channel: z.enum(['email', 'print']),
    giftSku: z.string().min(1).max(64).optional(),
    /** Defaults to a human in the loop: nothing is sent before someone approves it. */
    approval: z.enum(['auto', 'required']).default('required'),
    /** Who approves when approval is required; the account owner when absent. */
    approver: Approver.optional(),
    delayMinutes: z.number().int().min(0).max(60 * 24 * 90).optional(),
    expiresAfterHours: z.number().int().min(1).max(24 * 365).optional(),
  })
  .superRefine((action, ctx) => {
    if (action.approval === 'auto' && action.approver !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['approver'], message: 'only used when approval is "required"' });
    }
    // A gift spends an account manager's budget, so a person decides (src/gifts/gift-budget.ts).
    if (action.approval === 'auto' && action.giftSku !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['giftSku'], message: 'a note with a gift needs approval "required"' });
    }
  });
export type TriggerAction = z.infer<typeof TriggerAction>;

/** News goes stale: a note about last week's funding round should not be approved next month. */
export const NEWS_NOTE_DEFAULT_EXPIRY_HOURS = 7 * 24;

// ---------------------------------------------------------------------------------------------
// Policies: when and whether a drafted note may go out.

export const SEND_WINDOW_DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
const HOUR_MINUTE = /^([01]\d|2[0-3]):[0-5]\d$/;

export const SendWindow = z
  .strictObject({
    days: z
      .array(z.enum(SEND_WINDOW_DAYS))
      .min(1)
      .refine((days) => new Set(days).size === days.length, { error: 'lists a day twice' }),
    start: z.string({ error: expected('HH:MM') }).regex(HOUR_MINUTE, { error: 'expected HH:MM' }),
    /** Exclusive; "24:00" means until midnight. */
    end: z
      .string({ error: expected('HH:MM') })
      .refine((end) => HOUR_MINUTE.test(end) || end === '24:00', { error: 'expected HH:MM' }),
    /** Dates on the recipient's calendar, or the name of a holiday calendar known to the worker. */
    holidays: shapeUnion<string[] | string>((input) =>
      Array.isArray(input)
        ? z.array(z.string({ error: expected('a date YYYY-MM-DD') }).refine(isCalendarDate, { error: 'expected a date YYYY-MM-DD' }))
        : z.string({ error: expected('a list of dates or a holiday calendar name') }).regex(/^[a-z][a-z0-9-]{1,31}$/, {
            error: 'expected a holiday calendar name like "us" or "de-by"',
          }),
    ).optional(),
  })
  .superRefine((window, ctx) => {
    // Overnight windows (22:00–06:00) are refused rather than guessed at: which calendar day
    // would a holiday or weekday rule apply to?
    if (HOUR_MINUTE.test(window.start) && window.end <= window.start) {
      ctx.addIssue({ code: 'custom', path: ['end'], message: 'must be after start (overnight windows are not supported)' });
    }
  });
export type SendWindow = z.infer<typeof SendWindow>;

export const TriggerPolicies = z.strictObject({
  /** Days before this trigger may write to the same customer again. */
  cooldownDays: z.number().int().min(0).max(3650).optional(),
  sendWindow: SendWindow.optional(),
  /** Celebratory notes are blocked by an open complaint or negative news; see isCelebratory. */
  celebratory: z.boolean().optional(),
  /** Higher wins when several triggers fire for one customer at once. */
  priority: z.number().int().min(-1000).max(1000).default(0),
});
export type TriggerPolicies = z.infer<typeof TriggerPolicies>;

// ---------------------------------------------------------------------------------------------

const MAX_CONDITION_DEPTH = 8;

export const TriggerDefinition = z
  .strictObject({
    name: z.string({ error: expected('a name') }).trim().min(1).max(120),
    description: z.string().max(2000).optional(),
    source: TriggerSource,
    conditions: Condition.optional(),
    action: TriggerAction,
    policies: TriggerPolicies.prefault({}),
  })
  .superRefine((definition, ctx) => {
    if (!definition.conditions) return;
    // Only event-driven triggers have an event in their facts; elsewhere the condition could never hold.
    const hasEvent = definition.source.type === 'event' || definition.source.type === 'milestone';
    for (const { comparison, path, depth } of comparisonsIn(definition.conditions, ['conditions'])) {
      if (depth > MAX_CONDITION_DEPTH) {
        ctx.addIssue({ code: 'custom', path, message: `conditions nest deeper than ${MAX_CONDITION_DEPTH} levels` });
        return;
      }
      if (!hasEvent && comparison.field.startsWith('event.')) {
        ctx.addIssue({
          code: 'custom',
          path: [...path, 'field'],
          message: `event fields are only available to event and milestone triggers, not ${definition.source.type}`,
        });
      }
    }
  });
export type TriggerDefinition = z.infer<typeof TriggerDefinition>;

export type TriggerDefinitionResult = { success: true; data: TriggerDefinition } | { success: false; issues: FieldIssue[] };

/** Validates untrusted JSON; on failure every issue names its field. */
export function parseTriggerDefinition(input: unknown): TriggerDefinitionResult {
  const result = TriggerDefinition.safeParse(input);
  return result.success ? { success: true, data: result.data } : { success: false, issues: formatZodIssues(result.error) };
}

/**
 * Whether notes from this trigger celebrate something, and so must not go out while the
 * customer has an open complaint or is in negative news. Explicit `policies.celebratory` wins;
 * otherwise dates, milestones and positive news are celebratory, and events, silence and other
 * news are not (a check-in after silence is exactly what an unhappy customer should get).
 */
export function isCelebratory(definition: Pick<TriggerDefinition, 'source' | 'policies'>): boolean {
  if (definition.policies.celebratory !== undefined) return definition.policies.celebratory;
  const { source } = definition;
  return source.type === 'date' || source.type === 'milestone' || (source.type === 'news' && source.polarity === 'positive');
}

/** Hours a drafted note may wait for approval before it expires; undefined = it does not expire. */
export function expiresAfterHours(definition: Pick<TriggerDefinition, 'source' | 'action'>): number | undefined {
  return definition.action.expiresAfterHours ?? (definition.source.type === 'news' ? NEWS_NOTE_DEFAULT_EXPIRY_HOURS : undefined);
}
