import { mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import nodemailer, { type SendMailOptions, type Transporter } from 'nodemailer';

export interface SentMail {
  messageId: string;
  /** The SMTP server's final reply (e.g. "250 2.0.0 Ok: queued as …"), or the .eml file written. */
  response: string;
}

export interface Mailer {
  /** "smtp" or "outbox": tests and the health check say which one is in use. */
  kind: 'smtp' | 'outbox';
  send(message: SendMailOptions): Promise<SentMail>;
  close(): Promise<void>;
}

/** A pooled SMTP transport; `SMTP_URL` carries host, port, credentials and TLS (`smtps://`). */
export function createSmtpMailer(smtpUrl: string): Mailer {
  const transport: Transporter = nodemailer.createTransport(`${smtpUrl}${smtpUrl.includes('?') ? '&' : '?'}pool=true`);
  return {
    kind: 'smtp',
    async send(message) {
      const info = await transport.sendMail(message);
      return { messageId: String(info.messageId), response: String(info.response) };
    },
    async close() {
      transport.close();
    },
  };
}

/**
 * Without SMTP_URL mail is never dropped: each message is written as an RFC 5322 `.eml` file under
 * `<dataDir>/outbox/`, atomically (write to a temp name, then rename) so a crash leaves no half file.
 */
export function createOutboxMailer(outboxDir: string): Mailer {
  const transport: Transporter = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  return {
    kind: 'outbox',
    async send(message) {
      const info = await transport.sendMail(message);
      const messageId = String(info.messageId);
      const fileName = `${messageId.replace(/[<>]/g, '').replace(/[^a-zA-Z0-9._@-]/g, '_')}.eml`;
      await mkdir(outboxDir, { recursive: true });
      const target = path.join(outboxDir, fileName);
      await writeFile(`${target}.tmp`, info.message as Buffer);
      await rename(`${target}.tmp`, target);
      return { messageId, response: `written to ${target}` };
    },
    async close() {
      transport.close();
    },
  };
}
