import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { SYSTEM } from '../../src/audit/audit-log.js';
import { seedDemo } from '../../src/demo/seed-demo.js';
import { deliverEmail, type EmailDeliveryDeps } from '../../src/delivery/send-email.js';
import { recordEvent } from '../../src/events/record-event.js';
import { createSmtpMailer } from '../../src/infra/mailer.js';
import { approveSuggestion } from '../../src/notes/decide-suggestion.js';
import { NoteTemplates } from '../../src/notes/note-templates.js';
import { evaluateEvent } from '../../src/triggers/evaluate-event.js';
import { freshDatabase } from '../helpers/test-services.js';
import { startSmtpSink } from '../helpers/smtp-sink.js';

// Who a note is from: the account manager when their domain is verified for our relay, otherwise
// the verified sender in their name — with replies reaching the account manager either way.
describe('email sender', () => {
  let database: Awaited<ReturnType<typeof freshDatabase>>;
  let smtp: Awaited<ReturnType<typeof startSmtpSink>>;
  let mailer: ReturnType<typeof createSmtpMailer>;
  const templates = new NoteTemplates('templates');
  let n = 0;

  before(async () => {
    database = await freshDatabase();
    smtp = await startSmtpSink();
    mailer = createSmtpMailer(smtp.url);
    await seedDemo(database.db.prisma);
  });
  after(async () => {
    await mailer?.close();
    await smtp?.close();
    await database?.drop();
  });

  /** Sends one approved note to Lan (owned by Mai Nguyen) with the given sender settings. */
  async function sendNote(deps: Partial<EmailDeliveryDeps>) {
    const prisma = database.db.prisma;
    const { event } = await recordEvent(prisma, { type: 'purchase', externalId: 'cust-1002', occurredAt: new Date().toISOString(), idempotencyKey: `s-${++n}`, data: { product: `Item ${n}` } }, SYSTEM);
    const { suggestionId } = await evaluateEvent({ prisma, templates, frequencyCapDays: 0 }, event.id);
    const { delivery } = await approveSuggestion(prisma, { id: suggestionId!, actor: SYSTEM });
    assert.equal(await deliverEmail({ prisma, mailer, mailFrom: 'notes@sender.example', ...deps }, delivery.id), 'sent');
    const mail = smtp.received.find((m) => m.parsed.headers.get('x-rapport-delivery') === delivery.id);
    assert.ok(mail, 'the sink received the note');
    return mail;
  }

  test('a verified domain: From and Reply-To are the account manager, and so is the envelope sender', async () => {
    const mail = await sendNote({ verifiedDomains: ['other.example', 'rapport.example'] });
    assert.deepEqual(mail.parsed.from?.value, [{ name: 'Mai Nguyen', address: 'mai.nguyen@rapport.example' }]);
    assert.deepEqual(mail.parsed.replyTo?.value, [{ name: 'Mai Nguyen', address: 'mai.nguyen@rapport.example' }]);
    assert.equal(mail.envelope.from, 'mai.nguyen@rapport.example');
  });

  test('an unverified domain: From is the verified sender "via Rapport", Reply-To the account manager', async () => {
    for (const verifiedDomains of [[], ['sender.example'], ['sub.rapport.example']]) {
      const mail = await sendNote({ verifiedDomains });
      assert.deepEqual(mail.parsed.from?.value, [{ name: 'Mai Nguyen via Rapport', address: 'notes@sender.example' }], `verified: ${verifiedDomains.join(',')}`);
      assert.deepEqual(mail.parsed.replyTo?.value, [{ name: 'Mai Nguyen', address: 'mai.nguyen@rapport.example' }]);
      assert.equal(mail.envelope.from, 'notes@sender.example');
    }
  });

  test('MAIL_VERIFIED_DOMAINS is a comma list, case-insensitive; a malformed one is a config error', async () => {
    const { loadConfig, ConfigError } = await import('../../src/config.js');
    assert.deepEqual(loadConfig({ MAIL_VERIFIED_DOMAINS: ' Rapport.Example , sales.rapport.example' }).mail.verifiedDomains, ['rapport.example', 'sales.rapport.example']);
    assert.deepEqual(loadConfig({}).mail.verifiedDomains, []);
    assert.throws(() => loadConfig({ MAIL_VERIFIED_DOMAINS: 'rapport.example;x y' }), (e: unknown) => e instanceof ConfigError && e.problems[0]?.variable === 'MAIL_VERIFIED_DOMAINS');
  });
});
