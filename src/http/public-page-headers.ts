/**
 * Headers for the public pages a signed link in an email opens (unsubscribe, gift address): the
 * token in the URL must not travel on to other sites, the page must not be cached or indexed, and
 * it loads nothing but its own inline styles.
 */
export const PUBLIC_PAGE_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  'referrer-policy': 'no-referrer',
  'x-robots-tag': 'noindex',
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
} as const;
