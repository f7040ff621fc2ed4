import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { createSmtpMailer, type Mailer } from '../../src/infra/mailer.js';

// SMTP_URL carries the transport's TLS options as nodemailer reads them from a URL's query:
// `smtps://` for implicit TLS, STARTTLS when the server offers it, `requireTLS=true` to refuse
// plain text, `tls.rejectUnauthorized=false` for a relay with a self-signed certificate.

interface TlsSink {
  url(scheme: 'smtp' | 'smtps', query?: string): string;
  /** Whether each message received came over TLS. */
  received: boolean[];
  close(): Promise<void>;
}

/**
 * smtp-server with its own certificate for localhost (self-signed, and expired by now: either way
 * not one a client trusts): implicit TLS, STARTTLS, or neither.
 */
async function startSink(mode: 'implicit' | 'starttls' | 'plain'): Promise<TlsSink> {
  const received: boolean[] = [];
  const server = new SMTPServer({
    secure: mode === 'implicit',
    authOptional: true,
    logger: false,
    ...(mode === 'plain' ? { disabledCommands: ['STARTTLS'] } : {}),
    onData(stream, session, callback) {
      stream.on('data', () => undefined);
      stream.on('end', () => {
        received.push(session.secure);
        callback();
      });
    },
  });
  // A client that gives up on the certificate aborts the handshake: the server reports it, not us.
  server.on('error', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    url: (scheme, query) => `${scheme}://127.0.0.1:${port}${query ? `?${query}` : ''}`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const mailers: Mailer[] = [];
const sinks: TlsSink[] = [];
after(async () => {
  for (const m of mailers) await m.close();
  for (const s of sinks) await s.close();
});

const message = { from: 'notes@rapport.example', to: 'ana@customer.example', subject: 'Thank you', text: 'Thank you for your order.' };
const mailerFor = (url: string) => {
  const mailer = createSmtpMailer(url);
  mailers.push(mailer);
  return mailer;
};
const sink = async (mode: 'implicit' | 'starttls' | 'plain') => {
  const s = await startSink(mode);
  sinks.push(s);
  return s;
};

test('smtps:// checks the relay\'s certificate, and tls.rejectUnauthorized=false accepts one it cannot trust', async () => {
  const relay = await sink('implicit');
  await assert.rejects(mailerFor(relay.url('smtps')).send(message), /certificate/i);
  assert.deepEqual(relay.received, [], 'nothing sent without a trusted certificate');
  await mailerFor(relay.url('smtps', 'tls.rejectUnauthorized=false')).send(message);
  assert.deepEqual(relay.received, [true], 'sent over TLS');
});

test('smtp:// upgrades with STARTTLS when the relay offers it', async () => {
  const relay = await sink('starttls');
  await mailerFor(relay.url('smtp', 'tls.rejectUnauthorized=false')).send(message);
  assert.deepEqual(relay.received, [true]);
});

test('requireTLS=true refuses to send in plain text to a relay without STARTTLS', async () => {
  const relay = await sink('plain');
  await assert.rejects(mailerFor(relay.url('smtp', 'requireTLS=true')).send(message), /STARTTLS/i);
  assert.deepEqual(relay.received, [], 'nothing sent in plain text');
  await mailerFor(relay.url('smtp')).send(message);
  assert.deepEqual(relay.received, [false], 'without requireTLS, plain text is allowed');
});
