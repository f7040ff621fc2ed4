import type { LightMyRequestResponse } from 'fastify';
import { startRapport, type Rapport } from '../../src/main.js';
import { createApiToken } from '../../src/auth/api-tokens.js';
import { freshDatabase, silentLogger, testConfig } from './test-services.js';

export const OWNER_EMAIL = 'owner@rapport.example';

export interface ApiHarness {
  database: Awaited<ReturnType<typeof freshDatabase>>;
  rapport: Rapport;
  token: string;
  post(url: string, body: unknown, headers?: Record<string, string>): Promise<LightMyRequestResponse>;
  get(url: string): Promise<LightMyRequestResponse>;
  close(): Promise<void>;
}

/**
 * Rapport's API on a fresh schema (workers off: tests look at what was stored and enqueued), one
 * admin who owns the test customers (OWNER_EMAIL) and their API token (full access, see
 * api-authorization.ts) — without the demo seed, so these tests depend only on the data-in path.
 */
export async function startApiHarness(): Promise<ApiHarness> {
  const database = await freshDatabase();
  const rapport = await startRapport(testConfig({ DATABASE_URL: database.url }), silentLogger(), { workers: false });
  const user = await database.db.prisma.user.create({ data: { email: OWNER_EMAIL, name: 'Olu Owner', role: 'admin' } });
  const { secret: token } = await createApiToken(database.db.prisma, { name: 'test', userId: user.id });
  const app = rapport.app!;
  return {
    database,
    rapport,
    token,
    post: (url, body, headers = {}) =>
      app.inject({
        method: 'POST',
        url,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...headers },
        payload: typeof body === 'string' ? body : JSON.stringify(body),
      }),
    get: (url) => app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}` } }),
    async close() {
      await rapport.close();
      await database.drop();
    },
  };
}
