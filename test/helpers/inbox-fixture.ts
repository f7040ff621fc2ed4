import { startRapport, type Rapport } from '../../src/main.js';
import { DEMO_PASSWORD, seedDemo } from '../../src/demo/seed-demo.js';
import type { Suggestion } from '../../src/generated/prisma/client.js';
import { freshDatabase, silentLogger, testConfig, waitFor } from './test-services.js';
import { WebSession } from './web-session.js';

export const USERS = {
  admin: 'admin@rapport.example',
  marketing: 'marketing@rapport.example',
  mai: 'mai.nguyen@rapport.example',
  tom: 'tom.baker@rapport.example',
} as const;
export type Who = keyof typeof USERS;

/**
 * A running Rapport (real PostgreSQL schema, Redis, workers) with the demo data and one pending
 * thank-you note per demo customer: Lan's belongs to Mai, Jane's to Tom.
 */
export async function startInboxFixture(env: Record<string, string> = {}) {
  const database = await freshDatabase();
  const rapport: Rapport = await startRapport(testConfig({ DATABASE_URL: database.url, NOTE_FREQUENCY_CAP_DAYS: '0', ...env }), silentLogger());
  const { token } = await seedDemo(database.db.prisma);
  const prisma = database.db.prisma;
  let orders = 0;
  const api = (method: 'GET' | 'POST', url: string, body?: unknown) =>
    rapport.app!.inject({
      method,
      url,
      headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { payload: JSON.stringify(body) } : {}),
    });

  /** A purchase by a demo customer, and the note it drafts. */
  async function purchase(externalId: string, product: string): Promise<Suggestion> {
    const key = `order-${++orders}-${Date.now()}`;
    const res = await api('POST', '/api/v1/events', { type: 'purchase', externalId, occurredAt: new Date(Date.now() - 60_000).toISOString(), idempotencyKey: key, data: { product } });
    if (res.statusCode !== 202) throw new Error(`event refused: ${res.body}`);
    const eventId = res.json().id as string;
    return waitFor(`a suggestion for ${externalId}`, () => prisma.suggestion.findFirst({ where: { eventId } }));
  }

  async function sessionFor(who: Who): Promise<WebSession> {
    const session = new WebSession(rapport.app!);
    await session.login(USERS[who], DEMO_PASSWORD);
    return session;
  }

  const user = (who: Who) => prisma.user.findUniqueOrThrow({ where: { email: USERS[who] } });

  return {
    database,
    rapport,
    prisma,
    api,
    purchase,
    sessionFor,
    user,
    async close() {
      await rapport.close();
      await database.drop();
    },
  };
}
export type InboxFixture = Awaited<ReturnType<typeof startInboxFixture>>;
