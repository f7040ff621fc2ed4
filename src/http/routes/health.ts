import type { FastifyPluginAsync } from 'fastify';
import type { AppDeps } from '../app.js';

/** GET /healthz: 200 when every dependency answers within 2 s, 503 naming the ones that do not. */
export const healthRoutes = (deps: AppDeps): FastifyPluginAsync => async (app) => {
  app.get('/healthz', async (_request, reply) => {
    const results = await Promise.all(
      Object.entries(deps.checks).map(async ([name, check]) => {
        try {
          await Promise.race([check(), new Promise((_, reject) => setTimeout(() => reject(new Error('timed out after 2 s')), 2_000).unref())]);
          return [name, 'ok'] as const;
        } catch (err) {
          return [name, `failing: ${(err as Error).message}`] as const;
        }
      }),
    );
    const healthy = results.every(([, status]) => status === 'ok');
    return reply.status(healthy ? 200 : 503).send({ status: healthy ? 'ok' : 'unavailable', checks: Object.fromEntries(results) });
  });
};
