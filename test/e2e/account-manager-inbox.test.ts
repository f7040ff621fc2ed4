import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { DEMO_PASSWORD } from '../../src/demo/seed-demo.js';
import { startSmtpSink } from '../helpers/smtp-sink.js';
import { waitFor } from '../helpers/test-services.js';
import { startInboxFixture, type InboxFixture } from '../helpers/inbox-fixture.js';
import { baseUrl, focused, laptopPage, launchChromium, screenshot, signIn } from '../helpers/browser.js';

// In a real Chromium against a listening Rapport: an account manager signs in, sees only her own
// suggestions, edits one in place, approves it with the keyboard and watches it go out.
describe('e2e: an account manager approves a note in the browser', () => {
  let fx: InboxFixture;
  let smtp: Awaited<ReturnType<typeof startSmtpSink>>;
  let browser: Browser;

  before(async () => {
    smtp = await startSmtpSink();
    fx = await startInboxFixture({ SMTP_URL: smtp.url, MAIL_FROM: 'notes@rapport.example' });
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await fx?.close();
    await smtp?.close();
  });

  test('sign in, see only own suggestions, edit, approve, see it sent', async () => {
    const first = await fx.purchase('cust-1002', 'Aurora desk lamp');
    await fx.purchase('cust-1002', 'Linen tablecloth');
    const toms = await fx.purchase('cust-1001', 'Standing desk');
    const base = baseUrl(fx.rapport);
    const { page, errors } = await laptopPage(browser);

    await page.goto(`${base}/inbox`);
    assert.match(page.url(), /\/login\?next=%2Finbox$/, 'signed out: sent to the login page');
    await signIn(page, base, 'mai.nguyen@rapport.example', DEMO_PASSWORD);
    assert.equal(new URL(page.url()).pathname, '/inbox');

    const cards = page.locator('[data-suggestion]');
    assert.equal(await cards.count(), 2, 'Mai sees her two notes');
    assert.equal(await page.locator(`#s-${toms.id}`).count(), 0, 'and not Tom’s');
    assert.equal(await page.getByText('Jane Doe').count(), 0);
    const card = page.locator(`#s-${first.id}`);
    assert.match(await card.locator('.why').innerText(), /purchase event/);
    assert.match(await card.locator('.evidence').innerText(), /Aurora desk lamp/);
    await screenshot(page, 'inbox');

    // Keyboard: the first card has focus; j/k move between cards, e edits, Escape leaves the field.
    await page.keyboard.press('j');
    assert.equal(await focused(page, 'id'), await cards.nth(1).getAttribute('id'));
    await page.keyboard.press('k');
    assert.equal(await focused(page, 'id'), `s-${first.id}`);
    await page.keyboard.press('e');
    const body = card.getByLabel(/^Note/);
    assert.equal(await focused(page, 'name'), 'body');
    const edited = 'Chào Lan,\n\nCảm ơn chị đã chọn chiếc đèn Aurora — mong nó soi sáng những buổi tối muộn.\n\nMai';
    await body.fill(edited);
    assert.match(await card.locator('[data-preview-body]').innerText(), /soi sáng những buổi tối muộn/, 'the preview follows the edit');
    await page.keyboard.press('Escape');
    await Promise.all([page.waitForURL(/notice=approved/), page.keyboard.press('a')]);
    assert.match(await page.getByRole('status').innerText(), /Approved/);
    assert.equal(await page.locator('[data-suggestion]').count(), 1, 'one note left');

    const mail = await waitFor('the email', async () => smtp.received.find((m) => m.parsed.text?.includes('soi sáng')));
    assert.equal(mail.envelope.to[0], 'lan.tran@saigonsteel.example');
    await waitFor('status sent', async () => (await fx.prisma.suggestion.findUniqueOrThrow({ where: { id: first.id } })).status === 'sent');
    await page.reload();
    const row = page.locator(`[data-recent="${first.id}"]`);
    assert.equal(await row.locator('[data-status]').innerText(), 'sent', 'the inbox shows it sent');

    // Another manager's note by URL: 404, not a peek.
    const other = await page.goto(`${base}/inbox/${toms.id}`);
    assert.equal(other?.status(), 404);
    assert.deepEqual(errors, [], 'no script errors on the pages');
  });
});
