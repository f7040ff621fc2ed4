import { fileURLToPath } from 'node:url';
import type { FastifyError, FastifyPluginAsync } from 'fastify';
import fastifyCookie from '@fastify/cookie';
import fastifyFormbody from '@fastify/formbody';
import fastifyStatic from '@fastify/static';
import type { PrismaClient } from '../../generated/prisma/client.js';
import type { Queues } from '../../jobs/queues.js';
import type { NoteTemplates } from '../../notes/note-templates.js';
import { AppError } from '../../errors.js';
import { authorizeWeb } from './authorize.js';
import { customerRoutes } from './customer-routes.js';
import { inboxRoutes } from './inbox-routes.js';
import { loginRoutes } from './login-routes.js';
import { printRoutes } from './print-routes.js';
import { templateRoutes } from './template-routes.js';
import { triggerRoutes } from './trigger-routes.js';
import { WebViews, sendPage } from './views.js';

const ASSETS = fileURLToPath(new URL('./assets/', import.meta.url));

export interface WebDeps {
  prisma: PrismaClient;
  queues: Queues;
  templates: NoteTemplates;
  views: WebViews;
  /** Secure cookies when the app is reached over https (PUBLIC_URL). */
  secureCookies: boolean;
  /** The per-customer note cap the trigger dry run simulates. */
  frequencyCapDays?: number;
  /** Without it the print page says print runs are not available in this process. */
  printRuns?: { dataDir: string; provider: boolean; defaultFormat: string };
}

// Pages only load our own CSS and JS: no inline scripts, no third-party anything.
const CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/**
 * The server-rendered web app: sign-in, the approval inbox, customer pages, and the trigger and
 * template screens for marketing. Every page route declares who may reach it; authorize.ts
 * enforces that (and CSRF, and ownership) in one preHandler.
 */
export const webApp = (opts: Omit<WebDeps, 'views'> & { publicUrl?: string }): FastifyPluginAsync => async (app) => {
  const deps: WebDeps = { ...opts, views: new WebViews(), secureCookies: opts.secureCookies || Boolean(opts.publicUrl?.startsWith('https:')) };
  await app.register(fastifyCookie);
  await app.register(fastifyStatic, { root: ASSETS, prefix: '/assets/', decorateReply: false, maxAge: '1h' });
  await app.register(async (pages) => {
    await pages.register(fastifyFormbody);
    pages.decorateRequest('web', null);
    pages.addHook('preHandler', authorizeWeb(deps.prisma));
    pages.addHook('onSend', async (_request, reply) => {
      reply.header('content-security-policy', CSP);
      reply.header('x-content-type-options', 'nosniff');
      reply.header('referrer-policy', 'same-origin');
    });
    pages.setErrorHandler((err: FastifyError | AppError, request, reply) => {
      const status = err instanceof AppError ? err.status : typeof err.statusCode === 'number' && err.statusCode < 500 ? err.statusCode : 500;
      if (status >= 500) request.log.error({ err }, 'web page failed');
      const message = err instanceof AppError ? err.message : status < 500 ? err.message : 'Something went wrong on our side.';
      const title = status === 404 ? 'Not found' : status === 403 ? 'Not allowed' : status === 401 ? 'Please sign in' : 'Something went wrong';
      return sendPage(deps.views, request, reply, 'error', { title, status, message, signIn: status === 401 }, status);
    });
    await pages.register(loginRoutes(deps));
    await pages.register(inboxRoutes(deps));
    await pages.register(customerRoutes(deps));
    await pages.register(triggerRoutes(deps));
    await pages.register(templateRoutes(deps));
    await pages.register(printRoutes(deps));
  });
};
