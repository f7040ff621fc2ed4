import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Suggestion } from '../../src/generated/prisma/client.js';
import { buildApp } from '../../src/http/app.js';
import { silentLogger } from '../helpers/test-services.js';
import { startInboxFixture, type InboxFixture, type Who } from '../helpers/inbox-fixture.js';
import { WebSession } from '../helpers/web-session.js';

type Role = 'anonymous' | Who;
const ROLES: Role[] = ['anonymous', 'admin', 'marketing', 'mai', 'tom'];

// Who may reach what, for every web route: each route × each role → the expected status. POSTs
// send input that is invalid on purpose, so a permitted role gets 422 and nothing changes; the
// table then proves the guard answers before the handler for everyone else.
describe('web app: every route × every role', () => {
  let fx: InboxFixture;
  let maiNote: Suggestion;
  let triggerId: string;
  const sessions = new Map<Role, WebSession>();

  before(async () => {
    fx = await startInboxFixture();
    maiNote = await fx.purchase('cust-1002', 'Aurora desk lamp');
    await fx.purchase('cust-1001', 'Desk');
    triggerId = (await fx.prisma.trigger.findFirstOrThrow()).id;
    sessions.set('anonymous', new WebSession(fx.rapport.app!));
    for (const who of ['admin', 'marketing', 'mai', 'tom'] as const) sessions.set(who, await fx.sessionFor(who));
  });
  after(async () => fx?.close());

  /** `status` for the allowed roles, `otherwise` for the rest (anonymous is set by each route kind). */
  const ok = (status: number, roles: Role[], otherwise: number) =>
    Object.fromEntries(ROLES.map((r) => [r, roles.includes(r) ? status : otherwise])) as Record<Role, number>;

  const routes = (): { method: 'GET' | 'POST'; url: string; form?: Record<string, string>; expect: Record<Role, number> }[] => {
    const approvers: Role[] = ['admin', 'mai', 'tom'];
    const marketing: Role[] = ['admin', 'marketing'];
    const own: Role[] = ['admin', 'mai'];
    const get = (url: string, allowed: Role[], denied = 403, extra: Partial<Record<Role, number>> = {}) => ({ method: 'GET' as const, url, expect: { ...ok(200, allowed, denied), anonymous: 303, ...extra } });
    const post = (url: string, form: Record<string, string>, allowed: Role[], denied = 403, extra: Partial<Record<Role, number>> = {}) => ({ method: 'POST' as const, url, form, expect: { ...ok(422, allowed, denied), anonymous: 401, ...extra } });
    const s = maiNote.id;
    return [
      get('/', ['admin', 'marketing', 'mai', 'tom'], 403, { admin: 303, marketing: 303, mai: 303, tom: 303 }),
      { method: 'GET', url: '/login', expect: { anonymous: 200, admin: 303, marketing: 303, mai: 303, tom: 303 } },
      get('/inbox', approvers),
      get(`/inbox/${s}`, own, 403, { tom: 404 }),
      get('/inbox/00000000-0000-4000-8000-000000000000', [], 403, { admin: 404, mai: 404, tom: 404 }),
      get(`/customers/${maiNote.customerId}`, own, 403, { tom: 404 }),
      get('/triggers', marketing),
      get('/triggers/new', marketing),
      get(`/triggers/${triggerId}`, marketing),
      get('/templates', marketing),
      get('/templates/thank-you/fa', marketing),
      post(`/inbox/${s}/approve`, { subject: '', body: '' }, own, 403, { tom: 404 }),
      post(`/inbox/${s}/reject`, { reason: ' ' }, own, 403, { tom: 404 }),
      post(`/inbox/${s}/snooze`, { hours: '5' }, own, 403, { tom: 404 }),
      post(`/inbox/${s}/reassign`, { assigneeId: 'nobody' }, own, 403, { tom: 404 }),
      post('/inbox/bulk', { action: 'approve' }, approvers),
      post('/triggers', { key: 'Bad Key' }, marketing),
      post(`/triggers/${triggerId}`, { name: '' }, marketing),
      post(`/triggers/${triggerId}/enabled`, { enabled: 'maybe' }, marketing),
    ];
  };

  test('each role gets exactly what it should', async () => {
    const failures: string[] = [];
    for (const route of routes()) {
      for (const role of ROLES) {
        const session = sessions.get(role)!;
        const res = route.method === 'GET' ? await session.get(route.url) : await session.post(route.url, route.form ?? {});
        if (res.statusCode !== route.expect[role]) failures.push(`${route.method} ${route.url} as ${role}: expected ${route.expect[role]}, got ${res.statusCode}`);
      }
    }
    assert.deepEqual(failures, []);
    const untouched = await fx.prisma.suggestion.findUniqueOrThrow({ where: { id: maiNote.id } });
    assert.equal(untouched.status, 'pending_approval', 'no refused request changed the suggestion');
    assert.equal(untouched.snoozedUntil, null);
  });

  test("another manager's suggestion is invisible, not just refused", async () => {
    const tom = sessions.get('tom')!;
    const inbox = await tom.get('/inbox');
    assert.equal(inbox.statusCode, 200);
    assert.doesNotMatch(inbox.body, new RegExp(maiNote.id));
    assert.doesNotMatch(inbox.body, /Trần Thị Lan/);
    const mai = await sessions.get('mai')!.get('/inbox');
    assert.match(mai.body, new RegExp(`id="s-${maiNote.id}"`));
    assert.doesNotMatch(mai.body, /Jane Doe/);
    // Bulk approval of someone else's suggestion changes nothing and is reported as failed.
    const bulk = await tom.post('/inbox/bulk', { action: 'approve', ids: maiNote.id });
    assert.equal(bulk.statusCode, 303);
    assert.match(bulk.headers.location as string, /failed=1/);
    assert.equal((await fx.prisma.suggestion.findUniqueOrThrow({ where: { id: maiNote.id } })).status, 'pending_approval');
  });

  test('a POST without the CSRF token, with a wrong one or with another session’s is refused', async () => {
    const mai = sessions.get('mai')!;
    const tomToken = sessions.get('tom')!.csrf;
    for (const token of [null, 'forged', tomToken]) {
      const res = await mai.post(`/inbox/${maiNote.id}/reject`, { reason: 'not now', _csrf: token });
      assert.equal(res.statusCode, 403, `token ${token}`);
      assert.match(res.body, /form has expired or did not come from Rapport/);
    }
    assert.equal((await fx.prisma.suggestion.findUniqueOrThrow({ where: { id: maiNote.id } })).status, 'pending_approval');
  });

  test('sign-in: cookies, wrong passwords, bad input beside the field, no open redirect, sign-out', async () => {
    const anon = new WebSession(fx.rapport.app!);
    const page = await anon.get('/login');
    assert.match(page.body, /<label for="email">Email<\/label>/);
    const noToken = await anon.post('/login', { email: 'mai.nguyen@rapport.example', password: 'rapport-demo', _csrf: null });
    assert.equal(noToken.statusCode, 403, 'login CSRF: the form token must match its cookie');

    await anon.get('/login');
    const wrong = await anon.post('/login', { email: 'mai.nguyen@rapport.example', password: 'wrong-password' });
    assert.equal(wrong.statusCode, 401);
    assert.match(wrong.body, /That email and password do not match/);
    await anon.get('/login');
    const unknown = await anon.post('/login', { email: 'nobody@rapport.example', password: 'wrong-password' });
    assert.equal(unknown.statusCode, 401);
    assert.match(unknown.body, /That email and password do not match/);
    await anon.get('/login');
    const invalid = await anon.post('/login', { email: 'not-an-email', password: '' });
    assert.equal(invalid.statusCode, 422);
    assert.match(invalid.body, /id="email-error"[^>]*>enter your email address/);
    assert.match(invalid.body, /id="password-error"[^>]*>enter your password/);
    assert.equal(anon.hasSession(), false);

    await anon.get('/login');
    const ok = await anon.post('/login', { email: 'MAI.NGUYEN@rapport.example', password: 'rapport-demo', next: '//evil.example/x' });
    assert.equal(ok.statusCode, 303);
    assert.equal(ok.headers.location, '/', 'an off-site next= is ignored');
    const cookie = String(ok.headers['set-cookie']).split(/,(?=\s*rapport_)/).find((c) => c.includes('rapport_session='))!;
    assert.match(cookie, /HttpOnly/i);
    assert.match(cookie, /SameSite=Lax/i);
    assert.doesNotMatch(cookie, /Secure/i, 'plain http: no Secure flag, or the browser would drop it');
    const stored = await fx.prisma.session.findMany();
    const secret = /rapport_session=([^;]+)/.exec(cookie)![1]!;
    assert.ok(stored.every((s) => s.id !== secret), 'only a hash of the cookie is stored');

    await anon.get('/inbox');
    const out = await anon.post('/logout');
    assert.equal(out.statusCode, 303);
    assert.equal((await anon.get('/inbox')).statusCode, 303, 'signed out: back to the login page');
  });

  test('behind https, the session cookie is Secure', async () => {
    const rt = fx.rapport.runtime;
    const app = await buildApp({ prisma: rt.db.prisma, queues: rt.queues, templates: rt.templates, logger: silentLogger(), checks: {}, publicUrl: 'https://rapport.example' });
    try {
      const session = new WebSession(app);
      await session.get('/login');
      const res = await session.post('/login', { email: 'tom.baker@rapport.example', password: 'rapport-demo' });
      assert.equal(res.statusCode, 303);
      assert.match(String(res.headers['set-cookie']), /rapport_session=[^;]+;.*Secure/i);
    } finally {
      await app.close();
    }
  });
});
