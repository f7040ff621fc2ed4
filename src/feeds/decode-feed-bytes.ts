import iconv from 'iconv-lite';
import { FeedError } from './feed-errors.js';

/** Where the encoding used to decode a feed came from, strongest first. */
export type EncodingSource = 'bom' | 'content-type' | 'xml-declaration' | 'sniffed' | 'default';

export interface DecodedFeedText {
  text: string;
  /** Canonical name of the encoding actually used, e.g. 'utf-8', 'windows-1252'. */
  encoding: string;
  source: EncodingSource;
}

/**
 * Turns the raw bytes of a feed into text, choosing the encoding the way RFC 7303 §3 says for
 * XML media types: a byte order mark wins; otherwise the charset parameter of the HTTP
 * Content-Type header is authoritative over the document's own `<?xml encoding="..."?>`
 * (the server may have transcoded the document, and only the header travels with the bytes);
 * otherwise the XML declaration; otherwise UTF-8, the XML default.
 *
 * One deliberate departure: a feed that declares nothing but is not valid UTF-8 is decoded as
 * windows-1252. The XML spec would call it an error, but in practice it is always a legacy
 * Western feed, and rejecting it would lose the feed for a problem its readers never see.
 *
 * @throws FeedError RAPPORT_FEED_UNSUPPORTED_ENCODING when the chosen label is unknown.
 */
export function decodeFeedBytes(body: Buffer, contentType?: string | null): DecodedFeedText {
  const bomEncoding = encodingFromByteOrderMark(body);
  if (bomEncoding) return decodeAs(body, bomEncoding, 'bom');

  const headerLabel = charsetFromContentType(contentType);
  if (headerLabel) return decodeAs(body, canonicalEncoding(headerLabel, 'Content-Type header'), 'content-type');

  const utf16 = sniffUtf16WithoutBom(body);
  if (utf16) return decodeAs(body, utf16, 'sniffed');

  const declaredLabel = encodingFromXmlDeclaration(body);
  // An ASCII-readable declaration cannot truthfully claim UTF-16 (XML 1.0 appendix F):
  // the file was re-saved as 8-bit and the declaration left behind, so fall through to UTF-8.
  if (declaredLabel && !/^utf-?16/i.test(declaredLabel)) {
    return decodeAs(body, canonicalEncoding(declaredLabel, 'XML declaration'), 'xml-declaration');
  }

  if (isValidUtf8(body)) return decodeAs(body, 'utf-8', 'default');
  return decodeAs(body, 'windows-1252', 'sniffed');
}

/** The charset parameter of a Content-Type header value, unquoted, or null when absent. */
export function charsetFromContentType(contentType: string | null | undefined): string | null {
  if (!contentType) return null;
  const match = /;\s*charset\s*=\s*("([^"]*)"|[^;\s]*)/i.exec(contentType);
  const label = (match?.[2] ?? match?.[1] ?? '').trim();
  return label === '' ? null : label;
}

// Labels that browsers (WHATWG Encoding Standard) decode with a superset encoding. Feeds
// labelled ISO-8859-1 routinely contain windows-1252 curly quotes and the euro sign in
// 0x80–0x9F, and TIS-620 feeds the same punctuation from windows-874; decoding them strictly
// would turn those into invisible C1 control characters.
const SUPERSET_BY_LABEL_KEY: Record<string, string> = {
  usascii: 'windows-1252',
  ascii: 'windows-1252',
  iso88591: 'windows-1252',
  iso885911987: 'windows-1252',
  latin1: 'windows-1252',
  l1: 'windows-1252',
  cp1252: 'windows-1252',
  windows1252: 'windows-1252',
  xcp1252: 'windows-1252',
  tis620: 'windows-874',
  iso885911: 'windows-874',
  windows874: 'windows-874',
  cp874: 'windows-874',
  dos874: 'windows-874',
  iso88599: 'windows-1254',
  latin5: 'windows-1254',
  utf8: 'utf-8',
  unicode11utf8: 'utf-8',
};

/**
 * Maps an encoding label to the name we decode with.
 * @throws FeedError RAPPORT_FEED_UNSUPPORTED_ENCODING naming the label and where it came from.
 */
export function canonicalEncoding(label: string, foundIn: string): string {
  const key = label.toLowerCase().replace(/[^a-z0-9]/g, '');
  const superset = SUPERSET_BY_LABEL_KEY[key];
  if (superset) return superset;
  if (key !== '' && iconv.encodingExists(key)) return label.toLowerCase();
  throw new FeedError(
    'RAPPORT_FEED_UNSUPPORTED_ENCODING',
    `unsupported character encoding "${label}" in the ${foundIn}`,
  );
}

function decodeAs(body: Buffer, encoding: string, source: EncodingSource): DecodedFeedText {
  // iconv-lite strips a leading byte order mark for the UTF encodings, so the XML parser
  // never sees U+FEFF before the first tag.
  return { text: iconv.decode(body, encoding), encoding, source };
}

function encodingFromByteOrderMark(body: Buffer): string | null {
  if (body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf) return 'utf-8';
  if (body[0] === 0xfe && body[1] === 0xff) return 'utf-16be';
  if (body[0] === 0xff && body[1] === 0xfe) return 'utf-16le';
  return null;
}

// "<?" in UTF-16 without a byte order mark, as listed in XML 1.0 appendix F.
function sniffUtf16WithoutBom(body: Buffer): string | null {
  if (body[0] === 0x3c && body[1] === 0x00 && body[2] === 0x3f && body[3] === 0x00) return 'utf-16le';
  if (body[0] === 0x00 && body[1] === 0x3c && body[2] === 0x00 && body[3] === 0x3f) return 'utf-16be';
  return null;
}

function encodingFromXmlDeclaration(body: Buffer): string | null {
  // The declaration is ASCII in every encoding we can read this way; latin1 maps bytes 1:1.
  const head = body.subarray(0, 1024).toString('latin1');
  // Leading whitespace is not allowed before the declaration, but is common and harmless.
  const declaration = /^\s*<\?xml\s[^>]*?\?>/.exec(head)?.[0];
  if (!declaration) return null;
  return /\sencoding\s*=\s*["']([^"']+)["']/.exec(declaration)?.[1]?.trim() ?? null;
}

function isValidUtf8(body: Buffer): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(body);
    return true;
  } catch {
    return false;
  }
}
