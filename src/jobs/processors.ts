import type { Runtime } from '../infra/runtime.js';
import { deliverEmail } from '../delivery/send-email.js';
import { deliverEmailBatch, type EmailBatchDeps } from '../delivery/send-email-batch.js';
import { createEmailRate } from '../delivery/email-rate.js';
import { createDomainSlots } from '../delivery/domain-slots.js';
import { deliverPrintViaProvider } from '../delivery/print/print-provider.js';
import { runPrint } from '../delivery/print/print-run.js';
import { SYSTEM } from '../audit/audit-log.js';
import { AppError } from '../errors.js';
import { DELIVERY_PRIORITY, enqueueDeliveries } from '../delivery/enqueue-delivery.js';
import { evaluateEvent } from '../triggers/evaluate-event.js';
import { pollFeed, type PollFeedDeps } from '../feeds/poll-feed.js';
import { matchArticle } from '../matching/match-article.js';
import type { FireDeps } from '../triggers/fire-triggers.js';
import { evaluateSignal } from '../triggers/evaluate-signal.js';
import { scanTriggers } from '../triggers/scan-triggers.js';
import { sendDailyDigests } from '../notes/daily-digest.js';
import { advanceGiftOrder, giftFulfilmentDeps } from '../gifts/gift-fulfilment.js';
import { jobCatalog, jobIdFor } from './catalog.js';
import { postponeJob, postponementDelayMs, wakeDelayedJob, type Processors } from './queues.js';

export const fireDeps = (rt: Runtime): FireDeps => ({
  prisma: rt.db.prisma,
  templates: rt.templates,
  frequencyCapDays: rt.config.frequencyCapDays,
});

export const pollDeps = (rt: Runtime): PollFeedDeps => ({
  prisma: rt.db.prisma,
  fetchTimeoutMs: rt.config.news.fetchTimeoutMs,
  maxBytes: rt.config.news.maxBytes,
});

/** Thin processors: each calls one domain function; the payload was validated by the worker. */
export function buildProcessors(rt: Runtime, opts: { stopping?: AbortSignal } = {}): Processors {
  const { from, verifiedDomains, unsubscribeMailto, maxPerDomain, ratePerSecond } = rt.config.mail;
  const wakeDeliveryJob = (deliveryId: string) => wakeDelayedJob(rt.queues.queue('deliver-email'), jobIdFor['deliver-email']({ deliveryId }));
  const emailDeps: EmailBatchDeps = {
    prisma: rt.db.prisma,
    pool: rt.db.pool,
    mailer: rt.mailer,
    mailFrom: from,
    verifiedDomains,
    unsubscribe: { secret: rt.secret, publicUrl: rt.config.http.publicUrl, mailto: unsubscribeMailto },
    // Only real SMTP has connections to share out; the outbox writes files.
    ...(rt.mailer.kind === 'smtp' ? { domainSlots: createDomainSlots(rt.redis, { prefix: rt.config.redis.queuePrefix, maxPerDomain, slotDomain: rt.queues.emailDomainKey, wake: wakeDeliveryJob }) } : {}),
    rate: createEmailRate(rt.redis, { prefix: rt.config.redis.queuePrefix, perSecond: ratePerSecond }),
    ...(opts.stopping ? { stopping: opts.stopping } : {}),
  };
  return {
    'evaluate-event': async ({ eventId }) => {
      const result = await evaluateEvent(fireDeps(rt), eventId);
      // Auto-approved notes: their deliveries exist; hand them to their channel's queue now, behind
      // notes a person approved one by one.
      await enqueueDeliveries(rt.db.prisma, rt.queues, result.deliveryIds, { priority: 'bulk' });
    },
    'deliver-email': async ({ deliveryId }, job, token) => {
      // At its domain's cap the email sleeps without spending an attempt until a slot frees (its
      // delay is only a safety net for a lost wake-up): never dropped, and nothing was claimed, so
      // it cannot be sent twice. Its priority is its rank in the domain's line.
      const outcome = await deliverEmail(emailDeps, deliveryId, { rank: job.opts.priority ?? 0 });
      if (outcome === 'postponed') {
        await postponeJob(job, token, postponementDelayMs(job), () => emailDeps.domainSlots?.asleep(deliveryId) ?? Promise.resolve());
      }
      // This second's sends are used up (by batches; BullMQ's limiter paces single jobs): try in the next one.
      if (outcome === 'rate-limited') await postponeJob(job, token, 200 + Math.round(Math.random() * 1_000));
    },
    'deliver-email-batch': async ({ deliveryIds }, job, token) => {
      const report = await deliverEmailBatch(emailDeps, deliveryIds);
      // Taken while the process was stopping, nothing sent: the job waits, as it is, for another process.
      const untouched = report.handOver.length > 0 && report.handOver.every((h) => h.reason === 'stopping') && !report.sent && !report.failed && !report.suppressed;
      if (untouched) await postponeJob(job, token, 1_000);
      // Retries keep their backoff as single jobs; a busy domain's deliveries join its line; what a
      // stopping process did not claim goes back as a batch (its own job id: a different set of ids).
      const { delay } = jobCatalog['deliver-email'].backoff;
      const single = report.handOver.filter((h) => h.reason !== 'stopping');
      const unclaimed = report.handOver.filter((h) => h.reason === 'stopping').map((h) => h.deliveryId);
      await rt.queues.enqueueMany(
        'deliver-email',
        single.map(({ deliveryId, reason }) => ({ payload: { deliveryId }, opts: { priority: DELIVERY_PRIORITY.bulk, ...(reason === 'retry' ? { delayMs: delay } : {}) } })),
      );
      if (unclaimed.length) await rt.queues.enqueue('deliver-email-batch', { deliveryIds: unclaimed }, { priority: DELIVERY_PRIORITY.bulk });
    },
    'deliver-print': async ({ deliveryId }) => {
      // Without a provider, print notes wait for a print run (`rapport print run`).
      const { providerUrl, providerToken, defaultFormat } = rt.config.print;
      if (providerUrl) await deliverPrintViaProvider({ prisma: rt.db.prisma, renderer: rt.print, providerUrl, providerToken, defaultFormat }, deliveryId);
    },
    'run-print': async ({ formats, requestedBy }) => {
      const { defaultFormat } = rt.config.print;
      try {
        const report = await runPrint(
          { prisma: rt.db.prisma, renderer: rt.print, dataDir: rt.config.dataDir, defaultFormat },
          { formats, actor: requestedBy ? { type: 'user', id: requestedBy } : SYSTEM },
        );
        if (report) rt.logger.info({ runId: report.runId, cards: report.cards, failed: report.failed.length, dir: report.dir }, 'print run completed');
      } catch (err) {
        // Two runs asked for at once: the second has nothing to do once the first has claimed the cards.
        if (err instanceof AppError && err.code === 'RAPPORT_PRINT_RUN_BUSY') return void rt.logger.info(err.message);
        throw err;
      }
    },
    'fulfil-gift': async ({ giftOrderId }) => {
      // Confirmation email, or the partner; without a partner, pending orders wait for a packing run.
      await advanceGiftOrder(giftFulfilmentDeps(rt), giftOrderId);
    },
    'poll-feed': async ({ feedId }) => {
      const outcome = await pollFeed(pollDeps(rt), feedId);
      if (outcome.status === 'failed') rt.logger.warn({ feedId, code: outcome.code, failures: outcome.consecutiveFailures }, outcome.message);
      if (outcome.status === 'ok') for (const articleId of outcome.newArticleIds) await rt.queues.enqueue('match-article', { articleId });
    },
    'match-article': async ({ articleId }) => {
      const { signalIds } = await matchArticle({ prisma: rt.db.prisma, index: rt.accountIndex }, articleId);
      for (const signalId of signalIds) await rt.queues.enqueue('evaluate-signal', { signalId });
    },
    'evaluate-signal': async ({ signalId }) => {
      for (const result of await evaluateSignal(fireDeps(rt), signalId)) {
        await enqueueDeliveries(rt.db.prisma, rt.queues, result.deliveryIds, { priority: 'bulk' });
      }
    },
    'scan-triggers': async () => {
      const report = await scanTriggers(fireDeps(rt));
      if (report.candidates) rt.logger.info(report, 'date and silence triggers scanned');
    },
    'send-digests': async () => {
      const report = await sendDailyDigests({ prisma: rt.db.prisma, mailer: rt.mailer, mailFrom: rt.config.mail.from, publicUrl: rt.config.http.publicUrl });
      if (report.digestsSent) rt.logger.info(report, 'daily digests sent');
    },
  };
}
