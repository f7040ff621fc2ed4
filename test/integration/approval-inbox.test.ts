import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createSmtpMailer } from '../../src/infra/mailer.js';
import { sendDailyDigests } from '../../src/notes/daily-digest.js';
import { expireSuggestions } from '../../src/notes/expire-suggestions.js';
import { startSmtpSink } from '../helpers/smtp-sink.js';
import { waitFor } from '../helpers/test-services.js';
import { startInboxFixture, type InboxFixture } from '../helpers/inbox-fixture.js';

// The approval features on real PostgreSQL, Redis and SMTP: edit and approve in the web inbox,
// refusals with messages beside the field, snooze, reassign, bulk decisions, expiry and the digest.
describe('approval inbox', () => {
  let fx: InboxFixture;
  let smtp: Awaited<ReturnType<typeof startSmtpSink>>;

  before(async () => {
    smtp = await startSmtpSink();
    fx = await startInboxFixture({ SMTP_URL: smtp.url, MAIL_FROM: 'notes@rapport.example' });
  });
  after(async () => {
    await fx?.close();
    await smtp?.close();
  });

  test('an account manager edits and approves a note; the edit is sent, the draft kept', async () => {
    const note = await fx.purchase('cust-1002', 'Aurora desk lamp');
    const mai = await fx.sessionFor('mai');
    const inbox = await mai.get('/inbox');
    assert.match(inbox.body, /purchase event/);
    assert.match(inbox.body, /product: Aurora desk lamp/, 'the why: the event that made it');

    const body = 'Chào Lan,\n\nCảm ơn chị đã chọn chiếc đèn Aurora.\n\nMai';
    const res = await mai.post(`/inbox/${note.id}/approve`, { subject: note.subject, body });
    assert.equal(res.statusCode, 303);
    const mail = await waitFor('the email', async () => smtp.received.find((m) => m.parsed.text?.includes('chiếc đèn Aurora')));
    assert.equal(mail.parsed.subject, note.subject);
    const sent = await waitFor('sent', async () => {
      const s = await fx.prisma.suggestion.findUniqueOrThrow({ where: { id: note.id } });
      return s.status === 'sent' ? s : null;
    });
    assert.equal(sent.editedBody, body);
    assert.equal(sent.editedSubject, null, 'an unchanged subject is not an edit');
    assert.equal(sent.body, note.body, 'the original draft is kept beside the edit');
    const after = await mai.get('/inbox');
    assert.match(after.body, new RegExp(`data-recent="${note.id}"[\\s\\S]*?data-status>sent<`));
  });

  test('refused input comes back with the message beside the field and the typed text kept', async () => {
    const note = await fx.purchase('cust-1002', 'Lamp shade');
    const mai = await fx.sessionFor('mai');
    await mai.get('/inbox');
    const reject = await mai.post(`/inbox/${note.id}/reject`, { reason: '   ' });
    assert.equal(reject.statusCode, 422);
    assert.match(reject.body, new RegExp(`id="reason-${note.id}"[^>]*aria-invalid="true" aria-describedby="reason-${note.id}-error"`));
    assert.match(reject.body, new RegExp(`id="reason-${note.id}-error" role="alert">say why`));
    const approve = await mai.post(`/inbox/${note.id}/approve`, { subject: '', body: 'my own words' });
    assert.equal(approve.statusCode, 422);
    assert.match(approve.body, new RegExp(`id="subject-${note.id}-error" role="alert">the subject cannot be empty`));
    assert.match(approve.body, />my own words<\/textarea>/);
    assert.equal((await fx.prisma.suggestion.findUniqueOrThrow({ where: { id: note.id } })).status, 'pending_approval');

    const ok = await mai.post(`/inbox/${note.id}/reject`, { reason: 'Lan asked for no more emails this month' });
    assert.equal(ok.statusCode, 303);
    const rejected = await fx.prisma.suggestion.findUniqueOrThrow({ where: { id: note.id } });
    assert.equal(rejected.status, 'rejected');
    const audit = await fx.prisma.auditEntry.findFirstOrThrow({ where: { entityId: note.id, toStatus: 'rejected' } });
    assert.equal(audit.reason, 'Lan asked for no more emails this month');
    assert.equal(audit.actorId, (await fx.user('mai')).id, 'who and why are in the audit log');
    const again = await mai.post(`/inbox/${note.id}/reject`, { reason: 'twice' });
    assert.equal(again.statusCode, 409, 'an illegal transition is refused');
    assert.match(again.body, /is rejected; it cannot become rejected/);
  });

  test('snooze hides a note until its time without changing its status', async () => {
    const note = await fx.purchase('cust-1002', 'Snooze lamp');
    const mai = await fx.sessionFor('mai');
    await mai.get('/inbox');
    assert.equal((await mai.post(`/inbox/${note.id}/snooze`, { hours: '24' })).statusCode, 303);
    const snoozed = await fx.prisma.suggestion.findUniqueOrThrow({ where: { id: note.id } });
    assert.equal(snoozed.status, 'pending_approval');
    assert.ok(snoozed.snoozedUntil && snoozed.snoozedUntil.getTime() > Date.now() + 23 * 3_600_000);
    const inbox = await mai.get('/inbox');
    assert.doesNotMatch(inbox.body, new RegExp(`id="s-${note.id}"`));
    assert.match(inbox.body, /Snoozed/);
    await fx.prisma.suggestion.update({ where: { id: note.id }, data: { snoozedUntil: new Date(Date.now() - 1000) } });
    assert.match((await mai.get('/inbox')).body, new RegExp(`id="s-${note.id}"`), 'back when the time has come');

    const viaApi = await fx.api('POST', `/api/v1/suggestions/${note.id}/snooze`, { until: 'tomorrow' });
    assert.equal(viaApi.statusCode, 422);
    assert.equal(viaApi.json().error.field, 'until');
    const until = new Date(Date.now() + 3_600_000).toISOString();
    const good = await fx.api('POST', `/api/v1/suggestions/${note.id}/snooze`, { until });
    assert.equal(good.statusCode, 200, good.body);
    assert.equal(good.json().suggestion.snoozedUntil, until);
  });

  test('reassign hands a note to another manager; a marketing user cannot receive it', async () => {
    const note = await fx.purchase('cust-1002', 'Reassigned lamp');
    const tom = await fx.user('tom');
    const marketing = await fx.user('marketing');
    const mai = await fx.sessionFor('mai');
    await mai.get('/inbox');
    const refused = await mai.post(`/inbox/${note.id}/reassign`, { assigneeId: marketing.id });
    assert.equal(refused.statusCode, 422);
    assert.match(refused.body, new RegExp(`id="assignee-${note.id}-error" role="alert">Suggestions can only be assigned`));
    assert.equal((await mai.post(`/inbox/${note.id}/reassign`, { assigneeId: tom.id })).statusCode, 303);
    assert.equal((await fx.prisma.suggestion.findUniqueOrThrow({ where: { id: note.id } })).assigneeId, tom.id);
    const tomSession = await fx.sessionFor('tom');
    assert.match((await tomSession.get('/inbox')).body, new RegExp(`id="s-${note.id}"`), 'now in Tom’s inbox');
    assert.doesNotMatch((await mai.get('/inbox')).body, new RegExp(`id="s-${note.id}"`));
    const audit = await fx.prisma.auditEntry.findFirstOrThrow({ where: { entityId: note.id, action: 'suggestion.reassigned' } });
    assert.deepEqual(audit.data, { from: (await fx.user('mai')).id, to: tom.id });

    const back = await fx.api('POST', `/api/v1/suggestions/${note.id}/reassign`, { assigneeId: (await fx.user('mai')).id });
    assert.equal(back.statusCode, 200, back.body);
  });

  test('bulk decisions go one by one through the state machine and report what failed', async () => {
    const a = await fx.purchase('cust-1002', 'Bulk A');
    const b = await fx.purchase('cust-1002', 'Bulk B');
    const decided = await fx.purchase('cust-1002', 'Bulk C');
    await fx.api('POST', `/api/v1/suggestions/${decided.id}/reject`, { reason: 'already handled' });
    const mai = await fx.sessionFor('mai');
    await mai.get('/inbox');
    const noReason = await mai.post('/inbox/bulk', { action: 'reject', ids: [a.id, b.id] });
    assert.equal(noReason.statusCode, 422);
    assert.match(noReason.body, /id="bulk-reason-error" role="alert">say why/);
    const res = await mai.post('/inbox/bulk', { action: 'reject', ids: [a.id, b.id, decided.id], reason: 'too many notes this week' });
    assert.equal(res.statusCode, 303);
    assert.equal(res.headers.location, '/inbox?notice=rejected&failed=1');
    for (const s of [a, b]) assert.equal((await fx.prisma.suggestion.findUniqueOrThrow({ where: { id: s.id } })).status, 'rejected');

    const c = await fx.purchase('cust-1002', 'Bulk D');
    const viaApi = await fx.api('POST', '/api/v1/suggestions/bulk', { action: 'approve', ids: [c.id, a.id] });
    assert.equal(viaApi.statusCode, 200, viaApi.body);
    assert.equal(viaApi.json().done[0].id, c.id);
    assert.deepEqual(viaApi.json().failed.map((f: { id: string; code: string }) => [f.id, f.code]), [[a.id, 'RAPPORT_SUGGESTION_ILLEGAL_TRANSITION']]);
  });

  test('pending notes past their expiry become expired, audited; decided ones are untouched', async () => {
    const stale = await fx.purchase('cust-1002', 'Old news');
    const fresh = await fx.purchase('cust-1002', 'New news');
    const past = new Date(Date.now() - 60_000);
    await fx.prisma.suggestion.updateMany({ where: { id: { in: [stale.id, fresh.id] } }, data: { expiresAt: past } });
    await fx.api('POST', `/api/v1/suggestions/${fresh.id}/reject`, { reason: 'no' });
    await fx.rapport.reconcileNow();
    assert.equal((await fx.prisma.suggestion.findUniqueOrThrow({ where: { id: stale.id } })).status, 'expired');
    assert.equal((await fx.prisma.suggestion.findUniqueOrThrow({ where: { id: fresh.id } })).status, 'rejected');
    const audit = await fx.prisma.auditEntry.findFirstOrThrow({ where: { entityId: stale.id, toStatus: 'expired' } });
    assert.equal(audit.fromStatus, 'pending_approval');
    assert.equal((await expireSuggestions(fx.prisma)).suggestionsExpired, 0, 'a second pass finds nothing');
  });

  test('the daily digest goes to each manager once per local day, from 08:00 their time', async () => {
    await fx.purchase('cust-1001', 'Digest desk');
    const mailer = createSmtpMailer(smtp.url);
    const deps = { prisma: fx.prisma, mailer, mailFrom: 'notes@rapport.example', publicUrl: 'https://rapport.example' };
    // Only the simulated days count: the app's own hourly digest job may also mail Tom for today.
    const digests = () =>
      smtp.received.filter((m) => m.parsed.headers.has('x-rapport-digest') && /\(2026-11-2[45]\)/.test(m.parsed.subject ?? ''));
    try {
      // Tom is in New York: 12:30 UTC is 07:30 there (EST) — too early; 13:30 UTC is 08:30.
      await sendDailyDigests(deps, new Date('2026-11-24T12:30:00Z'));
      assert.equal(digests().filter((m) => m.envelope.to.includes('tom.baker@rapport.example')).length, 0);
      await sendDailyDigests(deps, new Date('2026-11-24T13:30:00Z'));
      await sendDailyDigests(deps, new Date('2026-11-24T15:00:00Z'));
      const toTom = digests().filter((m) => m.envelope.to.includes('tom.baker@rapport.example'));
      assert.equal(toTom.length, 1, 'once per local day');
      assert.match(toTom[0]!.parsed.subject ?? '', /waits? for your approval \(2026-11-24\)/);
      assert.match(toTom[0]!.parsed.text ?? '', /Jane Doe: .*\n {2}https:\/\/rapport\.example\/inbox#s-/);
      await sendDailyDigests(deps, new Date('2026-11-25T13:30:00Z'));
      assert.equal(digests().filter((m) => m.envelope.to.includes('tom.baker@rapport.example')).length, 2, 'the next day, again');
      assert.equal(digests().filter((m) => m.envelope.to.some((to) => to.startsWith('admin') || to.startsWith('marketing'))).length, 0);
    } finally {
      await mailer.close();
    }
  });
});
