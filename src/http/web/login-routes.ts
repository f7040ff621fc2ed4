import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { z } from 'zod';
import { burnPasswordCheck, verifyPassword } from '../../auth/passwords.js';
import { SESSION_COOKIE, SESSION_MAX_MS, createSession, endSession } from '../../auth/sessions.js';
import { writeAudit } from '../../audit/audit-log.js';
import type { WebDeps } from './web-app.js';
import { sendPage, type FieldErrors } from './views.js';

// Before sign-in there is no session to hold a CSRF secret, so the login form uses a double-submit
// cookie: a random value set with the form and echoed in it. A cross-site page can neither read
// the cookie nor set it (SameSite=Lax, HttpOnly), so it cannot forge a login into its own account.
const LOGIN_CSRF_COOKIE = 'rapport_login';

const LoginForm = z.object({
  email: z.string().trim().toLowerCase().email('enter your email address'),
  password: z.string().min(1, 'enter your password').max(1024),
  next: z.string().optional(),
  _csrf: z.string().optional(),
});

/** Only same-site paths: `next=https://evil.example` must not turn login into an open redirect. */
const safeNext = (next: string | undefined) => (next && /^\/(?![/\\])/.test(next) ? next : '/');

const sameToken = (a: string | undefined, b: string | undefined) =>
  Boolean(a && b && a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b)));

export const loginRoutes = (deps: WebDeps): FastifyPluginAsync => async (app) => {
  const cookieOptions = { path: '/', httpOnly: true, sameSite: 'lax' as const, secure: deps.secureCookies };

  const showLogin = (reply: FastifyReply, context: { email?: string; next?: string; errors?: FieldErrors; error?: string }, status = 200) => {
    const csrf = randomBytes(24).toString('base64url');
    reply.setCookie(LOGIN_CSRF_COOKIE, csrf, { ...cookieOptions, maxAge: 3600 });
    return sendPage(deps.views, reply.request, reply, 'login', { title: 'Sign in', csrf, next: safeNext(context.next), ...context }, status);
  };

  app.get('/login', { config: { access: 'public' } }, async (request, reply) => {
    if (request.web) return reply.redirect('/', 303);
    const next = (request.query as Record<string, string | undefined>)['next'];
    return showLogin(reply, { next });
  });

  app.post('/login', { config: { access: 'public' } }, async (request, reply) => {
    const raw = (request.body ?? {}) as Record<string, unknown>;
    const parsed = LoginForm.safeParse(raw);
    const email = typeof raw['email'] === 'string' ? raw['email'] : '';
    const next = typeof raw['next'] === 'string' ? raw['next'] : undefined;
    if (!sameToken(request.cookies[LOGIN_CSRF_COOKIE], typeof raw['_csrf'] === 'string' ? raw['_csrf'] : undefined)) {
      return showLogin(reply, { email, next, error: 'The sign-in form expired. Please try again.' }, 403);
    }
    if (!parsed.success) {
      const errors: FieldErrors = {};
      for (const issue of parsed.error.issues) errors[String(issue.path[0])] ??= issue.message;
      return showLogin(reply, { email, next, errors }, 422);
    }
    const user = await deps.prisma.user.findUnique({ where: { email: parsed.data.email } });
    const ok = user ? await verifyPassword(parsed.data.password, user.passwordHash) : await burnPasswordCheck(parsed.data.password);
    if (!user || !ok) {
      // One message for both cases: the form must not reveal which emails have accounts.
      return showLogin(reply, { email, next, error: 'That email and password do not match.' }, 401);
    }
    const secret = await createSession(deps.prisma, user.id);
    await deps.prisma.$transaction((tx) => writeAudit(tx, { actor: { type: 'user', id: user.id }, entityType: 'user', entityId: user.id, action: 'user.signed_in' }));
    reply.clearCookie(LOGIN_CSRF_COOKIE, cookieOptions);
    reply.setCookie(SESSION_COOKIE, secret, { ...cookieOptions, maxAge: Math.floor(SESSION_MAX_MS / 1000) });
    return reply.redirect(safeNext(parsed.data.next), 303);
  });

  app.post('/logout', { config: { access: 'signed_in' } }, async (request, reply) => {
    if (request.web) await endSession(deps.prisma, request.web.id);
    reply.clearCookie(SESSION_COOKIE, cookieOptions);
    return reply.redirect('/login', 303);
  });

  app.get('/', { config: { access: 'signed_in' } }, async (request, reply) =>
    reply.redirect(request.web?.user.role === 'marketing' ? '/triggers' : '/inbox', 303),
  );
};
