import { createHash } from 'node:crypto';
import type { ParsedArticle } from './parse-feed.js';

// Query parameters that only say how a reader arrived; the same article shared through a
// newsletter and through social media must produce one key, or its note is drafted twice.
const TRACKING_PARAMETER = /^(utm_.*|fbclid|gclid|mc_cid|mc_eid)$/i;

/**
 * The identity of an article within its feed, used to notice each story once:
 * 'guid:<guid>' when the feed gives one (publishers promise it is stable), else
 * 'link:<canonical link>', else 'hash:<sha256>' of the normalised title and text.
 * Keys are only unique per feed; callers scope them by feed.
 */
export function articleDedupeKey(article: ParsedArticle): string {
  if (article.guid !== null && article.guid.trim() !== '') return `guid:${article.guid.trim()}`;
  if (article.link !== null && article.link.trim() !== '') return `link:${canonicalArticleLink(article.link)}`;
  const content = `${normaliseForHash(article.title)}\n${normaliseForHash(article.text)}`;
  return `hash:${createHash('sha256').update(content).digest('hex')}`;
}

/**
 * A link reduced to what identifies the page: https scheme (sites move from http to https and
 * their old articles must not reappear as new), lower-case host without default port, no
 * fragment, no tracking parameters, no trailing slash.
 */
export function canonicalArticleLink(link: string): string {
  let url: URL;
  try {
    url = new URL(link.trim());
  } catch {
    return link.trim();
  }
  // Filter the raw pairs rather than use URLSearchParams, which would re-encode the ones kept.
  const kept = url.search
    .slice(1)
    .split('&')
    .filter((pair) => pair !== '' && !TRACKING_PARAMETER.test(pair.split('=')[0] ?? ''));
  const search = kept.length > 0 ? `?${kept.join('&')}` : '';
  const path = url.pathname.replace(/\/+$/, '');
  const port = url.port === '' || url.port === '443' ? '' : `:${url.port}`;
  return `https://${url.hostname}${port}${path}${search}`;
}

function normaliseForHash(text: string): string {
  return text.normalize('NFC').toLowerCase().replace(/\s+/g, ' ').trim();
}
