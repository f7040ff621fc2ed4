import fastifyFormbody from '@fastify/formbody';
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import type { PrismaClient } from '../../generated/prisma/client.js';
import { optOutByLink } from '../../consent/opt-out.js';
import { verifyUnsubscribeToken, type UnsubscribeTokenCheck } from '../../consent/unsubscribe-token.js';
import { PUBLIC_PAGE_HEADERS } from '../public-page-headers.js';

const escapeHtml = (s: string) =>
  s.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;').replaceAll("'", '&#39;');

const REFUSALS: Record<Exclude<UnsubscribeTokenCheck, { ok: true }>['reason'], string> = {
  malformed: 'This unsubscribe link is incomplete. Copy the whole link from the email, or reply to the email and ask to be removed.',
  bad_signature: 'This unsubscribe link is not valid — it may have been changed. Use the link from the email, or reply to the email and ask to be removed.',
  expired: 'This unsubscribe link has expired. Use the link in a more recent email, or reply to the email and ask to be removed.',
};

/**
 * The public unsubscribe pages behind `List-Unsubscribe: <PUBLIC_URL/u/TOKEN>`; the signed token is
 * the only credential (no API token, no session).
 * - GET shows a confirm button and changes nothing: mail scanners and link previews fetch every
 *   URL in a message, and they must not unsubscribe anyone.
 * - POST unsubscribes at once — both from that button and from a mail client's RFC 8058 one-click
 *   POST (body `List-Unsubscribe=One-Click`, form-encoded or multipart).
 */
export const unsubscribeRoutes = (deps: { prisma: PrismaClient; secret: string }): FastifyPluginAsync => async (app) => {
  // Encapsulated in this plugin: the form parser does not leak into the JSON API.
  await app.register(fastifyFormbody);
  // Only the URL matters; any other body (multipart from RFC 8058 clients included) is read and dropped.
  app.addContentTypeParser('*', { parseAs: 'string', bodyLimit: 16 * 1024 }, (_request, body, done) => done(null, { raw: body }));

  app.get<{ Params: { token: string } }>('/u/:token', async (request, reply) => {
    const check = verifyUnsubscribeToken(deps.secret, request.params.token);
    if (!check.ok) return sendPage(reply, 400, 'Unsubscribe link not valid', `<p>${escapeHtml(REFUSALS[check.reason])}</p>`);
    const action = `/u/${encodeURIComponent(request.params.token)}`;
    return sendPage(
      reply,
      200,
      'Unsubscribe',
      `<p>Do you want to stop receiving notes from us? You will not receive any more emails or cards.</p>
<form method="post" action="${escapeHtml(action)}"><button type="submit">Unsubscribe</button></form>`,
    );
  });

  app.post<{ Params: { token: string } }>('/u/:token', async (request, reply) => {
    const check = verifyUnsubscribeToken(deps.secret, request.params.token);
    if (!check.ok) return sendPage(reply, 400, 'Unsubscribe link not valid', `<p>${escapeHtml(REFUSALS[check.reason])}</p>`);
    const body = request.body as Record<string, unknown> | null | undefined;
    const oneClick = body?.['List-Unsubscribe'] === 'One-Click' || (typeof body?.raw === 'string' && body.raw.includes('One-Click'));
    await optOutByLink(deps.prisma, { customerId: check.customerId, oneClick });
    // The same answer whether this opted them out or they already were (or were since deleted):
    // either way, they receive nothing more.
    return sendPage(reply, 200, 'You are unsubscribed', '<p>You will not receive any more notes from us. Thank you for letting us know.</p>');
  });
};

function sendPage(reply: FastifyReply, status: number, title: string, body: string): FastifyReply {
  return reply
    .status(status)
    .headers(PUBLIC_PAGE_HEADERS)
    .send(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>
  body { font: 1.125rem/1.5 system-ui, sans-serif; max-width: 34rem; margin: 3rem auto; padding: 0 1rem; color: #1a1a1a; background: #fff; }
  button { font: inherit; padding: .6rem 1.4rem; border: 2px solid #1a1a1a; border-radius: .4rem; background: #1a1a1a; color: #fff; cursor: pointer; }
  button:focus-visible { outline: 3px solid #1d64d8; outline-offset: 2px; }
</style>
</head>
<body>
<main>
<h1>${escapeHtml(title)}</h1>
${body}
</main>
</body>
</html>
`);
}
