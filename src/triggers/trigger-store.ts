import type { Prisma, PrismaClient } from '../generated/prisma/client.js';
import { writeAudit, type Actor } from '../audit/audit-log.js';
import { AppError } from '../errors.js';
import { parseTriggerDefinition, type TriggerDefinition } from './trigger-definition.js';

export interface ActiveTrigger {
  id: string;
  key: string;
  versionId: string;
  version: number;
  definition: TriggerDefinition;
}

/**
 * Creates a trigger, or adds a version when the key exists and the definition changed. Suggestions
 * record the version that made them, so editing a rule never rewrites history.
 */
export async function saveTrigger(
  prisma: PrismaClient,
  args: { key: string; definition: unknown; enabled?: boolean; actor: Actor },
): Promise<{ trigger: ActiveTrigger; changed: boolean }> {
  const parsed = parseTriggerDefinition(args.definition);
  if (!parsed.success) {
    const first = parsed.issues[0];
    throw new AppError('RAPPORT_VALIDATION', first ? `${first.field}: ${first.message}` : undefined, { issues: parsed.issues });
  }
  const definition = parsed.data;
  if (typeof definition.policies.sendWindow?.holidays === 'string') {
    throw new AppError('RAPPORT_VALIDATION', 'policies.sendWindow.holidays: named holiday calendars are not available yet; list the dates (YYYY-MM-DD)', {
      field: 'policies.sendWindow.holidays',
    });
  }
  return prisma.$transaction(async (tx) => {
    const existing = await tx.trigger.findUnique({
      where: { key: args.key },
      include: { versions: { orderBy: { version: 'desc' }, take: 1 } },
    });
    const latest = existing?.versions[0];
    if (existing && latest && canonicalJson(latest.definition) === canonicalJson(definition)) {
      if (args.enabled !== undefined && args.enabled !== existing.enabled) {
        await tx.trigger.update({ where: { id: existing.id }, data: { enabled: args.enabled } });
      }
      return { trigger: { id: existing.id, key: existing.key, versionId: latest.id, version: latest.version, definition }, changed: false };
    }
    const version = (latest?.version ?? 0) + 1;
    const trigger = existing
      ? await tx.trigger.update({ where: { id: existing.id }, data: { name: definition.name, currentVersion: version, ...(args.enabled !== undefined ? { enabled: args.enabled } : {}) } })
      : await tx.trigger.create({ data: { key: args.key, name: definition.name, currentVersion: version, enabled: args.enabled ?? true } });
    const saved = await tx.triggerVersion.create({
      data: { triggerId: trigger.id, version, definition: definition as unknown as Prisma.InputJsonObject },
    });
    await writeAudit(tx, { actor: args.actor, entityType: 'trigger', entityId: trigger.id, action: existing ? 'trigger.versioned' : 'trigger.created', data: { key: args.key, version } });
    return { trigger: { id: trigger.id, key: trigger.key, versionId: saved.id, version, definition }, changed: true };
  });
}

// Versions never change once written, so their parsed definitions are cached by version id.
const parsedVersions = new Map<string, TriggerDefinition | null>();

/**
 * Enabled triggers at their current version, optionally narrowed to some source types: one query
 * (only the current version of each), parsing each version once per process.
 */
export async function loadActiveTriggers(
  prisma: PrismaClient,
  sourceType?: TriggerDefinition['source']['type'] | TriggerDefinition['source']['type'][],
): Promise<ActiveTrigger[]> {
  const rows = await prisma.$queryRaw<{ id: string; key: string; versionId: string; version: number; definition: unknown }[]>`
    SELECT t.id, t.key, v.id AS "versionId", v.version, v.definition
      FROM "Trigger" t JOIN "TriggerVersion" v ON v."triggerId" = t.id AND v.version = t."currentVersion"
     WHERE t.enabled ORDER BY t.key`;
  const wanted = sourceType === undefined ? null : new Set(Array.isArray(sourceType) ? sourceType : [sourceType]);
  const active: ActiveTrigger[] = [];
  for (const row of rows) {
    let definition = parsedVersions.get(row.versionId);
    if (definition === undefined) {
      const parsed = parseTriggerDefinition(row.definition);
      // A stored definition that no longer validates (the schema grew stricter) is skipped, not fatal.
      definition = parsed.success ? parsed.data : null;
      parsedVersions.set(row.versionId, definition);
    }
    if (!definition || (wanted && !wanted.has(definition.source.type))) continue;
    active.push({ id: row.id, key: row.key, versionId: row.versionId, version: row.version, definition });
  }
  return active;
}

/** JSON with object keys sorted: PostgreSQL's jsonb does not keep the order they were written in. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : 1))) : v,
  );
}
