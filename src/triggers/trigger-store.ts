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
  return prisma.$transaction(async (tx) => {
    const existing = await tx.trigger.findUnique({
      where: { key: args.key },
      include: { versions: { orderBy: { version: 'desc' }, take: 1 } },
    });
    const latest = existing?.versions[0];
    if (existing && latest && JSON.stringify(latest.definition) === JSON.stringify(definition)) {
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

/** Enabled triggers at their current version, optionally narrowed to one source type. */
export async function loadActiveTriggers(prisma: PrismaClient, sourceType?: TriggerDefinition['source']['type']): Promise<ActiveTrigger[]> {
  const triggers = await prisma.trigger.findMany({ where: { enabled: true }, include: { versions: true } });
  const active: ActiveTrigger[] = [];
  for (const t of triggers) {
    const current = t.versions.find((v) => v.version === t.currentVersion);
    if (!current) continue;
    const parsed = parseTriggerDefinition(current.definition);
    // A stored definition that no longer validates (the schema grew stricter) is skipped, not fatal.
    if (!parsed.success) continue;
    if (sourceType && parsed.data.source.type !== sourceType) continue;
    active.push({ id: t.id, key: t.key, versionId: current.id, version: current.version, definition: parsed.data });
  }
  return active;
}
