import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { onCleanup } from '@portcullis/testing';

/**
 * Debian's Chromium with the project's flags, and the `describe` that skips loudly
 * without it (never in CI): the shared ones of `@portcullis/testing`.
 */
export { CHROMIUM_PATH, describeBrowser, launchChromium } from '@portcullis/testing';

/** Screenshots of the main states, for people reading a failed run (gitignored). */
export const ARTIFACTS_DIR = join(__dirname, '..', 'artifacts');

/**
 * A fresh browser profile (its own cookies), closed after the test. Page errors are
 * collected: a test can assert that the page never threw.
 */
export async function newContext(browser: Browser): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport: { width: 1200, height: 720 } });
  onCleanup(() => context.close());
  return context;
}

/** Page script errors, per page, so a broken page fails the test that opened it. */
export const pageErrors = new WeakMap<Page, string[]>();
/** What the page's console shows as errors (a failed request among them), per page. */
export const consoleErrors = new WeakMap<Page, string[]>();

export async function openPage(context: BrowserContext, url: string): Promise<Page> {
  const page = await context.newPage();
  const errors: string[] = [];
  pageErrors.set(page, errors);
  page.on('pageerror', (error) => errors.push(error.message));
  const logged: string[] = [];
  consoleErrors.set(page, logged);
  page.on('console', (message) => {
    if (message.type() === 'error') logged.push(message.text());
  });
  await page.goto(url);
  return page;
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS_DIR, `${name}.png`) });
}
