import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startRapport, type Rapport } from '../../src/main.js';
import { seedDemo } from '../../src/demo/seed-demo.js';
import { createUnsubscribeToken } from '../../src/consent/unsubscribe-token.js';
import { freshDatabase, silentLogger, testConfig, waitFor } from '../helpers/test-services.js';
import { startSmtpSink, type ReceivedMail } from '../helpers/smtp-sink.js';

const SECRET = 'test-secret-test-secret-test-secret-0123456789';
const PUBLIC_URL = 'https://rapport.example.test';

// RFC 8058 unsubscribe end to end: the headers on a real email, the public page, the one-click
// POST, and the promise that matters — an unsubscribed recipient receives nothing more.
describe('unsubscribe links', () => {
  let database: Awaited<ReturnType<typeof freshDatabase>>;
  let smtp: Awaited<ReturnType<typeof startSmtpSink>>;
  let rapport: Rapport;
  let token: string;
  let n = 0;
  const prisma = () => database.db.prisma;
  const inject = (method: 'GET' | 'POST', url: string, opts: { payload?: string; contentType?: string; auth?: boolean } = {}) =>
    rapport.app!.inject({
      method,
      url,
      headers: { ...(opts.auth ? { authorization: `Bearer ${token}` } : {}), ...(opts.contentType ? { 'content-type': opts.contentType } : {}) },
      ...(opts.payload !== undefined ? { payload: opts.payload } : {}),
    });

  before(async () => {
    database = await freshDatabase();
    smtp = await startSmtpSink();
    rapport = await startRapport(
      testConfig({
        DATABASE_URL: database.url, SMTP_URL: smtp.url, MAIL_FROM: 'notes@rapport.example', RAPPORT_SECRET: SECRET,
        PUBLIC_URL, NOTE_FREQUENCY_CAP_DAYS: '0', MAIL_UNSUBSCRIBE_MAILTO: 'unsubscribe@rapport.example',
      }),
      silentLogger(),
    );
    ({ token } = await seedDemo(prisma()));
  });
  after(async () => {
    await rapport?.close();
    await smtp?.close();
    await database?.drop();
  });

  /** A purchase through the API; resolves with the pending thank-you note the worker drafts for it. */
  async function pendingNote(externalId: string): Promise<string> {
    const res = await inject('POST', '/api/v1/events', {
      auth: true, contentType: 'application/json',
      payload: JSON.stringify({ type: 'purchase', externalId, occurredAt: new Date().toISOString(), idempotencyKey: `u-${++n}`, data: { product: `Lamp ${n}` } }),
    });
    assert.equal(res.statusCode, 202, res.body);
    const suggestion = await waitFor('a pending note', () =>
      prisma().suggestion.findFirst({ where: { status: 'pending_approval', customer: { externalId }, event: { idempotencyKey: `u-${n}` } } }),
    );
    return suggestion.id;
  }
  async function approve(id: string): Promise<string> {
    const res = await inject('POST', `/api/v1/suggestions/${id}/approve`, { auth: true, contentType: 'application/json', payload: '{}' });
    assert.equal(res.statusCode, 200, res.body);
    return (res.json() as { suggestion: { delivery: { id: string } } }).suggestion.delivery.id;
  }
  const mailFor = (deliveryId: string) => waitFor('the email', async () => smtp.received.find((m) => m.parsed.headers.get('x-rapport-delivery') === deliveryId));
  /** The List-* headers as written on the wire (unfolded). */
  const header = (mail: ReceivedMail, name: string) =>
    new RegExp(`^${name}:[ \\t]*(.*)$`, 'mi').exec(mail.raw.split(/\r?\n\r?\n/)[0]!.replace(/\r?\n[ \t]+/g, ' '))?.[1]?.trim();
  const linkIn = (mail: ReceivedMail) => {
    const m = /<(https:\/\/[^>]+)>/.exec(header(mail, 'List-Unsubscribe') ?? '');
    assert.ok(m, 'List-Unsubscribe has an https link');
    return new URL(m[1]!).pathname;
  };
  const customer = (externalId: string) => prisma().customer.findUniqueOrThrow({ where: { externalId } });
  const optOutAudits = async (customerId: string) => prisma().auditEntry.findMany({ where: { entityId: customerId, action: 'customer.opted_out' } });

  test('every note carries List-Unsubscribe (signed https link + mailto) and List-Unsubscribe-Post: One-Click', async () => {
    const deliveryId = await approve(await pendingNote('cust-1001'));
    const mail = await mailFor(deliveryId);
    const list = header(mail, 'List-Unsubscribe') ?? '';
    assert.match(list, new RegExp(`^<${PUBLIC_URL}/u/[A-Za-z0-9_-]{70}>, <mailto:unsubscribe@rapport\\.example\\?subject=unsubscribe>$`));
    assert.equal(header(mail, 'List-Unsubscribe-Post'), 'List-Unsubscribe=One-Click');
  });

  test('GET shows an accessible confirm form and changes nothing (mail scanners prefetch links)', async () => {
    const jane = await customer('cust-1001');
    const path = `/u/${createUnsubscribeToken(SECRET, jane.id)}`;
    for (let i = 0; i < 3; i++) {
      const res = await inject('GET', path);
      assert.equal(res.statusCode, 200);
      assert.match(String(res.headers['content-type']), /^text\/html/);
      assert.match(res.body, /<html lang="en">/);
      assert.match(res.body, new RegExp(`<form method="post" action="${path}"><button type="submit">Unsubscribe</button></form>`));
    }
    assert.equal((await customer('cust-1001')).optedOut, false);
    assert.equal((await optOutAudits(jane.id)).length, 0);
  });

  test('tampered, expired and garbled tokens are refused with a 400 page that says why; nothing changes', async () => {
    const jane = await customer('cust-1001');
    const good = createUnsubscribeToken(SECRET, jane.id);
    const flipped = `${good.slice(0, 10)}${good[10] === 'A' ? 'B' : 'A'}${good.slice(11)}`;
    const forged = createUnsubscribeToken('another-secret-another-secret-another-secret', jane.id);
    const expired = createUnsubscribeToken(SECRET, jane.id, new Date(Date.now() - 200 * 24 * 3600_000));
    const cases: [string, RegExp][] = [[flipped, /not valid/], [forged, /not valid/], [expired, /has expired/], ['abc', /incomplete/]];
    for (const [t, message] of cases) {
      for (const method of ['GET', 'POST'] as const) {
        const res = await inject(method, `/u/${t}`, method === 'POST' ? { payload: 'List-Unsubscribe=One-Click', contentType: 'application/x-www-form-urlencoded' } : {});
        assert.equal(res.statusCode, 400, `${method} ${t}`);
        assert.match(res.body, message);
      }
    }
    assert.equal((await customer('cust-1001')).optedOut, false);
    assert.equal((await optOutAudits(jane.id)).length, 0);
  });

  test('a one-click POST unsubscribes at once, audited; a note approved afterwards reaches nobody', async () => {
    const sent = await mailFor(await approve(await pendingNote('cust-1001')));
    const waiting = await pendingNote('cust-1001'); // drafted before the opt-out, approved after it
    const res = await inject('POST', linkIn(sent), { payload: 'List-Unsubscribe=One-Click', contentType: 'application/x-www-form-urlencoded' });
    assert.equal(res.statusCode, 200, res.body);
    assert.match(res.body, /You are unsubscribed/);
    const jane = await customer('cust-1001');
    assert.equal(jane.optedOut, true);
    const [audit, ...more] = await optOutAudits(jane.id);
    assert.equal(more.length, 0);
    assert.equal(audit?.actorType, 'system');
    assert.equal(audit?.reason, 'unsubscribe link');
    assert.deepEqual(audit?.data, { method: 'one-click (RFC 8058)' });

    const before = smtp.received.length;
    const deliveryId = await approve(waiting);
    const suppressed = await waitFor('the note suppressed', async () => {
      const s = await prisma().suggestion.findUniqueOrThrow({ where: { id: waiting } });
      return s.status === 'suppressed' ? s : null;
    });
    assert.equal(suppressed.status, 'suppressed');
    assert.equal((await prisma().delivery.findUniqueOrThrow({ where: { id: deliveryId } })).lastError, 'suppressed: opted out');
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(smtp.received.length, before, 'nothing reached the SMTP server');
  });

  test('the confirm button (an empty form POST) and a multipart one-click work; repeats change nothing', async () => {
    const lan = await customer('cust-1002');
    const path = `/u/${createUnsubscribeToken(SECRET, lan.id)}`;
    const first = await inject('POST', path, { payload: '', contentType: 'application/x-www-form-urlencoded' });
    assert.equal(first.statusCode, 200, first.body);
    assert.equal((await customer('cust-1002')).optedOut, true);
    const boundary = 'xYzZY';
    const multipart = `--${boundary}\r\nContent-Disposition: form-data; name="List-Unsubscribe"\r\n\r\nOne-Click\r\n--${boundary}--\r\n`;
    const again = await inject('POST', path, { payload: multipart, contentType: `multipart/form-data; boundary=${boundary}` });
    assert.equal(again.statusCode, 200, again.body);
    const audits = await optOutAudits(lan.id);
    assert.equal(audits.length, 1, 'one audit entry, however often the link is used');
    assert.deepEqual(audits[0]?.data, { method: 'unsubscribe page' });
  });
});
