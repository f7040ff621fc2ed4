import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import type { PrismaClient } from '../../generated/prisma/client.js';
import { AppError } from '../../errors.js';
import { previewTrigger } from '../../triggers/preview-trigger.js';
import { setTriggerEnabled } from '../../triggers/set-trigger-enabled.js';
import { saveTrigger } from '../../triggers/trigger-store.js';
import { parseInput } from '../../validation/parse-input.js';
import { actorOf } from '../authenticate.js';
import type { AppDeps } from '../app.js';

// The dry run simulates the configured cap; previewTrigger holds the default for callers without one.
const capOf = (deps: AppDeps) => (deps.frequencyCapDays !== undefined ? { frequencyCapDays: deps.frequencyCapDays } : {});

const IdParams = z.strictObject({ id: z.string().uuid('expected a trigger id (UUID)') });
const CreateBody = z.strictObject({
  key: z.string().trim().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'expected a key like "birthday-card" (a-z, 0-9, -)'),
  definition: z.unknown(),
  enabled: z.boolean().optional(),
});
const UpdateBody = z.strictObject({ definition: z.unknown() });
const PreviewBody = z.strictObject({ days: z.number().int().min(0).max(365).default(30), limit: z.number().int().min(1).max(1000).default(100) });
const DraftPreviewBody = PreviewBody.extend({ definition: z.unknown() });

async function loadTrigger(prisma: PrismaClient, id: string) {
  const trigger = await prisma.trigger.findUnique({ where: { id }, include: { versions: { orderBy: { version: 'desc' } } } });
  if (!trigger) throw new AppError('RAPPORT_TRIGGER_NOT_FOUND', undefined, { field: 'id' });
  return trigger;
}
const present = (t: Awaited<ReturnType<typeof loadTrigger>>) => ({
  id: t.id,
  key: t.key,
  name: t.name,
  enabled: t.enabled,
  version: t.currentVersion,
  definition: t.versions.find((v) => v.version === t.currentVersion)?.definition ?? null,
  versions: t.versions.map((v) => ({ version: v.version, createdAt: v.createdAt.toISOString() })),
});

export const triggerRoutes = (deps: AppDeps): FastifyPluginAsync => async (app) => {
  app.get('/triggers', async () => {
    const triggers = await deps.prisma.trigger.findMany({ include: { versions: { orderBy: { version: 'desc' } } }, orderBy: { key: 'asc' } });
    return { triggers: triggers.map(present) };
  });

  app.post('/triggers', async (request, reply) => {
    const body = parseInput(CreateBody, request.body);
    if (await deps.prisma.trigger.findUnique({ where: { key: body.key }, select: { id: true } })) {
      throw new AppError('RAPPORT_CONFLICT', `A trigger with key "${body.key}" exists; PUT /api/v1/triggers/{id} adds a version`, { field: 'key' });
    }
    const { trigger } = await saveTrigger(deps.prisma, { key: body.key, definition: body.definition, ...(body.enabled !== undefined ? { enabled: body.enabled } : {}), actor: actorOf(request) });
    return reply.status(201).send({ trigger: present(await loadTrigger(deps.prisma, trigger.id)) });
  });

  app.get('/triggers/:id', async (request) => ({ trigger: present(await loadTrigger(deps.prisma, parseInput(IdParams, request.params, 'path').id)) }));

  /** A new version; suggestions keep pointing at the version that made them. */
  app.put('/triggers/:id', async (request) => {
    const { id } = parseInput(IdParams, request.params, 'path');
    const { definition } = parseInput(UpdateBody, request.body);
    const existing = await loadTrigger(deps.prisma, id);
    const { changed } = await saveTrigger(deps.prisma, { key: existing.key, definition, actor: actorOf(request) });
    return { trigger: present(await loadTrigger(deps.prisma, id)), changed };
  });

  for (const [path, enabled] of [['enable', true], ['disable', false]] as const) {
    app.post(`/triggers/:id/${path}`, async (request) => {
      const { id } = parseInput(IdParams, request.params, 'path');
      await setTriggerEnabled(deps.prisma, { id, enabled, actor: actorOf(request) });
      return { trigger: present(await loadTrigger(deps.prisma, id)) };
    });
  }

  /** Dry run of a saved trigger's current version. */
  app.post('/triggers/:id/preview', async (request) => {
    const { id } = parseInput(IdParams, request.params, 'path');
    const { days, limit } = parseInput(PreviewBody, request.body ?? {});
    const trigger = await loadTrigger(deps.prisma, id);
    const definition = trigger.versions.find((v) => v.version === trigger.currentVersion)?.definition;
    return { preview: await previewTrigger(deps.prisma, { definition, triggerId: id, days, limit, ...capOf(deps) }) };
  });

  /** Dry run of a definition not saved yet — marketing tries a rule before switching it on. */
  app.post('/triggers/preview', async (request) => {
    const { definition, days, limit } = parseInput(DraftPreviewBody, request.body);
    return { preview: await previewTrigger(deps.prisma, { definition, days, limit, ...capOf(deps) }) };
  });
};
