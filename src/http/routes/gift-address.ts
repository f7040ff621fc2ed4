import fastifyFormbody from '@fastify/formbody';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { PrismaClient } from '../../generated/prisma/client.js';
import { addressForConfirmation, confirmGiftAddress, verifyGiftAddressToken } from '../../gifts/gift-address-confirmation.js';
import { giftAddressTexts, type GiftAddressPage, type GiftAddressStrings, type PageField } from '../../gifts/gift-address-texts.js';
import { ShipTo, type PostalAddress } from '../../gifts/ship-to.js';
import { postalAddressLines } from '../../delivery/print/print-document.js';
import type { Queues } from '../../jobs/queues.js';
import { PUBLIC_PAGE_HEADERS } from '../public-page-headers.js';

/** The form's inputs, in order, with what browsers may fill in; labels come from the strings. */
const FIELDS = [
  ['name', 'name'],
  ['line1', 'address-line1'],
  ['line2', 'address-line2'],
  ['line3', 'address-line3'],
  ['postalCode', 'postal-code'],
  ['city', 'address-level2'],
  ['region', 'address-level1'],
  ['country', 'country'],
] as const;
type FieldName = (typeof FIELDS)[number][0];
type FormValues = Record<FieldName, string>;

const valuesOf = (a: PostalAddress): FormValues => ({
  name: a.name,
  line1: a.addressLines[0] ?? '',
  line2: a.addressLines[1] ?? '',
  line3: a.addressLines.slice(2).join(', '),
  postalCode: a.postalCode ?? '',
  city: a.city ?? '',
  region: a.region ?? '',
  country: a.country ?? '',
});

/**
 * The public address-confirmation page behind the link in the gift email (`/gift-address/<token>`).
 * The signed, expiring token is the only credential — there is no session, so no CSRF token either:
 * a forged POST would need the token, which only the recipient's email holds.
 * - GET shows the address on file in a form and changes nothing (mail scanners fetch every link).
 * - POST confirms it as submitted (corrected or not, validated field by field); the order moves to
 *   `pending` and its fulfilment job is enqueued. A replayed POST shows the address already confirmed.
 * Pages speak the note's language (templates/gift-address/<locale>.json), right to left for Persian.
 */
export const giftAddressRoutes = (deps: { prisma: PrismaClient; queues: Queues; secret: string; templatesDir: string }): FastifyPluginAsync => async (app) => {
  // Encapsulated in this plugin: the form parser does not leak into the JSON API.
  await app.register(fastifyFormbody);
  const texts = giftAddressTexts(deps.templatesDir);

  const send = async (reply: FastifyReply, status: number, locale: string, page: (t: GiftAddressStrings) => GiftAddressPage) => {
    const { lang, t } = await texts.for(locale);
    const html = await texts.renderPage(lang, t, page(t));
    return reply
      .status(status)
      .headers(PUBLIC_PAGE_HEADERS)
      .send(html);
  };

  const form = (t: GiftAddressStrings, token: string, values: FormValues, errors: Partial<Record<FieldName, string>> = {}): GiftAddressPage['form'] => ({
    action: `/gift-address/${encodeURIComponent(token)}`,
    invalid: Object.keys(errors).length > 0,
    fields: FIELDS.map(([name, autocomplete]): PageField => ({ name, label: t[name], value: values[name], autocomplete, ...(errors[name] ? { error: errors[name] } : {}) })),
  });

  /** Checks the link; answers the refusal page itself and returns null when it is not usable. */
  const open = async (request: FastifyRequest<{ Params: { token: string } }>, reply: FastifyReply) => {
    const check = verifyGiftAddressToken(deps.secret, request.params.token);
    if (check.ok) {
      const order = await addressForConfirmation(deps.prisma, check.id);
      if (order) return order;
    }
    if (!check.ok && check.reason === 'expired') {
      // Genuine but old: answer in the recipient's language, and say plainly what to do instead.
      const order = await addressForConfirmation(deps.prisma, check.id);
      await send(reply, 410, order?.locale ?? browserLanguage(request), (t) => ({ title: t.expiredTitle, message: t.expired }));
      return null;
    }
    await send(reply, 400, browserLanguage(request), (t) => ({ title: t.invalidTitle, message: t.invalid }));
    return null;
  };

  /** What a link shows once the order no longer waits for an address. */
  const settled = (order: NonNullable<Awaited<ReturnType<typeof addressForConfirmation>>>) => (t: GiftAddressStrings): GiftAddressPage =>
    order.confirmedAt
      ? { title: t.confirmedTitle, message: t.alreadyConfirmed, address: postalAddressLines(order.address) }
      : { title: t.title, message: t.closed };

  app.get<{ Params: { token: string } }>('/gift-address/:token', async (request, reply) => {
    const order = await open(request, reply);
    if (!order) return reply;
    if (order.status !== 'awaiting_confirmation') return send(reply, 200, order.locale, settled(order));
    return send(reply, 200, order.locale, (t) => ({
      title: t.title,
      message: texts.fill(t.intro, { sender: order.sender, gift: order.gift }),
      form: form(t, request.params.token, valuesOf(order.address)),
    }));
  });

  app.post<{ Params: { token: string } }>('/gift-address/:token', async (request, reply) => {
    const order = await open(request, reply);
    if (!order) return reply;
    if (order.status !== 'awaiting_confirmation') return send(reply, 200, order.locale, settled(order));
    const body = (request.body ?? {}) as Record<string, unknown>;
    const values = Object.fromEntries(FIELDS.map(([name]) => [name, typeof body[name] === 'string' ? body[name] : ''])) as FormValues;
    const parsed = ShipTo.safeParse({ ...values, addressLines: [values.line1, values.line2, values.line3] });
    if (!parsed.success) {
      const errors: Partial<Record<FieldName, string>> = {};
      const { t } = await texts.for(order.locale);
      for (const issue of parsed.error.issues) {
        const [key, index] = issue.path;
        const field = (key === 'addressLines' ? `line${Number(index ?? 0) + 1}` : String(key)) as FieldName;
        errors[field] ??= t.errors[issue.message] ?? t.errors['required'] ?? issue.message;
      }
      return send(reply, 422, order.locale, (strings) => ({
        title: strings.title,
        message: texts.fill(strings.intro, { sender: order.sender, gift: order.gift }),
        form: form(strings, request.params.token, values, errors),
      }));
    }
    const result = await confirmGiftAddress(deps.prisma, { giftOrderId: order.id, address: parsed.data });
    if (result.outcome === 'closed') return send(reply, 200, order.locale, (t) => ({ title: t.title, message: t.closed }));
    if (result.outcome === 'confirmed') {
      // Committed; if Redis is down now, the reconciler enqueues it later (with a partner) or a packing run picks it up.
      await deps.queues.enqueue('fulfil-gift', { giftOrderId: order.id }).catch((err: Error) => request.log.warn({ giftOrderId: order.id, err: err.message }, 'could not enqueue gift order'));
    }
    return send(reply, 200, order.locale, (t) => ({
      title: t.confirmedTitle,
      message: result.outcome === 'confirmed' ? t.confirmed : t.alreadyConfirmed,
      address: postalAddressLines(result.address),
    }));
  });
};

/** The first language the browser asks for, for pages about a link we cannot read. */
const browserLanguage = (request: FastifyRequest) => /^\s*([a-zA-Z]{2,3})/.exec(String(request.headers['accept-language'] ?? ''))?.[1]?.toLowerCase() ?? 'en';
