import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { Actor } from '../../audit/audit-log.js';
import { AppError } from '../../errors.js';
import { previewTrigger, type TriggerPreview } from '../../triggers/preview-trigger.js';
import { setTriggerEnabled } from '../../triggers/set-trigger-enabled.js';
import { parseTriggerDefinition, type TriggerDefinition } from '../../triggers/trigger-definition.js';
import { saveTrigger } from '../../triggers/trigger-store.js';
import { ROLES, webUser } from './authorize.js';
import { EMPTY_FORM, FORM_CHOICES, TRIGGER_KEY, definitionFromForm, fieldForPath, formFromDefinition, readForm, type TriggerForm } from './trigger-form.js';
import { sendPage, type FieldErrors } from './views.js';
import type { WebDeps } from './web-app.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const PREVIEW_DAYS = 30;
const asActor = (request: FastifyRequest): Actor => ({ type: 'user', id: webUser(request).id });

export const triggerRoutes = (deps: WebDeps): FastifyPluginAsync => async (app) => {
  const marketing = { access: ROLES.marketing };

  async function loadTrigger(id: string) {
    const trigger = UUID.test(id) ? await deps.prisma.trigger.findUnique({ where: { id }, include: { versions: { orderBy: { version: 'desc' }, take: 1 } } }) : null;
    if (!trigger) throw new AppError('RAPPORT_NOT_FOUND', 'No trigger with this id');
    const parsed = parseTriggerDefinition(trigger.versions[0]?.definition);
    return { trigger, definition: parsed.success ? parsed.data : undefined };
  }

  const showEditor = async (
    request: FastifyRequest,
    reply: FastifyReply,
    ctx: { triggerId?: string; enabled?: boolean; version?: number; form: TriggerForm; errors?: FieldErrors; preview?: TriggerPreview; saved?: boolean },
    status = 200,
  ) => {
    const templates = await deps.templates.list();
    const chosen = templates.find((t) => t.key === ctx.form['template']);
    return sendPage(deps.views, request, reply, 'trigger-editor', {
      title: ctx.triggerId ? `Edit trigger ${ctx.form['key']}` : 'New trigger',
      action: ctx.triggerId ? `/triggers/${ctx.triggerId}` : '/triggers',
      templates,
      templateLocales: chosen?.locales ?? [],
      choices: FORM_CHOICES,
      previewDays: PREVIEW_DAYS,
      hasErrors: Boolean(ctx.errors && Object.keys(ctx.errors).length),
      ...ctx,
    }, status);
  };

  app.get('/triggers', { config: marketing }, async (request, reply) => {
    const triggers = await deps.prisma.trigger.findMany({ include: { versions: { orderBy: { version: 'desc' }, take: 1 } }, orderBy: { name: 'asc' } });
    const pending = await deps.prisma.suggestion.groupBy({ by: ['triggerId'], where: { status: 'pending_approval' }, _count: true });
    const rows = triggers.map((t) => {
      const parsed = parseTriggerDefinition(t.versions[0]?.definition);
      return {
        t,
        source: parsed.success ? parsed.data.source.type : 'invalid',
        template: parsed.success ? parsed.data.action.template : '',
        pending: pending.find((p) => p.triggerId === t.id)?._count ?? 0,
      };
    });
    const notice = (request.query as Record<string, unknown>)['notice'] === 'saved' ? 'Trigger saved.' : undefined;
    return sendPage(deps.views, request, reply, 'triggers', { title: 'Triggers', rows, notice });
  });

  app.get('/triggers/new', { config: marketing }, async (request, reply) => showEditor(request, reply, { form: { ...EMPTY_FORM } }));

  app.get('/triggers/:id', { config: marketing }, async (request, reply) => {
    const { trigger, definition } = await loadTrigger((request.params as { id: string }).id);
    const form = definition ? formFromDefinition(trigger.key, definition) : { ...EMPTY_FORM, key: trigger.key, name: trigger.name };
    return showEditor(request, reply, { triggerId: trigger.id, enabled: trigger.enabled, version: trigger.currentVersion, form });
  });

  /** Save, or (intent=preview) dry-run the form's definition without saving anything. */
  async function submit(request: FastifyRequest, reply: FastifyReply, existing?: { id: string; key: string; enabled: boolean; version: number; definition?: TriggerDefinition }) {
    const body = (request.body ?? {}) as Record<string, unknown>;
    const form = readForm(body);
    if (existing) form['key'] = existing.key;
    const ctx = { form, ...(existing ? { triggerId: existing.id, enabled: existing.enabled, version: existing.version } : {}) };
    const { definition, errors } = definitionFromForm(form, existing?.definition);
    if (!existing) {
      if (!TRIGGER_KEY.test(form['key'] ?? '')) errors['key'] = 'expected a key like "thank-you-on-purchase" (a-z, 0-9, _ and -)';
      else if (await deps.prisma.trigger.findUnique({ where: { key: form['key']! } })) errors['key'] = 'a trigger with this key exists; pick another or edit that one';
    }
    if (definition && !(await deps.templates.list()).some((t) => t.key === definition.action.template)) {
      errors['template'] ??= `no template "${definition.action.template}" under templates/notes/`;
    }
    if (!definition || Object.keys(errors).length) return showEditor(request, reply, { ...ctx, errors }, 422);
    if (body['intent'] === 'preview') {
      const preview = await previewTrigger(deps.prisma, {
        definition,
        days: PREVIEW_DAYS,
        ...(existing ? { triggerId: existing.id } : {}),
        ...(deps.frequencyCapDays !== undefined ? { frequencyCapDays: deps.frequencyCapDays } : {}),
      });
      return showEditor(request, reply, { ...ctx, preview });
    }
    try {
      await saveTrigger(deps.prisma, { key: form['key']!, definition, actor: asActor(request) });
    } catch (err) {
      if (!(err instanceof AppError) || err.status !== 422) throw err;
      return showEditor(request, reply, { ...ctx, errors: { [fieldForPath(err.field ?? '')]: err.message } }, 422);
    }
    return reply.redirect('/triggers?notice=saved', 303);
  }

  app.post('/triggers', { config: marketing }, async (request, reply) => submit(request, reply));

  app.post('/triggers/:id', { config: marketing }, async (request, reply) => {
    const { trigger, definition } = await loadTrigger((request.params as { id: string }).id);
    return submit(request, reply, { id: trigger.id, key: trigger.key, enabled: trigger.enabled, version: trigger.currentVersion, ...(definition ? { definition } : {}) });
  });

  app.post('/triggers/:id/enabled', { config: marketing }, async (request, reply) => {
    const { id } = request.params as { id: string };
    if (!UUID.test(id)) throw new AppError('RAPPORT_NOT_FOUND', 'No trigger with this id');
    const enabled = (request.body as Record<string, unknown>)['enabled'];
    if (enabled !== 'true' && enabled !== 'false') throw new AppError('RAPPORT_VALIDATION', 'enabled: expected true or false', { field: 'enabled' });
    await setTriggerEnabled(deps.prisma, { id, enabled: enabled === 'true', actor: asActor(request) });
    return reply.redirect('/triggers', 303);
  });
};
