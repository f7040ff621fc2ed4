import Parser from 'rss-parser';
import { decodeFeedBytes } from './decode-feed-bytes.js';
import { extractInlineText, extractText } from './extract-text.js';
import { FeedError } from './feed-errors.js';

export interface ParsedArticle {
  /** Trimmed guid (RSS 2.0), rdf:about (RSS 1.0) or id (Atom); null if absent. */
  guid: string | null;
  /** Absolute http(s) URL, relative links resolved; null if none or not http(s). */
  link: string | null;
  /** Plain text, HTML stripped and entities decoded; '' if none. */
  title: string;
  /** Plain text of the fullest body the item has (content:encoded, content, description, summary). */
  text: string;
  /** Null when missing or unparseable, never an Invalid Date. */
  publishedAt: Date | null;
  /** Canonical BCP 47 tag (e.g. 'vi-VN') of the item, else of the feed; null if undeclared. */
  language: string | null;
}

export interface ParsedFeed {
  title: string | null;
  link: string | null;
  language: string | null;
  articles: ParsedArticle[];
}

export interface ParseFeedOptions {
  /** The HTTP Content-Type header; its charset outranks the XML declaration. */
  contentType?: string | null;
  /** The URL the feed was fetched from, the last resort for resolving relative links. */
  url?: string | null;
}

type RawFields = Record<string, unknown>;

// rss-parser calls `new Date(published).toISOString()` on Atom dates, which throws on an
// unparseable date and would reject the whole feed; renamed, they reach us as raw text.
const ATOM_DATE_TAGS: Record<string, string> = { published: 'rapportPublished', updated: 'rapportUpdated' };

// rss-parser maps the common fields but drops what we need for hardening: element attributes
// (xml:base, xml:lang, rdf:about, isPermaLink), every <link> of an Atom entry, and the raw title.
// `keepArray` makes it copy those through untouched. The cast is needed because rss-parser
// types feed-level custom fields as plain keys although it accepts the same tuples as items.
// A parser per call: xml2js keeps parse state on the instance, and an error part-way through
// one feed must not be able to leak into the next.
const RAW = { keepArray: true };
const createParser = () => new Parser<RawFields, RawFields>({
  // Version-less <rss> documents exist in the wild; read them as RSS 2.0.
  defaultRSS: 2,
  xml2js: {
    tagNameProcessors: [(name: string) => ATOM_DATE_TAGS[name] ?? name],
    // An empty element (<link/>, <entry/>) would be '' and rss-parser reads `.$.rel` on it,
    // so one bare tag would throw away the whole feed. An attribute-less object is safe.
    emptyTag: () => ({ $: {} }),
  },
  customFields: {
    feed: [
      ['$', 'rapportAttributes', RAW],
      ['title', 'rapportTitle', RAW],
      ['link', 'rapportLinks', RAW],
      ['dc:language', 'rapportDcLanguage'],
    ] as unknown as string[],
    item: [
      ['$', 'rapportAttributes', RAW],
      ['title', 'rapportTitle', RAW],
      ['link', 'rapportLinks', RAW],
      ['guid', 'rapportGuid', RAW],
      'rapportPublished',
      'rapportUpdated',
    ],
  },
});

/**
 * Parses RSS 0.9x, RSS 1.0 (RDF), RSS 2.0 and Atom from raw bytes; see decode-feed-bytes.ts
 * for how the encoding is chosen.
 * @throws FeedError RAPPORT_FEED_MALFORMED (not XML, not a feed) or
 *   RAPPORT_FEED_UNSUPPORTED_ENCODING. Never anything else.
 */
export async function parseFeed(body: Buffer, opts: ParseFeedOptions = {}): Promise<ParsedFeed> {
  const { text } = decodeFeedBytes(body, opts.contentType);
  const fetchUrl = resolveHttpUrl(opts.url ?? null, null);
  if (text.trim() === '') throw malformed('the response is empty');
  if (/^\s*(<!--[\s\S]*?-->\s*)*<(!doctype\s+html|html[\s>])/i.test(text)) throw notAFeedButHtml(text, fetchUrl);

  let raw: Awaited<ReturnType<ReturnType<typeof createParser>['parseString']>>;
  try {
    raw = await createParser().parseString(repairCommonDamage(text));
  } catch (error) {
    throw describeParseFailure(error, text);
  }

  const feedAttributes = attributesOf(raw['rapportAttributes']);
  const isAtom = /^([\w-]+:)?feed$/.test(rootElementName(text));
  const documentBase = resolveHttpUrl(feedAttributes['xml:base'] ?? null, fetchUrl) ?? fetchUrl;
  const feedLink = resolveHttpUrl(chooseLink(raw['rapportLinks']), documentBase);
  // Atom resolves relative references against xml:base or the document URL (RFC 4287 §2);
  // RSS has no such rule, and resolving against the channel's own site link matches
  // what publishers mean when a feed is served from a different host (a CDN, FeedBurner).
  const articleBase = isAtom ? (documentBase ?? feedLink) : (feedLink ?? fetchUrl);
  const feedLanguage =
    canonicalLanguage(raw.language) ?? canonicalLanguage(raw['rapportDcLanguage']) ?? canonicalLanguage(feedAttributes['xml:lang']);

  return {
    title: extractInlineText(textOf(raw['rapportTitle']) ?? textOf(raw.title) ?? '') || null,
    link: feedLink,
    language: feedLanguage,
    articles: raw.items
      .map((item) => toArticle(item, articleBase, feedLanguage))
      // An item with no title, text or link cannot be shown or matched; an empty <item/>
      // left by a broken CMS template would otherwise become a stream of identical hashes.
      .filter((article) => article.title !== '' || article.text !== '' || article.link !== null),
  };
}

function toArticle(item: RawFields, base: string | null, feedLanguage: string | null): ParsedArticle {
  const attributes = attributesOf(item['rapportAttributes']);
  const itemBase = resolveHttpUrl(attributes['xml:base'] ?? null, base) ?? base;
  const guidElement = firstOf(item['rapportGuid']);
  const guid = nonEmpty(textOf(guidElement) ?? textOf(item['id']) ?? attributes['rdf:about']);

  let link = resolveHttpUrl(chooseLink(item['rapportLinks']), itemBase);
  // RSS 2.0: a guid is the item's permalink unless it says isPermaLink="false".
  if (!link && guid && item['rapportGuid'] && attributesOf(guidElement)['isPermaLink'] !== 'false') {
    link = resolveHttpUrl(guid, null);
  }

  const bodies = [item['content:encoded'], item['content'], item['summary']];
  const text = bodies.map((body) => extractText(textOf(body) ?? '')).find((t) => t !== '') ?? '';
  const rawDates = [item['rapportPublished'], item['pubDate'], item['date'], item['rapportUpdated']];

  return {
    guid,
    link,
    title: extractInlineText(textOf(item['rapportTitle']) ?? textOf(item['title']) ?? ''),
    text,
    publishedAt: rawDates.map((d) => parseFeedDate(textOf(d))).find((d) => d !== null) ?? null,
    language: canonicalLanguage(item['language']) ?? canonicalLanguage(attributes['xml:lang']) ?? feedLanguage,
  };
}

/** The text of an xml2js value: a string, `{ _: text, $: attributes }`, or nested elements (Atom xhtml). */
function textOf(value: unknown): string | null {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) {
    const parts = value.map(textOf).filter((part): part is string => part !== null);
    return parts.length > 0 ? parts.join(' ') : null;
  }
  if (value === null || typeof value !== 'object') return null;
  // xml2js separates an element's own text from its children, so the word order of mixed
  // content like <div>Hi <b>there</b></div> is approximate; only Atom xhtml titles hit this.
  const parts = Object.entries(value)
    .filter(([key]) => key !== '$')
    .map(([, child]) => textOf(child))
    .filter((part): part is string => part !== null);
  return parts.length > 0 ? parts.join(' ') : null;
}

function firstOf(value: unknown): unknown {
  return Array.isArray(value) ? value[0] : value;
}

function attributesOf(value: unknown): Record<string, string> {
  const element = firstOf(value);
  const attributes = element !== null && typeof element === 'object' && '$' in element ? element.$ : element;
  if (attributes === null || typeof attributes !== 'object') return {};
  return Object.fromEntries(
    Object.entries(attributes).filter((entry): entry is [string, string] => typeof entry[1] === 'string'),
  );
}

function nonEmpty(value: string | null | undefined): string | null {
  const trimmed = value?.trim() ?? '';
  return trimmed === '' ? null : trimmed;
}

/** The page link among an element's <link>s: RSS text links, or Atom's rel="alternate" (the default rel). */
function chooseLink(links: unknown): string | null {
  if (!Array.isArray(links)) return null;
  for (const link of links) {
    if (typeof link === 'string') return link;
    const attributes = attributesOf(link);
    if (attributes['href'] && (attributes['rel'] ?? 'alternate') === 'alternate') return attributes['href'];
    const inner = textOf(link);
    if (!attributes['href'] && inner) return inner;
  }
  return null;
}

/** An absolute http(s) URL, or null: feeds must not hand us javascript: or file: links. */
function resolveHttpUrl(reference: string | null, base: string | null): string | null {
  const trimmed = reference?.trim() ?? '';
  if (trimmed === '') return null;
  try {
    const url = new URL(trimmed, base ?? undefined);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
  } catch {
    return null;
  }
}

function canonicalLanguage(value: unknown): string | null {
  const tag = nonEmpty(textOf(value));
  if (!tag) return null;
  try {
    return Intl.getCanonicalLocales(tag.replace(/_/g, '-'))[0] ?? null;
  } catch {
    return null;
  }
}

// Zone abbreviations seen in feeds that JavaScript's Date.parse does not know (it knows
// UT, GMT, Z and the North American ones). Ambiguous ones such as IST are left out.
const ZONE_OFFSETS: Record<string, string> = {
  ICT: '+0700', WIB: '+0700', IRST: '+0330', IRDT: '+0430', CET: '+0100', CEST: '+0200',
  EET: '+0200', EEST: '+0300', BST: '+0100', SGT: '+0800', HKT: '+0800', JST: '+0900',
  KST: '+0900', AEST: '+1000', AEDT: '+1100',
};

/** RFC 822 (RSS) and ISO 8601 (Atom, dc:date) dates; null rather than a guess or Invalid Date. */
export function parseFeedDate(raw: string | null): Date | null {
  const value = raw?.trim() ?? '';
  // Date.parse reads "1" as the year 2001; demand something shaped like a real date.
  if (!/\d{4}|\b\d{1,2}\s+[A-Za-z]{3}\s+\d{2}\b/.test(value)) return null;
  const withOffset = value.replace(/\b([A-Z]{3,4})$/, (zone) => ZONE_OFFSETS[zone] ?? zone);
  const time = Date.parse(withOffset);
  return Number.isNaN(time) ? null : new Date(time);
}

// Undo the two breakages most feeds that "work in the browser" have, without moving any
// character to another line (error positions stay true): a bare "&" (AT&T) and control
// characters XML 1.0 forbids. Inside CDATA this turns "&" into "&amp;", which reads the same
// because all feed text is decoded as HTML afterwards.
function repairCommonDamage(xml: string): string {
  return xml
    .replace(/&(?!#\d+;|#x[0-9a-fA-F]+;|[A-Za-z][A-Za-z0-9]*;)/g, '&amp;')
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '');
}

function malformed(message: string, cause?: unknown): FeedError {
  return new FeedError('RAPPORT_FEED_MALFORMED', message, { cause });
}

function describeParseFailure(error: unknown, text: string): FeedError {
  if (error instanceof FeedError) return error;
  const message = error instanceof Error ? error.message : String(error);
  // sax reports "Unexpected close tag\nLine: 11\nColumn: 10\nChar: >" with 0-based lines.
  const position = /^(.*)\nLine: (\d+)\nColumn: (\d+)/.exec(message);
  if (position) {
    const [, reason = '', line = '0', column = '0'] = position;
    const lineText = text.split('\n')[Number(line)] ?? '';
    const near = lineText.slice(Math.max(0, Number(column) - 30), Number(column)).trim();
    const context = near === '' ? '' : ` near "${near}"`;
    const what = reason.charAt(0).toLowerCase() + reason.slice(1).replace(/\.$/, '');
    return malformed(`not well-formed XML at line ${Number(line) + 1}: ${what}${context}`, error);
  }
  // "Feed not recognized", or rss-parser tripping over a missing <channel> (a TypeError).
  if (/not recognized|default RSS version/.test(message) || error instanceof TypeError) {
    return malformed(`not an RSS or Atom feed: the document's root element is <${rootElementName(text)}>`, error);
  }
  if (/Unable to parse XML/.test(message)) return malformed('no XML element found in the document', error);
  return malformed(`could not read the feed: ${message}`, error);
}

function rootElementName(xml: string): string {
  const withoutProlog = xml.replace(/<!--[\s\S]*?-->/g, '').replace(/<[?!][\s\S]*?>/g, '');
  return /<([A-Za-z_][\w:.-]*)/.exec(withoutProlog)?.[1] ?? 'unknown';
}

function notAFeedButHtml(html: string, pageUrl: string | null): FeedError {
  // Point the user at the page's advertised feed, the usual fix for "I pasted the site URL".
  const tag = /<link\b[^>]*type=["']application\/(?:rss|atom)\+xml["'][^>]*>/i.exec(html)?.[0] ?? '';
  const advertised = resolveHttpUrl(/href=["']([^"']+)["']/i.exec(tag)?.[1] ?? null, pageUrl);
  const hint = advertised ? `; the page links to a feed at ${advertised}` : '';
  return malformed(`not a feed: the URL returned an HTML page${hint}`);
}
