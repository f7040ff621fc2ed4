export interface MailAddress {
  name: string;
  address: string;
}

/**
 * Who a note is from. A note should come from the account manager who approved it — but only a
 * domain whose SPF/DKIM cover our SMTP relay may appear in From, or receivers (DMARC) junk it. So:
 * - the assignee's domain is in MAIL_VERIFIED_DOMAINS → From and Reply-To are the assignee;
 * - otherwise → From is the verified MAIL_FROM with the assignee's name ("Mai Nguyen via Rapport"),
 *   and replies still reach the assignee through Reply-To;
 * - no assignee → MAIL_FROM alone.
 */
export function noteSender(args: {
  mailFrom: string;
  verifiedDomains: readonly string[];
  assignee: { name: string; email: string } | null;
}): { from: string | MailAddress; replyTo?: MailAddress } {
  const { assignee } = args;
  if (!assignee) return { from: args.mailFrom };
  const person: MailAddress = { name: assignee.name, address: assignee.email };
  const domain = assignee.email.split('@').pop()?.toLowerCase() ?? '';
  if (args.verifiedDomains.includes(domain)) return { from: person, replyTo: person };
  return { from: { name: `${assignee.name} via Rapport`, address: args.mailFrom }, replyTo: person };
}
