import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { PrismaClient } from '../generated/prisma/client.js';
import type { Queues } from '../jobs/queues.js';
import type { NoteTemplates } from '../notes/note-templates.js';
import { registerErrorHandling } from './error-handler.js';
import { requireApiToken } from './authenticate.js';
import { requireFullApiAccess } from './api-authorization.js';
import { healthRoutes } from './routes/health.js';
import { accountRoutes } from './routes/accounts.js';
import { customerRoutes } from './routes/customers.js';
import { feedRoutes } from './routes/feeds.js';
import { signalRoutes } from './routes/signals.js';
import { triggerRoutes } from './routes/triggers.js';
import { eventRoutes } from './routes/events.js';
import { eventTypeRoutes } from './routes/event-types.js';
import { keepRawJsonBody } from './signed-requests.js';
import { suggestionRoutes } from './routes/suggestions.js';
import { unsubscribeRoutes } from './routes/unsubscribe.js';
import { webApp } from './web/web-app.js';
import { giftRoutes } from './routes/gifts.js';
import { giftPartnerWebhook } from './routes/gift-partner-webhook.js';
import { giftAddressRoutes } from './routes/gift-address.js';
import { giftFulfilmentRoutes, type GiftFulfilmentHttpDeps } from './routes/gift-fulfilment.js';

export interface AppDeps {
  prisma: PrismaClient;
  queues: Queues;
  templates: NoteTemplates;
  logger: Logger;
  /** The per-customer note cap the dry run simulates (config NOTE_FREQUENCY_CAP_DAYS). */
  frequencyCapDays?: number;
  /** Each resolves when its dependency answers and rejects otherwise; used by /healthz. */
  checks: Record<string, () => Promise<void>>;
  /** Where users reach the app; an https URL makes the web app's cookies Secure. */
  publicUrl?: string;
  /** Verifies unsubscribe links (the runtime's secret); without it the public /u/:token pages are not served. */
  unsubscribeSecret?: string;
  /** Verifies the gift partner's status callbacks (GIFT_PARTNER_SECRET); without it POST /webhooks/gift-partner is not served. */
  giftPartnerSecret?: string;
  /** Packing runs for manual gift fulfilment (API) and the address-confirmation pages; without it neither is served. */
  giftFulfilment?: GiftFulfilmentHttpDeps;
  /** Where print runs are written (DATA_DIR) and whether a provider takes print notes instead; enables the web app's print page. */
  printRuns?: { dataDir: string; provider: boolean; defaultFormat: string };
}

/** Builds the HTTP app without listening, so tests inject requests and main.ts decides the port. */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    // pino's Logger is a FastifyBaseLogger; the cast keeps the instance type the default one.
    loggerInstance: deps.logger as FastifyBaseLogger,
    bodyLimit: 1024 * 1024,
  });
  app.decorateRequest('actor', null);
  app.decorateRequest('apiUser', null);
  registerErrorHandling(app);
  await app.register(healthRoutes(deps));
  // Public, no API token: the signed link in every note is the recipient's credential.
  if (deps.unsubscribeSecret) await app.register(unsubscribeRoutes({ prisma: deps.prisma, secret: deps.unsubscribeSecret }));
  // Public, no API token: the HMAC signature with the shared secret is the partner's credential.
  if (deps.giftPartnerSecret) await app.register(giftPartnerWebhook({ prisma: deps.prisma, secret: deps.giftPartnerSecret }));
  // Public, no API token: the signed link in the gift email is the recipient's credential.
  if (deps.unsubscribeSecret && deps.giftFulfilment) {
    await app.register(giftAddressRoutes({ prisma: deps.prisma, queues: deps.queues, secret: deps.unsubscribeSecret, templatesDir: deps.giftFulfilment.packing.templatesDir }));
  }
  await app.register(
    async (api) => {
      keepRawJsonBody(api);
      api.addHook('preHandler', requireApiToken(deps.prisma));
      await api.register(accountRoutes(deps));
      await api.register(customerRoutes(deps));
      await api.register(eventRoutes(deps));
      await api.register(suggestionRoutes(deps));
      await api.register(signalRoutes(deps));
      await api.register(giftRoutes(deps));
      if (deps.giftFulfilment) await api.register(giftFulfilmentRoutes({ ...deps, giftFulfilment: deps.giftFulfilment }));
      // Configuration that shapes what everyone receives: not for account managers' tokens.
      await api.register(async (configuration) => {
        configuration.addHook('preHandler', requireFullApiAccess);
        await configuration.register(eventTypeRoutes(deps));
        await configuration.register(feedRoutes(deps));
        await configuration.register(triggerRoutes(deps));
      });
    },
    { prefix: '/api/v1' },
  );
  await app.register(
    webApp({
      prisma: deps.prisma,
      queues: deps.queues,
      templates: deps.templates,
      secureCookies: false,
      ...(deps.publicUrl ? { publicUrl: deps.publicUrl } : {}),
      ...(deps.frequencyCapDays !== undefined ? { frequencyCapDays: deps.frequencyCapDays } : {}),
      ...(deps.printRuns ? { printRuns: deps.printRuns } : {}),
    }),
  );
  return app;
}
