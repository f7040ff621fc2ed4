import type { FastifyInstance } from 'fastify';
import type { Config } from './config.js';
import { reconcile } from './jobs/reconcile.js';
import { buildApp } from './http/app.js';
import { workerSettings } from './jobs/worker-settings.js';
import { buildProcessors } from './jobs/processors.js';
import { startWorkers } from './jobs/queues.js';
import type { Logger } from './infra/logger.js';
import { openRuntime, type Runtime } from './infra/runtime.js';

export const RECONCILE_EVERY_MS = 60_000;

export interface Rapport {
  runtime: Runtime;
  app: FastifyInstance | null;
  /** Runs one reconciliation pass now (tests use it instead of waiting for the timer). */
  reconcileNow(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Boots a Rapport process: infrastructure, workers, the reconciler and (unless `http: false`) the
 * HTTP API. Several processes may run against the same PostgreSQL and Redis to scale out.
 */
export async function startRapport(config: Config, logger: Logger, opts: { http?: boolean; workers?: boolean } = {}): Promise<Rapport> {
  const runtime = await openRuntime(config, logger);
  const closers: (() => Promise<void>)[] = [() => runtime.close()];
  // Aborted first thing on close: running email batches stop claiming and hand back the rest.
  const stopping = new AbortController();
  try {
    if (opts.workers !== false) {
      const workers = startWorkers(runtime.redis, config.redis.queuePrefix, buildProcessors(runtime, { stopping: stopping.signal }), { ...workerSettings(config), logger });
      closers.push(() => workers.close());
    }
    const reconcileNow = async () => {
      const report = await reconcile(runtime.db.prisma, runtime.queues, new Date(), {
        printProvider: Boolean(config.print.providerUrl),
        giftPartner: Boolean(config.gifts.partnerUrl),
        printRuns: { pattern: config.print.runSchedule, timeZone: config.print.runTimeZone },
      });
      if (report.eventsEnqueued || report.deliveriesEnqueued || report.interrupted || report.articlesEnqueued) logger.info(report, 'reconciled');
    };
    await reconcileNow();
    const timer = setInterval(() => void reconcileNow().catch((err: Error) => logger.warn({ err: err.message }, 'reconcile failed')), RECONCILE_EVERY_MS);
    timer.unref();
    closers.push(async () => clearInterval(timer));

    let app: FastifyInstance | null = null;
    if (opts.http !== false) {
      app = await buildApp({
        prisma: runtime.db.prisma,
        queues: runtime.queues,
        templates: runtime.templates,
        frequencyCapDays: config.frequencyCapDays,
        publicUrl: config.http.publicUrl,
        unsubscribeSecret: runtime.secret,
        ...(config.gifts.partnerSecret ? { giftPartnerSecret: config.gifts.partnerSecret } : {}),
        giftFulfilment: {
          packing: { renderer: runtime.print, dataDir: config.dataDir, templatesDir: config.templatesDir, paper: config.gifts.packingPaper },
          partner: Boolean(config.gifts.partnerUrl),
        },
        printRuns: { dataDir: config.dataDir, provider: Boolean(config.print.providerUrl), defaultFormat: config.print.defaultFormat },
        logger,
        checks: {
          database: async () => void (await runtime.db.pool.query('SELECT 1')),
          redis: async () => void (await runtime.redis.ping()),
        },
      });
      await app.listen({ host: config.http.host, port: config.http.port });
      const server = app;
      closers.push(() => server.close());
    }
    return {
      runtime,
      app,
      reconcileNow,
      async close() {
        // Stop taking work first (HTTP, timer, workers), then close the connections they use.
        stopping.abort();
        for (const c of closers.reverse()) await c().catch((err: Error) => logger.warn({ err: err.message }, 'error while stopping'));
      },
    };
  } catch (err) {
    for (const c of closers.reverse()) await c().catch(() => undefined);
    throw err;
  }
}
