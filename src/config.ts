import { z } from 'zod';
import { TimeZone } from './customers/customer-input.js';
import { parseDomainGroups } from './delivery/mail-providers.js';

/**
 * The environment, parsed once at boot. Every variable is listed (and commented) in `.env.example`.
 * Defaults make `npm start` work on a laptop: no DATABASE_URL → embedded PostgreSQL (PGlite),
 * no REDIS_URL → a private redis-server, no SMTP_URL → .eml files under DATA_DIR/outbox.
 */
const emptyAsUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);
const optionalUrl = (protocols: string[]) =>
  z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .url({ message: `expected a URL (${protocols.join(', ')})` })
      .refine((v) => protocols.some((p) => v.startsWith(`${p}:`)), {
        message: `expected a URL starting with ${protocols.map((p) => `${p}://`).join(' or ')}`,
      })
      .optional(),
  );

const integer = (min: number, max: number, fallback: number) =>
  z.preprocess(
    emptyAsUndefined,
    z.coerce
      .number({ error: `expected an integer from ${min} to ${max}` })
      .int({ error: `expected an integer from ${min} to ${max}` })
      .min(min, { error: `expected an integer from ${min} to ${max}` })
      .max(max, { error: `expected an integer from ${min} to ${max}` })
      .default(fallback),
  );

export const Env = z.object({
  NODE_ENV: z.preprocess(emptyAsUndefined, z.enum(['development', 'production', 'test']).default('development')),
  LOG_LEVEL: z.preprocess(
    emptyAsUndefined,
    z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  ),
  DATA_DIR: z.preprocess(emptyAsUndefined, z.string().default('./data')),
  DATABASE_URL: optionalUrl(['postgres', 'postgresql']),
  DATABASE_POOL_SIZE: integer(1, 200, 10),
  REDIS_URL: optionalUrl(['redis', 'rediss']),
  QUEUE_PREFIX: z.preprocess(
    emptyAsUndefined,
    z.string().regex(/^[a-zA-Z0-9_-]+$/, 'expected letters, digits, _ or -').default('rapport'),
  ),
  WORKER_CONCURRENCY: integer(1, 100, 5),
  HTTP_HOST: z.preprocess(emptyAsUndefined, z.string().default('127.0.0.1')),
  HTTP_PORT: integer(0, 65535, 3000),
  PUBLIC_URL: optionalUrl(['http', 'https']),
  SMTP_URL: optionalUrl(['smtp', 'smtps']),
  MAIL_FROM: z.preprocess(
    emptyAsUndefined,
    z.string().email({ message: 'expected an email address' }).default('rapport@localhost'),
  ),
  TEMPLATES_DIR: z.preprocess(emptyAsUndefined, z.string().default('./templates')),
  CHROMIUM_PATH: z.preprocess(emptyAsUndefined, z.string().default('/usr/bin/chromium')),
  PRINT_PAGES: integer(1, 32, 2),
  PRINT_DEFAULT_FORMAT: z.preprocess(emptyAsUndefined, z.string().regex(/^[a-z0-9-]+$/, 'expected a print format name such as card-5x7-flat').default('card-5x7-flat')),
  PRINT_RUN_SCHEDULE: z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .regex(/^(off|\S+( \S+){4,5})$/, 'expected a cron pattern such as "0 6 * * 1-5" (minute hour day month weekday) or "off"')
      .default('0 6 * * *'),
  ),
  PRINT_RUN_TIME_ZONE: z.preprocess(
    emptyAsUndefined,
    TimeZone.default('UTC'),
  ),
  PRINT_PROVIDER_URL: optionalUrl(['http', 'https']),
  PRINT_PROVIDER_TOKEN: z.preprocess(emptyAsUndefined, z.string().optional()),
  PRINT_PROVIDER_RATE_PER_SECOND: integer(1, 1_000, 5),
  GIFT_PARTNER_URL: optionalUrl(['http', 'https']),
  GIFT_PARTNER_TOKEN: z.preprocess(emptyAsUndefined, z.string().optional()),
  GIFT_PARTNER_RATE_PER_SECOND: integer(1, 1_000, 5),
  GIFT_PARTNER_SECRET: z.preprocess(emptyAsUndefined, z.string().min(16, 'expected at least 16 characters').optional()),
  GIFT_PACKING_PAPER: z.preprocess(emptyAsUndefined, z.enum(['a4', 'letter'], { error: 'expected a4 or letter' }).default('a4')),
  GIFT_ADDRESS_LINK_DAYS: integer(1, 90, 14),
  NOTE_FREQUENCY_CAP_DAYS: integer(0, 365, 14),
  NEWS_RULES_DIR: z.preprocess(emptyAsUndefined, z.string().optional()),
  FEED_TIMEOUT_MS: integer(1_000, 300_000, 20_000),
  FEED_MAX_BYTES: integer(10_000, 100_000_000, 10 * 1024 * 1024),
  RAPPORT_SECRET: z.preprocess(emptyAsUndefined, z.string().min(32, 'expected at least 32 characters (e.g. `openssl rand -base64 48`)').optional()),
  MAIL_VERIFIED_DOMAINS: z.preprocess(
    emptyAsUndefined,
    z.string().regex(/^\s*[a-z0-9.-]+(\s*,\s*[a-z0-9.-]+)*\s*$/i, 'expected a comma-separated list of domains, e.g. rapport.example,sales.rapport.example').optional(),
  ),
  MAIL_UNSUBSCRIBE_MAILTO: z.preprocess(emptyAsUndefined, z.string().email({ message: 'expected an email address' }).optional()),
  EMAIL_RATE_PER_SECOND: integer(1, 10_000, 20),
  SMTP_MAX_PER_DOMAIN: integer(1, 1_000, 3),
  SMTP_DOMAIN_GROUPS: z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .transform((text, ctx) => {
        const parsed = parseDomainGroups(text);
        if ('error' in parsed) {
          ctx.addIssue({ code: 'custom', message: `${parsed.error}; expected groups like acme.com,acme.de;globex.com,globex.io` });
          return z.NEVER;
        }
        return parsed.groups;
      })
      .optional(),
  ),
  EMAIL_BATCH_SIZE: integer(1, 500, 200),
});
export type Env = z.infer<typeof Env>;

export interface Config {
  env: Env['NODE_ENV'];
  logLevel: Env['LOG_LEVEL'];
  dataDir: string;
  db: { url: string | undefined; poolSize: number };
  redis: { url: string | undefined; queuePrefix: string; concurrency: number };
  http: { host: string; port: number; publicUrl: string };
  mail: {
    smtpUrl: string | undefined;
    from: string;
    /** Domains whose addresses may appear in From (SPF/DKIM set up for our SMTP relay); lower case. */
    verifiedDomains: string[];
    /** An optional mailbox for `List-Unsubscribe: <mailto:…>` beside the one-click link. */
    unsubscribeMailto: string | undefined;
    /** Emails per second at most, across all processes sharing the queue prefix (single and batched sends together). */
    ratePerSecond: number;
    /** Emails in flight to one recipient domain at most, across all processes sharing the queue prefix. */
    maxPerDomain: number;
    /** Domains counted as one for maxPerDomain (one mail system), beside the built-in providers (see delivery/mail-providers.ts). */
    domainGroups: string[][];
    /** Bulk emails due now go out in batch jobs of this many (1: one job per email). */
    batchSize: number;
  };
  /**
   * Signs unsubscribe links. Required in production; in development and test it is undefined when
   * RAPPORT_SECRET is unset and the runtime generates one under DATA_DIR (see consent/app-secret.ts).
   */
  secret: string | undefined;
  print: {
    chromiumPath: string;
    pages: number;
    defaultFormat: string;
    providerUrl: string | undefined;
    providerToken: string | undefined;
    /** The deliver-print queue's rate limit (the provider's API quota), across all processes. */
    providerRatePerSecond: number;
    /** The daily batch run for a mail house: a cron pattern read in runTimeZone, or null (off). */
    runSchedule: string | null;
    runTimeZone: string;
  };
  /**
   * Gift fulfilment. With partnerUrl, orders are POSTed to the partner and its status callbacks are
   * signed with partnerSecret; without it, fulfilment is manual: packing runs print slips on
   * `packingPaper`. Address-confirmation links work for `addressLinkDays`.
   */
  gifts: {
    partnerUrl: string | undefined;
    partnerToken: string | undefined;
    partnerSecret: string | undefined;
    /** The fulfil-gift queue's rate limit (the partner's API quota), across all processes. */
    partnerRatePerSecond: number;
    packingPaper: 'a4' | 'letter';
    addressLinkDays: number;
  };
  templatesDir: string;
  news: { extraRulesDir: string | undefined; fetchTimeoutMs: number; maxBytes: number };
  /** At most one note per this many days per customer, across all triggers (0: no cap). */
  frequencyCapDays: number;
}

export class ConfigError extends Error {
  constructor(readonly problems: { variable: string; message: string }[]) {
    super(
      'Invalid configuration:\n' +
        problems.map((p) => `  ${p.variable}: ${p.message}`).join('\n') +
        '\nSee .env.example for every variable and its expected form.',
    );
    this.name = 'ConfigError';
  }
}

/** Parses the environment; throws ConfigError naming each bad variable. */
export function loadConfig(source: NodeJS.ProcessEnv = process.env): Config {
  const parsed = Env.safeParse(source);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((i) => ({ variable: String(i.path[0] ?? '(env)'), message: i.message })),
    );
  }
  const e = parsed.data;
  if (e.NODE_ENV === 'production' && !e.RAPPORT_SECRET) {
    throw new ConfigError([{ variable: 'RAPPORT_SECRET', message: 'required when NODE_ENV=production: it signs unsubscribe links (at least 32 characters, e.g. `openssl rand -base64 48`)' }]);
  }
  return {
    env: e.NODE_ENV,
    logLevel: e.LOG_LEVEL,
    dataDir: e.DATA_DIR,
    db: { url: e.DATABASE_URL, poolSize: e.DATABASE_POOL_SIZE },
    redis: { url: e.REDIS_URL, queuePrefix: e.QUEUE_PREFIX, concurrency: e.WORKER_CONCURRENCY },
    http: {
      host: e.HTTP_HOST,
      port: e.HTTP_PORT,
      publicUrl: e.PUBLIC_URL ?? `http://${e.HTTP_HOST}:${e.HTTP_PORT}`,
    },
    mail: {
      smtpUrl: e.SMTP_URL,
      from: e.MAIL_FROM,
      verifiedDomains: (e.MAIL_VERIFIED_DOMAINS ?? '').split(',').map((d) => d.trim().toLowerCase()).filter(Boolean),
      unsubscribeMailto: e.MAIL_UNSUBSCRIBE_MAILTO,
      ratePerSecond: e.EMAIL_RATE_PER_SECOND,
      maxPerDomain: e.SMTP_MAX_PER_DOMAIN,
      domainGroups: e.SMTP_DOMAIN_GROUPS ?? [],
      batchSize: e.EMAIL_BATCH_SIZE,
    },
    secret: e.RAPPORT_SECRET,
    print: {
      chromiumPath: e.CHROMIUM_PATH,
      pages: e.PRINT_PAGES,
      defaultFormat: e.PRINT_DEFAULT_FORMAT,
      providerUrl: e.PRINT_PROVIDER_URL,
      providerToken: e.PRINT_PROVIDER_TOKEN,
      providerRatePerSecond: e.PRINT_PROVIDER_RATE_PER_SECOND,
      runSchedule: e.PRINT_RUN_SCHEDULE === 'off' ? null : e.PRINT_RUN_SCHEDULE,
      runTimeZone: e.PRINT_RUN_TIME_ZONE,
    },
    gifts: {
      partnerUrl: e.GIFT_PARTNER_URL,
      partnerToken: e.GIFT_PARTNER_TOKEN,
      partnerSecret: e.GIFT_PARTNER_SECRET,
      partnerRatePerSecond: e.GIFT_PARTNER_RATE_PER_SECOND,
      packingPaper: e.GIFT_PACKING_PAPER,
      addressLinkDays: e.GIFT_ADDRESS_LINK_DAYS,
    },
    templatesDir: e.TEMPLATES_DIR,
    news: { extraRulesDir: e.NEWS_RULES_DIR, fetchTimeoutMs: e.FEED_TIMEOUT_MS, maxBytes: e.FEED_MAX_BYTES },
    frequencyCapDays: e.NOTE_FREQUENCY_CAP_DAYS,
  };
}
