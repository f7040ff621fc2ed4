/**
 * Why fetching or parsing a feed failed. Every failure in src/feeds/ surfaces as a FeedError
 * so the poll job can decide in one place whether to retry (`retryable`) or to count the
 * failure towards the feed's error state, and so the UI can show `message` as-is.
 */
export const FEED_ERROR_CODES = [
  'RAPPORT_FEED_MALFORMED',
  'RAPPORT_FEED_TIMEOUT',
  'RAPPORT_FEED_TOO_LARGE',
  'RAPPORT_FEED_HTTP_STATUS',
  'RAPPORT_FEED_TOO_MANY_REDIRECTS',
  'RAPPORT_FEED_NETWORK',
  'RAPPORT_FEED_UNSUPPORTED_ENCODING',
] as const;

export type FeedErrorCode = (typeof FEED_ERROR_CODES)[number];

// Whether trying again soon could succeed without anyone changing the feed or its URL.
// HTTP status errors decide per status (see fetch-feed.ts), so their default is only a fallback.
const RETRYABLE_BY_DEFAULT: Record<FeedErrorCode, boolean> = {
  RAPPORT_FEED_MALFORMED: false,
  RAPPORT_FEED_TIMEOUT: true,
  RAPPORT_FEED_TOO_LARGE: false,
  RAPPORT_FEED_HTTP_STATUS: false,
  RAPPORT_FEED_TOO_MANY_REDIRECTS: false,
  RAPPORT_FEED_NETWORK: true,
  RAPPORT_FEED_UNSUPPORTED_ENCODING: false,
};

export interface FeedErrorOptions {
  retryable?: boolean;
  /** The HTTP status, for RAPPORT_FEED_HTTP_STATUS. */
  httpStatus?: number;
  cause?: unknown;
}

export class FeedError extends Error {
  override readonly name = 'FeedError';
  readonly code: FeedErrorCode;
  readonly retryable: boolean;
  readonly httpStatus: number | null;

  constructor(code: FeedErrorCode, message: string, options: FeedErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.retryable = options.retryable ?? RETRYABLE_BY_DEFAULT[code];
    this.httpStatus = options.httpStatus ?? null;
  }
}

export function isFeedError(value: unknown): value is FeedError {
  return value instanceof FeedError;
}
