import { mkdir } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { Rapport } from '../../src/main.js';

/** Debian's chromium (`apt-get install chromium`); override with CHROMIUM_PATH. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const SCREENSHOTS = fileURLToPath(new URL('../../docs/screenshots/', import.meta.url));

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

/** The base URL of a Rapport started with HTTP_PORT=0. */
export function baseUrl(rapport: Rapport): string {
  const address = rapport.app!.server.address() as AddressInfo;
  return `http://127.0.0.1:${address.port}`;
}

/** A laptop-sized page; browser errors fail the test instead of passing silently. */
export async function laptopPage(browser: Browser): Promise<{ page: Page; errors: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1366, height: 900 }, locale: 'en-GB' });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(err.message));
  // Resource errors are checked by URL below: a page answering 404 on purpose is not a failure.
  page.on('console', (msg) => {
    if (msg.type() === 'error' && !msg.text().startsWith('Failed to load resource')) errors.push(msg.text());
  });
  page.on('response', (res) => {
    if (res.url().includes('/assets/') && res.status() >= 400) errors.push(`${res.status()} ${res.url()}`);
  });
  return { page, errors };
}

export async function signIn(page: Page, base: string, email: string, password: string): Promise<void> {
  await page.goto(`${base}/login`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((url) => !url.pathname.startsWith('/login'));
}

export async function screenshot(page: Page, name: string, fullPage = false): Promise<void> {
  await mkdir(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: `${SCREENSHOTS}${name}.png`, fullPage });
}

/** An attribute of the focused element (a string expression: the tests compile without DOM types). */
export function focused(page: Page, attribute: 'id' | 'name'): Promise<string | null> {
  return page.evaluate(`document.activeElement?.getAttribute(${JSON.stringify(attribute)}) ?? null`);
}
