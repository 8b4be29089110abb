import { existsSync } from 'node:fs';
import type { Browser } from 'playwright-core';

/** Debian's Chromium (package `chromium`); never a downloaded build. */
export const CHROMIUM_PATH = '/usr/bin/chromium';

/** Headless, nothing leaving the machine on its own (no sync, updates, QUIC, first-run). */
export const CHROMIUM_ARGS: readonly string[] = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export function hasChromium(): boolean {
  return existsSync(CHROMIUM_PATH);
}

/**
 * Launches the system Chromium with `CHROMIUM_ARGS`. Playwright gives every launch a
 * fresh temporary profile (no cookies, cache or storage from an earlier run) and deletes
 * it on `close()`. Throws, saying how to install it, when Chromium is missing.
 */
export async function launchChromium(): Promise<Browser> {
  if (!hasChromium()) {
    throw new Error(
      `Browser tests need Chromium at ${CHROMIUM_PATH} (Debian package "chromium"; .ci/run installs it).`,
    );
  }
  // Loaded here, not at the top: every test file imports this package, few need a browser.
  const { chromium } = await import('playwright-core');
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: [...CHROMIUM_ARGS] });
}
