import type { Runtime } from '../infra/runtime.js';
import { deliverEmail } from '../delivery/send-email.js';
import { deliverPrintViaProvider } from '../delivery/print/print-provider.js';
import { enqueueDeliveries } from '../delivery/enqueue-delivery.js';
import { evaluateEvent } from '../triggers/evaluate-event.js';
import { pollFeed, type PollFeedDeps } from '../feeds/poll-feed.js';
import { matchArticle } from '../matching/match-article.js';
import type { FireDeps } from '../triggers/fire-triggers.js';
import { evaluateSignal } from '../triggers/evaluate-signal.js';
import { scanTriggers } from '../triggers/scan-triggers.js';
import { sendDailyDigests } from '../notes/daily-digest.js';
import { fulfilGift } from '../gifts/gift-orders.js';
import type { Processors } from './queues.js';

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
export function buildProcessors(rt: Runtime): Processors {
  return {
    'evaluate-event': async ({ eventId }) => {
      const result = await evaluateEvent(fireDeps(rt), eventId);
      // Auto-approved notes: their deliveries exist; hand them to their channel's queue now, behind
      // notes a person approved one by one.
      await enqueueDeliveries(rt.db.prisma, rt.queues, result.deliveryIds, { priority: 'bulk' });
    },
    'deliver-email': async ({ deliveryId }) => {
      const { from, verifiedDomains, unsubscribeMailto } = rt.config.mail;
      await deliverEmail(
        { prisma: rt.db.prisma, mailer: rt.mailer, mailFrom: from, verifiedDomains, unsubscribe: { secret: rt.secret, publicUrl: rt.config.http.publicUrl, mailto: unsubscribeMailto } },
        deliveryId,
      );
    },
    'deliver-print': async ({ deliveryId }) => {
      // Without a provider, print notes wait for a print run (`rapport print run`).
      const { providerUrl, providerToken, defaultFormat } = rt.config.print;
      if (providerUrl) await deliverPrintViaProvider({ prisma: rt.db.prisma, renderer: rt.print, providerUrl, providerToken, defaultFormat }, deliveryId);
    },
    'fulfil-gift': async ({ giftOrderId }) => {
      // Without a partner, gift orders stay pending for manual fulfilment.
      const { partnerUrl, partnerToken } = rt.config.gifts;
      if (partnerUrl) await fulfilGift({ prisma: rt.db.prisma, partnerUrl, partnerToken }, giftOrderId);
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
