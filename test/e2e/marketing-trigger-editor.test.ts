import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { DEMO_PASSWORD } from '../../src/demo/seed-demo.js';
import { startInboxFixture, type InboxFixture } from '../helpers/inbox-fixture.js';
import { baseUrl, laptopPage, launchChromium, screenshot, signIn } from '../helpers/browser.js';

// In a real Chromium: marketing signs in, is refused the inbox, creates a trigger (first with
// mistakes, shown beside their fields), previews it as a dry run, saves it and previews a template.
describe('e2e: marketing creates and previews a trigger', () => {
  let fx: InboxFixture;
  let browser: Browser;

  before(async () => {
    fx = await startInboxFixture();
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await fx?.close();
  });

  test('create a trigger with validation messages, preview it, save it', async () => {
    await fx.purchase('cust-1002', 'Aurora desk lamp');
    await fx.purchase('cust-1001', 'Standing desk');
    const base = baseUrl(fx.rapport);
    const { page, errors } = await laptopPage(browser);
    await signIn(page, base, 'marketing@rapport.example', DEMO_PASSWORD);
    assert.equal(new URL(page.url()).pathname, '/triggers');
    assert.equal((await page.goto(`${base}/inbox`))?.status(), 403, 'marketing has no inbox');

    await page.goto(`${base}/triggers`);
    await page.getByRole('link', { name: 'New trigger' }).click();
    await page.getByLabel('Key').fill('Second Purchase!');
    await page.getByRole('button', { name: 'Save trigger' }).click();
    assert.match(await page.locator('#f-key-error').innerText(), /expected a key like/);
    assert.match(await page.locator('#f-name-error').innerText(), /required|must not be empty/);
    assert.match(await page.locator('#f-eventType-error').innerText(), /required|expected an event type/);
    assert.equal(await page.getByLabel('Key').getAttribute('aria-invalid'), 'true');
    assert.equal(await page.getByLabel('Key').inputValue(), 'Second Purchase!', 'what was typed is kept');

    await page.getByLabel('Key').fill('thank-you-vietnamese');
    await page.getByLabel('Name', { exact: true }).fill('Thank Vietnamese customers after a purchase');
    await page.getByLabel('Source').selectOption('event');
    assert.equal(await page.getByLabel('Signal kinds').isVisible(), false, 'only the chosen source’s fields show');
    await page.getByLabel('Event type').fill('purchase');
    await page.getByLabel('Conditions (JSON, optional)').fill('{"field": "customer.locale", "op": "eq", "value": "vi"');
    await page.getByLabel('Template').selectOption('thank-you');
    await page.getByRole('button', { name: /^Preview/ }).click();
    assert.match(await page.locator('#f-conditions-error').innerText(), /not valid JSON/);

    await page.getByLabel('Conditions (JSON, optional)').fill('{"field": "customer.locale", "op": "eq", "value": "vi"}');
    await page.getByLabel('Expires after (hours, optional)').fill('72');
    await page.getByRole('button', { name: /^Preview/ }).click();
    const heading = await page.locator('#preview-h').innerText();
    assert.match(heading, /Dry run: 1 of 2 would get a note/);
    const rows = page.locator('#preview tbody tr');
    assert.match(await rows.filter({ hasText: 'Trần Thị Lan' }).innerText(), /would draft a note/);
    assert.match(await rows.filter({ hasText: 'Jane Doe' }).innerText(), /excluded[\s\S]*condition/);
    assert.equal(await fx.prisma.trigger.count({ where: { key: 'thank-you-vietnamese' } }), 0, 'a preview saves nothing');
    await page.getByRole('heading', { level: 1 }).scrollIntoViewIfNeeded();
    await screenshot(page, 'trigger-editor', true);

    await page.getByRole('button', { name: 'Save trigger' }).click();
    await page.waitForURL(/\/triggers\?notice=saved/);
    const row = page.getByRole('row', { name: /Thank Vietnamese customers/ });
    assert.match(await row.innerText(), /thank-you-vietnamese[\s\S]*event[\s\S]*thank-you[\s\S]*v1/);
    const saved = await fx.prisma.trigger.findUniqueOrThrow({ where: { key: 'thank-you-vietnamese' }, include: { versions: true } });
    assert.deepEqual((saved.versions[0]!.definition as { conditions: unknown }).conditions, { field: 'customer.locale', op: 'eq', value: 'vi' });

    await row.getByRole('button', { name: /Disable/ }).click();
    assert.equal((await fx.prisma.trigger.findUniqueOrThrow({ where: { id: saved.id } })).enabled, false);

    await page.goto(`${base}/templates`);
    await page.getByRole('link', { name: 'fa', exact: true }).click();
    const preview = page.locator('.email-body');
    assert.equal(await preview.getAttribute('dir'), 'rtl', 'Persian renders right to left');
    assert.match(await preview.innerText(), /Linh/);
    assert.deepEqual(errors, []);
  });
});
