import { z } from 'zod';

/** Event types Rapport understands out of the box; marketing declares more (src/events/event-types.ts). */
export const BUILT_IN_EVENT_TYPES = [
  'purchase',
  'delivery',
  'ticket_resolved',
  'ticket_escalated',
  'complaint',
  'renewal',
  'nps_response',
] as const;

export type BuiltInEventType = (typeof BUILT_IN_EVENT_TYPES)[number];
export const isBuiltInEventType = (name: string): name is BuiltInEventType => (BUILT_IN_EVENT_TYPES as readonly string[]).includes(name);

/** The same spelling triggers accept for `eventType`: letters, digits, _ . - (up to 100). */
export const EventTypeName = z
  .string({ error: 'expected an event type name such as purchase' })
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/, { error: 'expected an event type name like "purchase" or "webinar.attended" (letters, digits, _ . -)' });

export const EventInput = z
  .strictObject({
    // Only the shape here: whether the type exists (built in or declared) and whether `data` fits
    // its schema needs the database, so EventTypeRegistry.check does it after parsing.
    type: EventTypeName,
    customerId: z.string().uuid('expected a Rapport customer id (UUID)').optional(),
    externalId: z.string().trim().min(1).max(200).optional(),
    occurredAt: z.string().datetime({ offset: true, error: 'expected an ISO 8601 date-time with offset, e.g. 2026-11-23T10:00:00Z' }),
    idempotencyKey: z.string().trim().min(1).max(200),
    data: z.record(z.string(), z.unknown()).default({}),
  })
  .superRefine((e, ctx) => {
    if ((e.customerId === undefined) === (e.externalId === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['customerId'], message: 'give exactly one of customerId or externalId' });
    }
  });
export type EventInput = z.infer<typeof EventInput>;
