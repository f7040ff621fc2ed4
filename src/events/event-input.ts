import { z } from 'zod';

/** Event types Rapport understands out of the box; marketing-declared custom types come later. */
export const BUILT_IN_EVENT_TYPES = [
  'purchase',
  'delivery',
  'ticket_resolved',
  'ticket_escalated',
  'complaint',
  'renewal',
  'nps_response',
] as const;

export const EventInput = z
  .strictObject({
    type: z.enum(BUILT_IN_EVENT_TYPES, { error: `expected one of ${BUILT_IN_EVENT_TYPES.join(', ')}` }),
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
