import path from 'node:path';
import type { Redis } from 'ioredis';
import type { Config } from '../config.js';
import { createQueues, type Queues } from '../jobs/queues.js';
import { NoteTemplates } from '../notes/note-templates.js';
import { AccountIndexCache } from '../matching/account-index-cache.js';
import { mailProviderOf } from '../delivery/mail-providers.js';
import { createPrintRenderer, type PrintRenderer } from '../delivery/print/render-print.js';
import { resolveAppSecret } from '../consent/app-secret.js';
import { ensureSchemaExists, openDatabase, type Database } from './database.js';
import { startEmbeddedPostgres } from './embedded-postgres.js';
import { startEmbeddedRedis } from './embedded-redis.js';
import type { Logger } from './logger.js';
import { createOutboxMailer, createSmtpMailer, type Mailer } from './mailer.js';
import { migrate } from './migrator.js';
import { connectRedis } from './redis.js';

/** Everything a Rapport process talks to, opened from the config and closed in reverse order. */
export interface Runtime {
  config: Config;
  logger: Logger;
  db: Database;
  redis: Redis;
  queues: Queues;
  mailer: Mailer;
  templates: NoteTemplates;
  /** This process's in-memory match index over accounts and contacts, rebuilt when they change. */
  accountIndex: AccountIndexCache;
  /** Print rendering: one Chromium per process, started on first use, closed with the runtime. */
  print: PrintRenderer;
  /** Signs links in emails (RAPPORT_SECRET, or generated once under DATA_DIR outside production). */
  secret: string;
  close(): Promise<void>;
}

export async function openRuntime(config: Config, logger: Logger, opts: { migrate?: boolean } = {}): Promise<Runtime> {
  const closers: (() => Promise<void>)[] = [];
  const close = async () => {
    for (const c of closers.reverse()) await c().catch((err: Error) => logger.warn({ err: err.message }, 'error while closing'));
  };
  try {
    const secret = await resolveAppSecret(config);
    const db = await openDatabaseFromConfig(config, logger, closers);
    if (opts.migrate !== false) {
      await ensureSchemaExists(db.pool, db.schema);
      const { applied } = await migrate(db.pool);
      if (applied.length) logger.info({ applied }, 'database migrated');
    }
    const redis = await openRedisFromConfig(config, logger, closers);
    const queues = createQueues(redis, config.redis.queuePrefix, { emailBatchSize: config.mail.batchSize, emailDomainKey: mailProviderOf(config.mail.domainGroups) });
    closers.push(() => queues.close());
    const mailer = config.mail.smtpUrl ? createSmtpMailer(config.mail.smtpUrl) : createOutboxMailer(path.resolve(config.dataDir, 'outbox'));
    closers.push(() => mailer.close());
    if (mailer.kind === 'outbox') logger.info({ outbox: path.resolve(config.dataDir, 'outbox') }, 'SMTP_URL not set: emails are written as .eml files');
    const templates = new NoteTemplates(path.resolve(config.templatesDir));
    const accountIndex = new AccountIndexCache(db.prisma, {
      extraRulesDir: config.news.extraRulesDir,
      onRebuilt: (rebuild) => logger.info(rebuild, 'match index rebuilt'),
    });
    const print = createPrintRenderer({ chromiumPath: config.print.chromiumPath, pages: config.print.pages, templatesDir: path.resolve(config.templatesDir) });
    closers.push(() => print.close());
    return { config, logger, db, redis, queues, mailer, templates, accountIndex, print, secret, close };
  } catch (err) {
    await close();
    throw err;
  }
}

async function openDatabaseFromConfig(config: Config, logger: Logger, closers: (() => Promise<void>)[]): Promise<Database> {
  if (config.db.url) {
    const db = openDatabase({ url: config.db.url, poolSize: config.db.poolSize });
    closers.push(() => db.close());
    return db;
  }
  const embedded = await startEmbeddedPostgres(config.dataDir);
  closers.push(() => embedded.stop());
  logger.info({ dir: path.resolve(config.dataDir, 'pglite') }, 'DATABASE_URL not set: using embedded PostgreSQL (PGlite)');
  // PGlite serves one session at a time, so the pool holds exactly one connection.
  const db = openDatabase({ url: embedded.url, poolSize: 1 });
  closers.push(() => db.close());
  return db;
}

async function openRedisFromConfig(config: Config, logger: Logger, closers: (() => Promise<void>)[]): Promise<Redis> {
  if (config.redis.url) {
    const redis = connectRedis({ url: config.redis.url });
    closers.push(async () => void (await redis.quit().catch(() => redis.disconnect())));
    return redis;
  }
  const embedded = await startEmbeddedRedis(config.dataDir);
  closers.push(() => embedded.stop());
  logger.info({ socket: embedded.path }, 'REDIS_URL not set: using a private redis-server');
  const redis = connectRedis({ path: embedded.path });
  closers.push(async () => void (await redis.quit().catch(() => redis.disconnect())));
  return redis;
}
