import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { LightMyRequestResponse } from 'fastify';
import { createApiToken } from '../../src/auth/api-tokens.js';
import { createGiftAddressToken } from '../../src/gifts/gift-address-confirmation.js';
import { advanceGiftOrder, giftFulfilmentDeps } from '../../src/gifts/gift-fulfilment.js';
import { startRapport, type Rapport } from '../../src/main.js';
import { approvedGiftOrder, giftSuggestion, seedGiftCatalog } from '../helpers/gift-orders.js';
import { startSmtpSink } from '../helpers/smtp-sink.js';
import { freshDatabase, silentLogger, testConfig } from '../helpers/test-services.js';

const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();

// Gifts whose catalog entry asks for it wait until the recipient confirms (or corrects) the address
// through a signed, expiring link emailed in their language.
describe('gift address confirmation', () => {
  let database: Awaited<ReturnType<typeof freshDatabase>>;
  let rapport: Rapport;
  let smtp: Awaited<ReturnType<typeof startSmtpSink>>;
  let token: string;
  const prisma = () => database.db.prisma;
  const page = (method: 'GET' | 'POST', url: string, fields?: Record<string, string>, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> =>
    rapport.app!.inject({ method, url, headers: { ...(fields ? { 'content-type': 'application/x-www-form-urlencoded' } : {}), ...headers }, ...(fields ? { payload: form(fields) } : {}) });
  const linkIn = (text: string) => {
    const url = /https?:\/\/\S+\/gift-address\/([A-Za-z0-9_-]{70})/.exec(text);
    assert.ok(url, `a confirmation link in: ${text}`);
    return new URL(url[0]).pathname;
  };
  const advance = (id: string) => advanceGiftOrder(giftFulfilmentDeps(rapport.runtime), id);

  before(async () => {
    database = await freshDatabase();
    smtp = await startSmtpSink();
    rapport = await startRapport(testConfig({ DATABASE_URL: database.url, SMTP_URL: smtp.url, PUBLIC_URL: 'https://rapport.example' }), silentLogger(), { workers: false });
    const manager = await prisma().user.create({ data: { email: 'am@rapport.example', name: 'Olu Owner', role: 'admin' } });
    token = (await createApiToken(prisma(), { name: 'approver', userId: manager.id })).secret;
    await prisma().customer.createMany({
      data: [
        { externalId: 'fa-1', name: 'مریم احمدی', firstName: 'مریم', email: 'maryam@example.ir', locale: 'fa', country: 'IR', addressLines: ['خیابان ولیعصر، پلاک ۱۲'], postalCode: '1581734911', city: 'تهران' },
        { externalId: 'en-1', name: 'Jane Doe', email: 'jane@example.com', locale: 'en', country: 'GB', addressLines: ['1 Main St'], postalCode: 'N1 1AA', city: 'London' },
        { externalId: 'no-mail', name: 'Nomail Person', locale: 'en', country: 'DE', addressLines: ['Hauptstraße 1'], postalCode: '10115', city: 'Berlin' },
      ],
    });
    await seedGiftCatalog(prisma(), { sku: 'WINE-01', name: 'Bottle of red', confirmAddress: true });
  });
  after(async () => {
    await rapport?.close();
    await smtp?.close();
    await database?.drop();
  });

  test('happy path: approval waits, the email (in Persian) carries the link, a correction is stored and the order moves on', async () => {
    const suggestionId = await giftSuggestion(prisma(), { externalId: 'fa-1', sku: 'WINE-01' });
    const approved = await rapport.app!.inject({ method: 'POST', url: `/api/v1/suggestions/${suggestionId}/approve`, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, payload: '{}' });
    assert.equal(approved.statusCode, 200, approved.body);
    const order = await prisma().giftOrder.findUniqueOrThrow({ where: { suggestionId } });
    assert.equal(order.status, 'awaiting_confirmation');
    assert.ok(await rapport.runtime.queues.queue('fulfil-gift').getJob(`gift-${order.id}`), 'the fulfil-gift job is queued: it sends the email');

    assert.equal(await advance(order.id), 'confirmation_sent');
    assert.equal(await advance(order.id), 'skipped', 'a repeated job sends no second email');
    assert.equal(smtp.received.length, 1);
    const mail = smtp.received[0]!;
    assert.deepEqual(mail.envelope.to, ['maryam@example.ir']);
    assert.equal(mail.parsed.subject, 'هدیه‌تان را به کجا بفرستیم؟');
    assert.match(mail.parsed.text ?? '', /مریم عزیز/);
    assert.match(mail.parsed.text ?? '', /Bottle of red/);
    const link = linkIn(mail.parsed.text ?? '');
    assert.ok((await prisma().giftOrder.findUniqueOrThrow({ where: { id: order.id } })).confirmationSentAt);

    const shown = await page('GET', link);
    assert.equal(shown.statusCode, 200);
    assert.match(shown.body, /<html lang="fa" dir="rtl">/);
    assert.match(shown.body, /تأیید نشانی/);
    assert.match(shown.body, /value="خیابان ولیعصر، پلاک ۱۲"/);
    assert.equal(shown.headers['referrer-policy'], 'no-referrer');
    assert.equal((await prisma().giftOrder.findUniqueOrThrow({ where: { id: order.id } })).status, 'awaiting_confirmation', 'GET changes nothing');

    // A correction with a missing city and a country name instead of a code: field errors, in Persian.
    const fields = { name: 'مریم احمدی', line1: 'خیابان انقلاب، پلاک ۵', line2: '', line3: '', postalCode: '1417935840', city: '', region: '', country: 'Iran' };
    const invalid = await page('POST', link, fields);
    assert.equal(invalid.statusCode, 422);
    assert.match(invalid.body, /لطفاً خانه‌های مشخص‌شده را اصلاح کنید/);
    assert.match(invalid.body, /id="f-city" name="city" value=""[^>]*aria-invalid="true"/);
    assert.match(invalid.body, /<p class="error" id="e-city">لطفاً این خانه را پر کنید.<\/p>/);
    assert.match(invalid.body, /<p class="error" id="e-country">کد دوحرفی کشور/);
    assert.match(invalid.body, /value="خیابان انقلاب، پلاک ۵"/, 'what they typed is kept');
    assert.equal((await prisma().giftOrder.findUniqueOrThrow({ where: { id: order.id } })).status, 'awaiting_confirmation');

    const confirmed = await page('POST', link, { ...fields, city: 'تهران', country: 'ir' });
    assert.equal(confirmed.statusCode, 200, confirmed.body);
    assert.match(confirmed.body, /هدیه‌تان به این نشانی فرستاده می‌شود/);
    assert.match(confirmed.body, /خیابان انقلاب، پلاک ۵/);
    const stored = await prisma().giftOrder.findUniqueOrThrow({ where: { id: order.id } });
    assert.equal(stored.status, 'pending');
    assert.ok(stored.addressConfirmedAt);
    assert.deepEqual(stored.shipTo, { name: 'مریم احمدی', addressLines: ['خیابان انقلاب، پلاک ۵'], postalCode: '1417935840', city: 'تهران', region: null, country: 'IR' });
    const audit = await prisma().auditEntry.findFirstOrThrow({ where: { entityId: order.id, action: 'gift_order.pending' } });
    assert.deepEqual([audit.fromStatus, audit.toStatus, audit.reason], ['awaiting_confirmation', 'pending', 'the recipient corrected the address']);
    assert.equal((await prisma().customer.findUniqueOrThrow({ where: { externalId: 'fa-1' } })).addressLines[0], 'خیابان ولیعصر، پلاک ۱۲', 'the customer record is left alone');

    // A replay (second click, resubmitted form, even with other data) is harmless.
    const replay = await page('POST', link, { ...fields, city: 'شیراز', country: 'IR' });
    assert.equal(replay.statusCode, 200);
    assert.match(replay.body, /نشانی خود را پیش‌تر تأیید کرده‌اید/);
    assert.match(replay.body, /تهران/);
    assert.equal((await prisma().giftOrder.findUniqueOrThrow({ where: { id: order.id } })).status, 'pending');
    assert.equal(await prisma().auditEntry.count({ where: { entityId: order.id, action: 'gift_order.pending' } }), 1);
    assert.match((await page('GET', link)).body, /نشانی خود را پیش‌تر تأیید کرده‌اید/);
  });

  test('an expired link says so in the recipient language and changes nothing; a tampered one is refused', async () => {
    const id = await approvedGiftOrder(prisma(), { externalId: 'fa-1', sku: 'WINE-01' });
    const secret = rapport.runtime.secret;
    const expired = `/gift-address/${createGiftAddressToken(secret, id, new Date(Date.now() - 60_000))}`;
    const shown = await page('GET', expired);
    assert.equal(shown.statusCode, 410);
    assert.match(shown.body, /این پیوند منقضی شده است/);
    assert.doesNotMatch(shown.body, /<form/);
    const late = await page('POST', expired, { name: 'x', line1: 'y', city: 'z', country: 'IR' });
    assert.equal(late.statusCode, 410);
    assert.equal((await prisma().giftOrder.findUniqueOrThrow({ where: { id } })).status, 'awaiting_confirmation');

    const good = createGiftAddressToken(secret, id, new Date(Date.now() + 3_600_000));
    const tampered = `/gift-address/${good.slice(0, 10)}${good[10] === 'A' ? 'B' : 'A'}${good.slice(11)}`;
    const refused = await page('POST', tampered, { name: 'x', line1: 'y', city: 'z', country: 'IR' }, { 'accept-language': 'th-TH,th;q=0.9' });
    assert.equal(refused.statusCode, 400);
    assert.match(refused.body, /ลิงก์นี้ไม่ถูกต้อง/, 'answered in the browser language: the link names nobody we can trust');
    assert.equal((await page('GET', '/gift-address/short')).statusCode, 400);
    // An unsubscribe token for the same id is signed for another purpose: not a confirmation link.
    const { createUnsubscribeToken } = await import('../../src/consent/unsubscribe-token.js');
    assert.equal((await page('GET', `/gift-address/${createUnsubscribeToken(secret, id)}`)).statusCode, 400);
    assert.equal((await prisma().giftOrder.findUniqueOrThrow({ where: { id } })).status, 'awaiting_confirmation');
  });

  test('in English, confirming as shown; without an email address the gift ships to the address on file', async () => {
    const id = await approvedGiftOrder(prisma(), { externalId: 'en-1', sku: 'WINE-01' });
    const link = `/gift-address/${createGiftAddressToken(rapport.runtime.secret, id, new Date(Date.now() + 3_600_000))}`;
    const shown = await page('GET', link);
    assert.match(shown.body, /<html lang="en" dir="ltr">/);
    const ok = await page('POST', link, { name: 'Jane Doe', line1: '1 Main St', postalCode: 'N1 1AA', city: 'London', country: 'GB' });
    assert.equal(ok.statusCode, 200);
    assert.match(ok.body, /Your gift will be sent to this address/);
    assert.match(ok.body, /UNITED KINGDOM/);
    const audit = await prisma().auditEntry.findFirstOrThrow({ where: { entityId: id, action: 'gift_order.pending' } });
    assert.equal(audit.reason, 'the recipient confirmed the address');

    const unreachable = await approvedGiftOrder(prisma(), { externalId: 'no-mail', sku: 'WINE-01' });
    assert.equal((await prisma().giftOrder.findUniqueOrThrow({ where: { id: unreachable } })).status, 'pending');
    const created = await prisma().auditEntry.findFirstOrThrow({ where: { entityId: unreachable, action: 'gift_order.created' } });
    assert.match(created.reason ?? '', /no email address/);
  });

  test('a link nobody used: staff send a fresh one, or ship without confirmation giving a reason', async () => {
    const api = (url: string, body: unknown) =>
      rapport.app!.inject({ method: 'POST', url, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, payload: JSON.stringify(body) });
    const id = await approvedGiftOrder(prisma(), { externalId: 'en-1', sku: 'WINE-01' });
    assert.equal(await advance(id), 'confirmation_sent');
    const before = smtp.received.length;
    const resent = await api(`/api/v1/gift-orders/${id}/resend-confirmation`, {});
    assert.equal(resent.statusCode, 200, resent.body);
    assert.equal(resent.json().giftOrder.status, 'awaiting_confirmation');
    assert.equal(await advance(id), 'confirmation_sent', 'the next fulfil-gift run emails a new link');
    assert.equal(smtp.received.length, before + 1);
    assert.ok((await prisma().auditEntry.count({ where: { entityId: id, action: 'gift_order.confirmation_resend' } })) === 1);

    const noReason = await api(`/api/v1/gift-orders/${id}/skip-confirmation`, { reason: '' });
    assert.equal(noReason.statusCode, 422);
    assert.equal(noReason.json().error.field, 'reason');
    const skipped = await api(`/api/v1/gift-orders/${id}/skip-confirmation`, { reason: 'confirmed by phone with Jane' });
    assert.equal(skipped.statusCode, 200, skipped.body);
    assert.equal(skipped.json().giftOrder.status, 'pending');
    const audit = await prisma().auditEntry.findFirstOrThrow({ where: { entityId: id, action: 'gift_order.pending' } });
    assert.equal(audit.reason, 'address confirmation skipped: confirmed by phone with Jane');
    // Past confirmation, neither applies any more; an unknown order is a 404.
    assert.equal((await api(`/api/v1/gift-orders/${id}/resend-confirmation`, {})).statusCode, 409);
    assert.equal((await api(`/api/v1/gift-orders/${id}/skip-confirmation`, { reason: 'again, by phone' })).json().giftOrder.status, 'pending', 'a repeat is harmless');
    assert.equal((await api(`/api/v1/gift-orders/${crypto.randomUUID()}/resend-confirmation`, {})).statusCode, 404);
  });
});
