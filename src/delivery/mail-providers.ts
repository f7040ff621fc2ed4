import { domainToASCII } from 'node:url';

/**
 * Recipient domains that one receiving mail system answers for. SMTP_MAX_PER_DOMAIN protects the
 * receiver, and a receiver throttles a sender by its own measure, not by the domain written after
 * the `@`: three connections to gmail.com and three more to googlemail.com are six to Google. So
 * the domain slots count every domain of a group under one name, the group's first domain.
 *
 * Built in: the big consumer mailbox providers whose domains share their MX hosts (Google, Microsoft's
 * consumer mail, Yahoo with AOL, Apple). Company domains that share one mail system (a group's
 * country domains on one Microsoft 365 tenant, say) are configured with SMTP_DOMAIN_GROUPS.
 */
export const WELL_KNOWN_MAIL_PROVIDERS: readonly (readonly string[])[] = [
  ['gmail.com', 'googlemail.com'],
  [
    'outlook.com', 'hotmail.com', 'live.com', 'msn.com', 'passport.com', 'windowslive.com',
    'hotmail.co.uk', 'hotmail.fr', 'hotmail.de', 'hotmail.it', 'hotmail.es', 'outlook.fr', 'outlook.de', 'live.co.uk', 'live.fr', 'live.de',
  ],
  ['yahoo.com', 'ymail.com', 'rocketmail.com', 'yahoo.co.uk', 'yahoo.fr', 'yahoo.de', 'aol.com', 'aim.com'],
  ['icloud.com', 'me.com', 'mac.com'],
];

/**
 * The name the domain slots count `domain` under: the first domain of its group, or the domain
 * itself. `configured` groups come first: a domain listed there leaves its built-in group.
 * Domains are compared in their ASCII form, lower-cased, so an internationalised domain counts as
 * one whether an address spells it in Thai script or in punycode (`ตัวอย่าง.ไทย`, `xn--72c1a1bt4awk9o.xn--o3cw4h`).
 */
export function mailProviderOf(configured: readonly (readonly string[])[] = []): (domain: string) => string {
  const provider = new Map<string, string>();
  for (const group of [...configured, ...WELL_KNOWN_MAIL_PROVIDERS]) {
    const [name, ...rest] = group.map(asciiDomain);
    if (name === undefined) continue;
    for (const domain of [name, ...rest]) if (!provider.has(domain)) provider.set(domain, name);
  }
  return (domain) => {
    const key = asciiDomain(domain);
    return provider.get(key) ?? key;
  };
}

/** The domain's ASCII (punycode) form in lower case; as written, lower-cased, when it is not a valid domain name. */
function asciiDomain(domain: string): string {
  const lower = domain.trim().toLowerCase();
  return domainToASCII(lower) || lower;
}

const DOMAIN = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+$/;

/**
 * Parses SMTP_DOMAIN_GROUPS: groups separated by `;`, the domains of a group by `,`
 * (`acme.com,acme.de,acme.fr; globex.com,globex.io`). Returns the groups in lower case, or the
 * first problem found, saying which domain or group is wrong and why.
 */
export function parseDomainGroups(text: string): { groups: string[][] } | { error: string } {
  const groups: string[][] = [];
  const seen = new Map<string, number>();
  const parts = text.split(';').map((part) => part.trim()).filter(Boolean);
  for (const [g, part] of parts.entries()) {
    const domains = part.split(',').map((d) => d.trim().toLowerCase());
    if (domains.some((d) => d === '')) return { error: `group ${g + 1} ("${part}") has an empty domain: separate domains with one comma` };
    if (domains.length < 2) return { error: `group ${g + 1} ("${part}") names one domain; a group needs two or more` };
    for (const domain of domains) {
      // Internationalised names are welcome (ตัวอย่าง.ไทย); they are checked in their ASCII form.
      const ascii = domainToASCII(domain);
      if (!DOMAIN.test(ascii)) return { error: `"${domain}" in group ${g + 1} is not a domain name (expected e.g. acme.com)` };
      const earlier = seen.get(ascii);
      if (earlier !== undefined) return { error: `"${domain}" is in group ${earlier + 1} and in group ${g + 1}; a domain belongs to one group` };
      seen.set(ascii, g);
    }
    groups.push(domains);
  }
  return { groups };
}
