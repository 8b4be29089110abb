import type { Page } from 'playwright-core';
import { chatRun } from './support/chat-run';
import {
  consoleErrors,
  describeBrowser,
  newContext,
  openPage,
  pageErrors,
  screenshot,
} from './support/browser';
import { UI_TIMEOUT_MS, signIn, waitForNotice } from './support/chat-page';

const trial = (page: Page, name: string): Promise<void> =>
  page.click(`#trials button[data-trial="${name}"]`);

/** The code shown in the banner, next to its sentence. */
const bannerCode = (page: Page): Promise<string | null> =>
  page.$eval('#notice-code', (code) => ((code as HTMLElement).hidden ? null : code.textContent));

describeBrowser('chat: the "Try the guards" panel and the notices', () => {
  const run = chatRun();

  it('a first visit logs no error; each trial is refused or cleaned, with its code', async () => {
    const url = run.url;
    const page = await openPage(await newContext(run.browser), url);
    await page.waitForSelector('#login-view:not([hidden])', { timeout: UI_TIMEOUT_MS });
    // No sign-in yet: the page asked for a token and was told there is none, quietly.
    expect(consoleErrors.get(page)).toEqual([]);
    await signIn(page, 'mia');

    await trial(page, 'markup');
    const cleaned = await waitForNotice(page, /posted as text, so it cannot run/);
    expect(cleaned.code).toBe('SANITIZED');
    await page.waitForSelector('#messages .body b', { timeout: UI_TIMEOUT_MS });
    expect(await page.textContent('#messages .body')).toBe(
      '<img src="x" onerror="alert(document.cookie)" /> bold stays',
    );

    await trial(page, 'bad-room');
    expect((await waitForNotice(page, /Room names are/)).code).toBe('VALIDATION_FAILED');
    expect(await bannerCode(page)).toBe('VALIDATION_FAILED');

    await trial(page, 'flood');
    const limited = await waitForNotice(page, /Too many messages; try again in \d+ s/);
    expect(limited.code).toBe('RATE_LIMITED');
    expect(await page.isDisabled('#send-button')).toBe(true);
    await screenshot(page, 'trials');
    expect(pageErrors.get(page)).toEqual([]);
  }, 60_000);

  it('others read "left" when a user logs out; the other tab keeps the code after it', async () => {
    const url = run.url;
    const reader = await openPage(await newContext(run.browser), url);
    await signIn(reader, 'olga');
    const context = await newContext(run.browser);
    const first = await openPage(context, url);
    await signIn(first, 'pete');
    const second = await openPage(context, url);
    await second.waitForSelector('body[data-state=online]', { timeout: UI_TIMEOUT_MS });

    await first.click('#logout');
    await reader.waitForSelector('#messages .system:text("pete left")', {
      timeout: UI_TIMEOUT_MS,
    });
    // The other tab is signed out too, and still shows why, with the code.
    const notice = await waitForNotice(second, /logged out from another tab or device/);
    expect(notice.code).toBe('SESSION_REVOKED');
    expect(await second.isVisible('#login-view')).toBe(true);
    expect(await bannerCode(second)).toBe('SESSION_REVOKED');
    expect(pageErrors.get(second)).toEqual([]);
  }, 60_000);
});
