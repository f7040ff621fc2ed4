import type { SendMailOptions } from 'nodemailer';
import type { MailAddress } from './note-sender.js';

const escapeHtml = (s: string) =>
  s.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;').replaceAll("'", '&#39;');

const RTL_LANGUAGES = new Set(['fa', 'ar', 'he', 'ur', 'ps', 'ckb', 'yi']);
export const isRightToLeft = (locale: string) => RTL_LANGUAGES.has(locale.split('-')[0]?.toLowerCase() ?? '');

/**
 * Builds the multipart email for a note: the text part is the note as approved, the HTML part is
 * the same text escaped into paragraphs (with dir="rtl" for Persian and other RTL languages).
 * With `unsubscribe`, it carries `List-Unsubscribe` (the signed link, and a mailto when configured)
 * and `List-Unsubscribe-Post: List-Unsubscribe=One-Click` (RFC 8058), so mail clients can offer
 * an unsubscribe button that works with one POST.
 */
export function buildEmailMessage(args: {
  messageId: string;
  from: string | MailAddress;
  replyTo?: string | MailAddress | null;
  to: { name: string; address: string };
  subject: string;
  body: string;
  locale: string;
  deliveryId: string;
  unsubscribe?: { url: string; mailto?: string | undefined } | undefined;
}): SendMailOptions {
  const dir = isRightToLeft(args.locale) ? 'rtl' : 'ltr';
  const paragraphs = args.body
    .trim()
    .split(/\n{2,}/)
    .map((p) => `<p>${escapeHtml(p).replaceAll('\n', '<br>')}</p>`)
    .join('\n');
  return {
    messageId: args.messageId,
    from: args.from,
    ...(args.replyTo ? { replyTo: args.replyTo } : {}),
    to: { name: args.to.name, address: args.to.address },
    subject: args.subject,
    text: args.body,
    html: `<!doctype html><html lang="${escapeHtml(args.locale)}" dir="${dir}"><body>\n${paragraphs}\n</body></html>`,
    headers: {
      'X-Rapport-Delivery': args.deliveryId,
      'Content-Language': args.locale,
      ...(args.unsubscribe ? listUnsubscribeHeaders(args.unsubscribe) : {}),
    },
  };
}

function listUnsubscribeHeaders(u: { url: string; mailto?: string | undefined }): Record<string, string> {
  // RFC 8058 requires an https (or http) URI in List-Unsubscribe for the one-click POST; the
  // mailto is a fallback for clients that only know RFC 2369.
  const targets = [`<${u.url}>`, ...(u.mailto ? [`<mailto:${u.mailto}?subject=unsubscribe>`] : [])];
  return { 'List-Unsubscribe': targets.join(', '), 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' };
}
