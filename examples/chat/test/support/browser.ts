import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { onCleanup } from '@portcullis/testing';

/** Debian's Chromium (.ci/run installs it); a downloaded browser is never used. */
export const CHROMIUM_PATH = '/usr/bin/chromium';
/** Screenshots of the main states, for people reading a failed run (gitignored). */
export const ARTIFACTS_DIR = join(__dirname, '..', 'artifacts');

const inCi = process.env.CI === 'true' || process.env.CI === '1';
const hasChromium = existsSync(CHROMIUM_PATH);

/**
 * `describe` for browser suites. Without Chromium they are skipped loudly; in CI they
 * run anyway, and `launchChromium` fails them with the reason.
 */
export function describeBrowser(name: string, body: () => void): void {
  if (hasChromium || inCi) {
    describe(name, body);
    return;
  }
  console.warn(
    `\n*** "${name}" SKIPPED: no Chromium at ${CHROMIUM_PATH} (apt-get install chromium).\n`,
  );
  describe.skip(name, body);
}

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `The chat's browser tests need Chromium at ${CHROMIUM_PATH} (Debian package "chromium"; .ci/run installs it).`,
    );
  }
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

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

export async function openPage(context: BrowserContext, url: string): Promise<Page> {
  const page = await context.newPage();
  const errors: string[] = [];
  pageErrors.set(page, errors);
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(url);
  return page;
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS_DIR, `${name}.png`) });
}
