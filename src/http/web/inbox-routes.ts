import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Actor } from '../../audit/audit-log.js';
import { AppError } from '../../errors.js';
import { bulkDecide } from '../../notes/bulk-decide.js';
import { ApproveInput, RejectInput, approveSuggestion, rejectSuggestion } from '../../notes/decide-suggestion.js';
import { reassignSuggestion } from '../../notes/reassign-suggestion.js';
import { snoozeSuggestion } from '../../notes/snooze-suggestion.js';
import { ROLES, suggestionScope, webUser } from './authorize.js';
import { loadCard, loadInbox } from './inbox-data.js';
import { sendPage, type FieldErrors } from './views.js';
import type { WebDeps } from './web-app.js';
import { enqueueApproved } from '../../notes/enqueue-approved.js';

type Form = Record<string, unknown>;
const text = (form: Form, key: string) => (typeof form[key] === 'string' ? (form[key] as string) : '');
/** Checkboxes with one name arrive as a string when one is ticked and as an array when several are. */
const list = (value: unknown): string[] => (Array.isArray(value) ? value.map(String) : typeof value === 'string' ? [value] : []);

export const SNOOZE_CHOICES = [
  { hours: 4, text: '4 hours' },
  { hours: 24, text: 'until tomorrow' },
  { hours: 72, text: '3 days' },
  { hours: 168, text: 'a week' },
] as const;

const NOTICES: Record<string, string> = {
  approved: 'Approved — the note is on its way.',
  rejected: 'Rejected. Thank you for saying why.',
  snoozed: 'Snoozed. It will come back to your inbox.',
  reassigned: 'Reassigned.',
};

const asActor = (request: FastifyRequest): Actor => ({ type: 'user', id: webUser(request).id });
const issueMap = (err: AppError): FieldErrors => {
  const errors: FieldErrors = {};
  for (const issue of err.details.issues ?? [{ field: err.field ?? 'form', message: err.message }]) errors[issue.field] ??= issue.message;
  return errors;
};

export const inboxRoutes = (deps: WebDeps): FastifyPluginAsync => async (app) => {
  const approvers = { access: ROLES.approvers };
  const ownSuggestion = { access: ROLES.approvers, owns: 'suggestion' as const };

  // A single approval overtakes bulk work in the delivery queues.
  const enqueue = (request: FastifyRequest, ids: string[], priority: 'single' | 'bulk') => enqueueApproved({ ...deps, log: request.log }, ids, priority);

  /** The inbox, optionally with one card's refused form (its values and the message beside each field). */
  const showInbox = async (request: FastifyRequest, reply: FastifyReply, extra: Record<string, unknown> = {}, status = 200) => {
    const user = webUser(request);
    const inbox = await loadInbox(deps.prisma, user);
    const refused = extra['refused'] as { id: string; errors: FieldErrors; values: Form } | undefined;
    const cards = inbox.cards.map((card) => (card.s.id === refused?.id ? { ...card, errors: refused.errors, values: refused.values } : card));
    // A refusal whose card is gone (decided meanwhile) or that names no field is shown at the top.
    const pageError = refused && (!cards.some((c) => c.s.id === refused.id) || refused.errors['form']) ? Object.values(refused.errors)[0] : undefined;
    const notice = NOTICES[String((request.query as Form)['notice'] ?? '')];
    const failed = (request.query as Form)['failed'];
    return sendPage(deps.views, request, reply, 'inbox', {
      title: `Inbox (${inbox.cards.length})`,
      ...inbox,
      cards,
      pageError,
      snoozeChoices: SNOOZE_CHOICES,
      notice,
      bulkFailed: typeof failed === 'string' && /^\d+$/.test(failed) ? Number(failed) : null,
      ...extra,
    }, status);
  };

  /** A refused action: the inbox again with the submitted values and the errors beside the fields. */
  const refuse = async (request: FastifyRequest, reply: FastifyReply, id: string, err: unknown, form: Form) => {
    if (!(err instanceof AppError) || err.status >= 500 || err.status === 404) throw err;
    return showInbox(request, reply, { refused: { id, errors: issueMap(err), values: form } }, err.status);
  };

  app.get('/inbox', { config: approvers }, async (request, reply) => showInbox(request, reply));

  app.get('/inbox/:id', { config: ownSuggestion }, async (request, reply) => {
    const { id } = request.params as { id: string };
    const card = await loadCard(deps.prisma, webUser(request), id);
    if (!card) throw new AppError('RAPPORT_SUGGESTION_NOT_FOUND');
    const history = await deps.prisma.auditEntry.findMany({ where: { entityType: 'suggestion', entityId: id }, orderBy: { id: 'asc' } });
    return sendPage(deps.views, request, reply, 'suggestion', { title: `Note for ${card.s.customer.name}`, card, history });
  });

  app.post('/inbox/:id/approve', { config: ownSuggestion }, async (request, reply) => {
    const { id } = request.params as { id: string };
    const form = request.body as Form;
    try {
      const current = await deps.prisma.suggestion.findUniqueOrThrow({ where: { id } });
      // The form always carries the text shown; only what differs from the draft is an edit.
      const subject = text(form, 'subject').trim();
      const body = text(form, 'body').replaceAll('\r\n', '\n').trim();
      const edit = ApproveInput.safeParse({
        ...(subject !== current.subject.trim() ? { subject } : {}),
        ...(body !== current.body.trim() ? { body } : {}),
        // Only admins see the box; the budget check refuses anyone else who sends it.
        ...(text(form, 'overrideBudget') === 'yes' ? { overrideBudget: true } : {}),
      });
      if (!edit.success) throw new AppError('RAPPORT_VALIDATION', undefined, { issues: edit.error.issues.map((i) => ({ field: String(i.path[0]), message: i.message })) });
      await approveSuggestion(deps.prisma, { id, actor: asActor(request), edit: edit.data });
      await enqueue(request, [id], 'single');
    } catch (err) {
      return refuse(request, reply, id, err, form);
    }
    return reply.redirect('/inbox?notice=approved', 303);
  });

  app.post('/inbox/:id/reject', { config: ownSuggestion }, async (request, reply) => {
    const { id } = request.params as { id: string };
    const form = request.body as Form;
    try {
      const parsed = RejectInput.safeParse({ reason: text(form, 'reason') });
      if (!parsed.success) throw new AppError('RAPPORT_VALIDATION', undefined, { issues: [{ field: 'reason', message: parsed.error.issues[0]?.message ?? 'required' }] });
      await rejectSuggestion(deps.prisma, { id, actor: asActor(request), reason: parsed.data.reason });
    } catch (err) {
      return refuse(request, reply, id, err, form);
    }
    return reply.redirect('/inbox?notice=rejected', 303);
  });

  app.post('/inbox/:id/snooze', { config: ownSuggestion }, async (request, reply) => {
    const { id } = request.params as { id: string };
    const form = request.body as Form;
    try {
      const choice = SNOOZE_CHOICES.find((c) => String(c.hours) === text(form, 'hours'));
      if (!choice) throw new AppError('RAPPORT_VALIDATION', undefined, { issues: [{ field: 'hours', message: 'choose how long to snooze' }] });
      await snoozeSuggestion(deps.prisma, { id, until: new Date(Date.now() + choice.hours * 3_600_000), actor: asActor(request) });
    } catch (err) {
      return refuse(request, reply, id, err, form);
    }
    return reply.redirect('/inbox?notice=snoozed', 303);
  });

  app.post('/inbox/:id/reassign', { config: ownSuggestion }, async (request, reply) => {
    const { id } = request.params as { id: string };
    const form = request.body as Form;
    try {
      const assigneeId = text(form, 'assigneeId');
      if (!z.string().uuid().safeParse(assigneeId).success) {
        throw new AppError('RAPPORT_VALIDATION', undefined, { issues: [{ field: 'assigneeId', message: 'choose who should approve it' }] });
      }
      await reassignSuggestion(deps.prisma, { id, assigneeId, actor: asActor(request) });
    } catch (err) {
      if (err instanceof AppError && err.code === 'RAPPORT_ASSIGNEE_INVALID') return refuse(request, reply, id, new AppError('RAPPORT_VALIDATION', undefined, { issues: [{ field: 'assigneeId', message: err.message }] }), form);
      return refuse(request, reply, id, err, form);
    }
    return reply.redirect('/inbox?notice=reassigned', 303);
  });

  /** Bulk approve/reject: each selected suggestion goes through the state machine on its own. */
  app.post('/inbox/bulk', { config: approvers }, async (request, reply) => {
    const form = request.body as Form;
    const user = webUser(request);
    const action = text(form, 'action');
    const reason = text(form, 'reason').trim();
    const ids = list(form['ids']).filter((id) => z.string().uuid().safeParse(id).success);
    const bulkErrors: FieldErrors = {};
    if (action !== 'approve' && action !== 'reject') bulkErrors['action'] = 'choose approve or reject';
    if (ids.length === 0) bulkErrors['ids'] = 'select at least one suggestion';
    if (action === 'reject' && !reason) bulkErrors['reason'] = 'say why, so marketing can learn from it';
    if (Object.keys(bulkErrors).length) return showInbox(request, reply, { bulkErrors, bulkValues: { reason } }, 422);
    // Out-of-scope ids are dropped here, exactly like the per-item routes answer 404 for them.
    const visible = await deps.prisma.suggestion.findMany({ where: { AND: [{ id: { in: ids } }, suggestionScope(user)] }, select: { id: true } });
    const result = await bulkDecide(deps.prisma, { action: action as 'approve' | 'reject', ids: visible.map((v) => v.id), ...(reason ? { reason } : {}), actor: asActor(request) });
    if (action === 'approve') await enqueue(request, result.done.map((d) => d.id), 'bulk');
    const failed = result.failed.length + (ids.length - visible.length);
    return reply.redirect(`/inbox?notice=${action === 'approve' ? 'approved' : 'rejected'}${failed ? `&failed=${failed}` : ''}`, 303);
  });
};
