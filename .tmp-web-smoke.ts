import { startRapport } from './src/main.js';
import { seedDemo } from './src/demo/seed-demo.js';
import { freshDatabase, silentLogger, testConfig, waitFor } from './test/helpers/test-services.js';
import { WebSession } from './test/helpers/web-session.js';

const database = await freshDatabase();
const rapport = await startRapport(testConfig({ DATABASE_URL: database.url }), silentLogger());
try {
  await seedDemo(database.db.prisma);
  const { token } = await seedDemo(database.db.prisma);
  const api = (url: string, body: unknown) => rapport.app!.inject({ method: 'POST', url, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, payload: JSON.stringify(body) });
  console.log((await api('/api/v1/events', { type: 'purchase', externalId: 'cust-1002', occurredAt: '2026-11-20T09:30:00+07:00', idempotencyKey: 'o1', data: { product: 'Lamp' } })).statusCode);
  await waitFor('suggestion', () => database.db.prisma.suggestion.findFirst());
  const mai = new WebSession(rapport.app!);
  await mai.login('mai.nguyen@rapport.example', 'rapport-demo');
  const inbox = await mai.get('/inbox');
  console.log(inbox.statusCode, inbox.body.length);
  console.log(inbox.body.slice(inbox.body.indexOf('<main'), inbox.body.indexOf('<main') + 6000));
  const s = await database.db.prisma.suggestion.findFirstOrThrow();
  for (const url of ['/inbox/' + s.id, '/customers/' + s.customerId]) { const r = await mai.get(url); console.log(url, r.statusCode, r.statusCode >= 400 ? r.body.slice(0, 500) : ''); }
  const mara = new WebSession(rapport.app!);
  await mara.login('marketing@rapport.example', 'rapport-demo');
  for (const url of ['/triggers', '/triggers/new', '/templates', '/templates/thank-you/fa', '/inbox']) { const r = await mara.get(url); console.log(url, r.statusCode, r.statusCode >= 400 ? r.body.slice(0, 800) : ''); }
  const t = await database.db.prisma.trigger.findFirstOrThrow();
  const r = await mara.get('/triggers/' + t.id); console.log(r.statusCode, r.statusCode >= 400 ? r.body.slice(0, 800) : '');
  const p = await mara.post('/triggers/' + t.id, { name: 'Thanks', sourceType: 'event', eventType: 'purchase', template: 'thank-you', channel: 'email', approval: 'required', priority: '10', celebratory: 'auto', intent: 'preview' });
  console.log('preview', p.statusCode, p.body.slice(p.body.indexOf('<section class="preview"'), p.body.indexOf('<section class="preview"') + 1500));
} finally {
  await rapport.close();
  await database.drop();
}
