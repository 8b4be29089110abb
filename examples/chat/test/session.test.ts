import { chatRun } from './support/chat-run';
import { describeBrowser, newContext, openPage, pageErrors, screenshot } from './support/browser';
import { noticeLog, send, signIn, waitForMessages, waitForNotice } from './support/chat-page';

/**
 * Short lifetimes so the whole life of a session fits in a few seconds: access tokens of
 * 3 s (the server warns 1.5 s before they expire) and a sign-in of 7 s.
 */
const TOKEN_TTL_S = 3;
const SESSION_TTL_S = 7;

describeBrowser('chat: session expiry', () => {
  const run = chatRun('server.mjs', {
    CHAT_TOKEN_TTL_S: String(TOKEN_TTL_S),
    CHAT_SESSION_TTL_S: String(SESSION_TTL_S),
  });

  it('renews tokens in place while the sign-in lasts, then says the session expired', async () => {
    const page = await openPage(await newContext(run.browser), run.url);
    const signedInAt = Date.now();
    await signIn(page, 'alice');

    // Past the first token's expiry: still the first connection, the token renewed in place.
    await page.waitForFunction(
      () => Number.parseInt(document.getElementById('token-renewals')?.textContent ?? '0') >= 2,
      undefined,
      { timeout: 10_000 },
    );
    await page.waitForTimeout(Math.max(0, signedInAt + TOKEN_TTL_S * 1000 + 500 - Date.now()));
    expect(await page.getAttribute('body', 'data-state')).toBe('online');
    expect(await page.getAttribute('body', 'data-connections')).toBe('1');
    await send(page, 'still connected on a renewed token');
    await waitForMessages(page, 1);
    await screenshot(page, 'session-renewed');

    // The sign-in ends: no more tokens, the last one runs out, the server ends the session.
    const ended = await waitForNotice(
      page,
      /Your sign-in has ended; please sign in again\./,
      15_000,
    );
    expect(ended.code).toBe('SESSION_EXPIRED');
    expect(await noticeLog(page)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/Your session expired; refreshing… SESSION_EXPIRED$/),
      ]),
    );
    await page.waitForSelector('#login-view:not([hidden])');
    await screenshot(page, 'session-expired');
    expect(Date.now() - signedInAt).toBeGreaterThanOrEqual((SESSION_TTL_S - 1) * 1000);
    expect(pageErrors.get(page)).toEqual([]);

    const forced = run.chat
      .events()
      .filter((event) => event.type === 'forced_disconnect' && event.userId === 'alice');
    expect(forced.map((event) => event.code)).toEqual(['SESSION_EXPIRED']);
  }, 30_000);
});
