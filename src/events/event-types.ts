import { z } from 'zod';
import type { EventType, Prisma, PrismaClient } from '../generated/prisma/client.js';
import { writeAudit, type Actor } from '../audit/audit-log.js';
import { AppError } from '../errors.js';
import { retryOnUniqueViolation } from '../infra/prisma-errors.js';
import { compileDataSchema } from './data-schema.js';
import { BUILT_IN_EVENT_TYPES, EventTypeName, isBuiltInEventType } from './event-input.js';

/** Light checks for the built-in types: fields Rapport itself reads must have the right type. */
export const BUILT_IN_DATA_SCHEMAS: Record<(typeof BUILT_IN_EVENT_TYPES)[number], Record<string, unknown>> = {
  // record-event adds `total` to the lifetime value and triggers compare it with numbers.
  purchase: { type: 'object', properties: { total: { type: 'number' }, currency: { type: 'string' } } },
  delivery: { type: 'object' },
  ticket_resolved: { type: 'object' },
  ticket_escalated: { type: 'object' },
  complaint: { type: 'object' },
  renewal: { type: 'object' },
  nps_response: { type: 'object', properties: { score: { type: 'integer', minimum: 0, maximum: 10 } } },
};

/** A custom event type as marketing declares it: a name and a JSON Schema for the events' `data`. */
export const EventTypeInput = z.strictObject({
  name: EventTypeName,
  description: z.string().trim().min(1).max(500).optional(),
  dataSchema: z.record(z.string(), z.unknown(), { error: 'expected a JSON Schema object, e.g. {"type": "object", "properties": {…}}' }),
});
export type EventTypeInput = z.infer<typeof EventTypeInput>;

/**
 * Declares or redefines a custom event type by name. The schema must compile before anything is
 * stored; built-in names are refused, since their meaning is fixed in Rapport's code. Events
 * already stored are not re-checked against a new schema.
 */
export async function upsertEventType(
  prisma: PrismaClient,
  input: EventTypeInput,
  actor: Actor,
): Promise<{ eventType: EventType; created: boolean }> {
  if (isBuiltInEventType(input.name)) {
    throw new AppError('RAPPORT_EVENT_TYPE_BUILT_IN', `"${input.name}" is a built-in event type and cannot be redefined; choose another name`, { field: 'name' });
  }
  compileDataSchema(input.dataSchema);
  const dataSchema = input.dataSchema as Prisma.InputJsonObject;
  return retryOnUniqueViolation(() =>
    prisma.$transaction(async (tx) => {
      const existing = await tx.eventType.findUnique({ where: { name: input.name }, select: { id: true } });
      const eventType = existing
        ? await tx.eventType.update({ where: { id: existing.id }, data: { description: input.description ?? null, dataSchema } })
        : await tx.eventType.create({ data: { name: input.name, description: input.description ?? null, dataSchema } });
      await writeAudit(tx, {
        actor,
        entityType: 'event_type',
        entityId: eventType.id,
        action: existing ? 'event_type.updated' : 'event_type.created',
        data: { name: input.name },
      });
      return { eventType, created: !existing };
    }),
  );
}

export interface EventTypeView {
  name: string;
  builtIn: boolean;
  description: string | null;
  dataSchema: unknown;
  createdAt: string | null;
  updatedAt: string | null;
}

export function presentEventType(t: EventType): EventTypeView {
  return {
    name: t.name,
    builtIn: false,
    description: t.description,
    dataSchema: t.dataSchema,
    createdAt: t.createdAt.toISOString(),
    updatedAt: t.updatedAt.toISOString(),
  };
}

/** Every type an event may have: the built-in ones first, then the declared ones by name. */
export async function listEventTypes(prisma: PrismaClient): Promise<EventTypeView[]> {
  const declared = await prisma.eventType.findMany({ orderBy: { name: 'asc' } });
  const builtIn = BUILT_IN_EVENT_TYPES.map((name) => ({
    name,
    builtIn: true,
    description: null,
    dataSchema: BUILT_IN_DATA_SCHEMAS[name],
    createdAt: null,
    updatedAt: null,
  }));
  return [...builtIn, ...declared.map(presentEventType)];
}
