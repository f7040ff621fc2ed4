import type { SendMailOptions } from 'nodemailer';

const escapeHtml = (s: string) =>
  s.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;').replaceAll("'", '&#39;');

const RTL_LANGUAGES = new Set(['fa', 'ar', 'he', 'ur', 'ps', 'ckb', 'yi']);
export const isRightToLeft = (locale: string) => RTL_LANGUAGES.has(locale.split('-')[0]?.toLowerCase() ?? '');

/**
 * Builds the multipart email for a note: the text part is the note as approved, the HTML part is
 * the same text escaped into paragraphs (with dir="rtl" for Persian and other RTL languages).
 */
export function buildEmailMessage(args: {
  messageId: string;
  from: string;
  replyTo?: string | null;
  to: { name: string; address: string };
  subject: string;
  body: string;
  locale: string;
  deliveryId: string;
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
    headers: { 'X-Rapport-Delivery': args.deliveryId, 'Content-Language': args.locale },
  };
}
