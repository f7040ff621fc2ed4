import type { FastifyPluginAsync } from 'fastify';
import { AppError } from '../../errors.js';
import { isRightToLeft } from '../../delivery/email-message.js';
import { ROLES, webUser } from './authorize.js';
import { sendPage } from './views.js';
import { sampleNoteContext } from '../../notes/sample-context.js';
import type { WebDeps } from './web-app.js';

/** Sample facts for previews (the same ones `rapport templates check` renders with). */
export const sampleContext = (senderName: string) => sampleNoteContext(senderName);

export const templateRoutes = (deps: WebDeps): FastifyPluginAsync => async (app) => {
  const marketing = { access: ROLES.marketing };

  app.get('/templates', { config: marketing }, async (request, reply) =>
    sendPage(deps.views, request, reply, 'templates', { title: 'Templates', templates: await deps.templates.list() }),
  );

  /** A template rendered with sample data in one locale, or the error that stops it rendering. */
  app.get('/templates/:key/:locale', { config: marketing }, async (request, reply) => {
    const { key, locale } = request.params as { key: string; locale: string };
    const templates = await deps.templates.list();
    const entry = templates.find((t) => t.key === key);
    if (!entry || !entry.locales.includes(locale)) throw new AppError('RAPPORT_NOT_FOUND', `No template "${key}" in locale "${locale}"`);
    const context = sampleNoteContext(webUser(request).name, locale);
    let rendered: { subject: string; body: string } | null = null;
    let error: string | null = null;
    try {
      rendered = await deps.templates.render(key, locale, context);
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      error = err.message;
    }
    return sendPage(deps.views, request, reply, 'template-preview', {
      title: `Template ${key} (${locale})`,
      key,
      locale,
      locales: entry.locales,
      rendered,
      error,
      dir: isRightToLeft(locale) ? 'rtl' : 'ltr',
      sample: JSON.stringify(context, null, 2),
    }, error ? 422 : 200);
  });
};
