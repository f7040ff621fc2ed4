import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface CountingSink {
  url: string;
  /** Delivery ids (X-Rapport-Delivery) in the order their messages were accepted, and when (ms since the epoch). */
  accepted: { deliveryId: string; domain: string; at: number }[];
  /** The most messages ever in progress at once for a recipient domain (or what `countAs` counts it as). */
  maxInFlight(domain: string): number;
  close(): Promise<void>;
}

/**
 * A real SMTP server that holds each message for `holdMs` before accepting it, and counts how many
 * messages per recipient domain are in progress at once — the number a per-domain cap must bound.
 * `refuse` may turn recipients away with an SMTP error code; `countAs` counts several domains as one
 * (a mail provider's).
 */
export async function startDomainCountingSink(opts: {
  holdMs: number;
  refuse?: (address: string) => { code: number; message: string } | null;
  countAs?: (domain: string) => string;
}): Promise<CountingSink> {
  const inFlight = new Map<string, number>();
  const max = new Map<string, number>();
  const accepted: CountingSink['accepted'] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    // `refuse` answers RCPT TO as a real server would: 4xx try later, 5xx never.
    onRcptTo(address, _session, callback) {
      const refusal = opts.refuse?.(address.address);
      if (!refusal) return callback();
      callback(Object.assign(new Error(refusal.message), { responseCode: refusal.code }));
    },
    onData(stream, session, callback) {
      const recipientDomain = session.envelope.rcptTo[0]?.address.split('@').pop()?.toLowerCase() ?? '';
      const domain = opts.countAs?.(recipientDomain) ?? recipientDomain;
      const now = (inFlight.get(domain) ?? 0) + 1;
      inFlight.set(domain, now);
      max.set(domain, Math.max(max.get(domain) ?? 0, now));
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        setTimeout(() => {
          inFlight.set(domain, (inFlight.get(domain) ?? 1) - 1);
          const deliveryId = /^X-Rapport-Delivery: (.+)$/im.exec(Buffer.concat(chunks).toString('utf8'))?.[1]?.trim() ?? '';
          accepted.push({ deliveryId, domain, at: Date.now() });
          callback();
        }, opts.holdMs);
      });
    },
  });
  // A client killed mid-message resets its connection; a real server logs that and carries on.
  server.on('error', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    accepted,
    maxInFlight: (domain) => max.get(domain) ?? 0,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
