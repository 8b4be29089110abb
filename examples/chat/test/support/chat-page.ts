import type { Page } from 'playwright-core';

/** Generous: a loaded 2-core machine, real sockets, real Chromium. */
// Generous: CI runs these pages next to every other suite on two cores.
export const UI_TIMEOUT_MS = 20_000;

/** Signs in through the form, as a user would, and waits until the socket is up. */
export async function signIn(page: Page, name: string): Promise<void> {
  await page.waitForSelector('#login-view:not([hidden])', { timeout: UI_TIMEOUT_MS });
  await page.fill('#login-name', name);
  await page.click('#login-form button[type=submit]');
  await waitOnline(page);
}

export async function waitOnline(page: Page): Promise<void> {
  await page.waitForSelector('body[data-state=online]', { timeout: UI_TIMEOUT_MS });
  // Rooms are joined right after connecting: wait for the first one.
  await page.waitForSelector('#room-list button', { timeout: UI_TIMEOUT_MS });
}

/** Types a message in the current room and presses Enter. */
export async function send(page: Page, text: string): Promise<void> {
  await page.fill('#message-text', text);
  await page.press('#message-text', 'Enter');
}

/** Waits until the conversation shows `count` messages (system lines excluded). */
export async function waitForMessages(page: Page, count: number): Promise<void> {
  await page.waitForFunction(
    (expected) => document.querySelectorAll('#messages .message:not(.system)').length >= expected,
    count,
    { timeout: UI_TIMEOUT_MS },
  );
}

/** The bodies of the messages shown, as the user reads them. */
export async function messageTexts(page: Page): Promise<string[]> {
  return page.$$eval('#messages .message:not(.system) .body', (bodies) =>
    bodies.map((body) => body.textContent ?? ''),
  );
}

/** The banner's sentence and code once it matches `pattern`. */
export async function waitForNotice(
  page: Page,
  pattern: RegExp,
  timeout = UI_TIMEOUT_MS,
): Promise<{ text: string; code: string }> {
  await page.waitForFunction(
    ({ source, flags }) => {
      const banner = document.getElementById('notice');
      const text = document.getElementById('notice-text')?.textContent ?? '';
      return banner !== null && !banner.hidden && new RegExp(source, flags).test(text);
    },
    { source: pattern.source, flags: pattern.flags },
    { timeout },
  );
  return page.$eval('#notice', (banner) => ({
    text: (banner.querySelector('#notice-text')?.textContent ?? '').trim(),
    code: (banner as HTMLElement).dataset.code ?? '',
  }));
}

/** Every entry of the "Security notices" log, oldest first. */
export async function noticeLog(page: Page): Promise<string[]> {
  const entries = await page.$$eval('#notice-log li', (items) =>
    items.map((item) => item.textContent ?? ''),
  );
  return entries.reverse();
}
