import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { DEMO_PASSWORD } from '../../src/demo/seed-demo.js';
import { startInboxFixture, type InboxFixture } from '../helpers/inbox-fixture.js';
import { approvedPrintNote, seedPrintCustomers } from '../helpers/print-notes.js';
import { baseUrl, laptopPage, launchChromium, screenshot, signIn } from '../helpers/browser.js';

// In a real Chromium: marketing opens the Print page, starts a run for the waiting cards and
// downloads the manifest for the mail house.
describe('e2e: marketing starts a print run from the web app', () => {
  let fx: InboxFixture;
  let browser: Browser;
  let dataDir: string;

  before(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'rapport-e2e-print-'));
    fx = await startInboxFixture({ DATA_DIR: dataDir });
    await seedPrintCustomers(fx.prisma);
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await fx?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  test('start a run, see it finish, download the manifest', async () => {
    const vi = await approvedPrintNote(fx.prisma, { externalId: 'print-vi', body: 'Chào chị Lan,\n\nCảm ơn chị đã mua Bút chì gỗ óc chó.' });
    await approvedPrintNote(fx.prisma, { externalId: 'print-us', body: 'Dear Jane,\n\nThank you for the Aurora lamp order.', format: 'letter-us' });
    const base = baseUrl(fx.rapport);
    const { page, errors } = await laptopPage(browser);
    await signIn(page, base, 'marketing@rapport.example', DEMO_PASSWORD);
    await page.getByRole('link', { name: 'Print' }).click();
    assert.match(await page.getByRole('heading', { name: /Waiting for the next run/ }).innerText(), /2 due/);

    await page.getByRole('button', { name: 'Start a print run now' }).click();
    await page.waitForURL(/\/print\?notice=started/);
    assert.match(await page.getByRole('status').innerText(), /Print run requested/);
    // The worker renders it; the page shows it once it has finished.
    let finished = false;
    for (let i = 0; i < 60 && !finished; i++) {
      await page.goto(`${base}/print`);
      finished = (await page.locator('[data-run] [data-status]').allInnerTexts()).includes('completed');
      if (!finished) await page.waitForTimeout(1_000);
    }
    assert.ok(finished, 'the run completes and is listed');
    assert.match(await page.getByRole('heading', { name: /Waiting for the next run/ }).innerText(), /0 due/);
    await page.getByRole('heading', { level: 1 }).scrollIntoViewIfNeeded();
    await screenshot(page, 'print-runs', true);

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'manifest.csv' }).click()]);
    const file = await download.path();
    assert.ok(file);
    assert.match(await readFile(file, 'utf8'), new RegExp(vi.deliveryId));
    assert.deepEqual(errors, []);
  });
});
