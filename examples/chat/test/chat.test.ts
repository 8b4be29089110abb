import { chatRun } from './support/chat-run';
import { describeBrowser, newContext, openPage, pageErrors, screenshot } from './support/browser';
import {
  UI_TIMEOUT_MS,
  messageTexts,
  send,
  signIn,
  waitForMessages,
  waitForNotice,
} from './support/chat-page';

describeBrowser('chat: signing in and talking', () => {
  const run = chatRun();

  it('two users in two browsers see each other, and the admin reaches everyone', async () => {
    const url = run.url;
    const alice = await openPage(await newContext(run.browser), url);
    const admin = await openPage(await newContext(run.browser), url);
    await signIn(alice, 'alice');
    await signIn(admin, 'admin');

    await send(alice, 'Hello from <b>alice</b> & friends');
    await waitForMessages(admin, 1);
    await send(admin, 'Hi alice, <em>welcome</em>');
    await waitForMessages(alice, 2);
    expect(await messageTexts(alice)).toEqual(['Hello from alice & friends', 'Hi alice, welcome']);
    // The sanitized markup is shown as formatting, built from the page's own allowlist.
    expect(await admin.$eval('#messages .body b', (b) => b.textContent)).toBe('alice');

    // Only the admin has the announcement form; an announcement reaches every room.
    expect(await alice.isVisible('#admin-panel')).toBe(false);
    await admin.fill('#broadcast-text', 'Maintenance at noon');
    await admin.click('#broadcast-form button');
    await alice.waitForSelector('#messages .announcement', { timeout: UI_TIMEOUT_MS });
    expect(await alice.textContent('#messages .announcement .body')).toBe('Maintenance at noon');

    // Rooms: a valid one is joined, an invalid name is explained in a sentence.
    await alice.fill('#join-name', 'random');
    await alice.click('#join-form button');
    await alice.waitForSelector('#room-title:text("#random")', { timeout: UI_TIMEOUT_MS });
    await alice.fill('#join-name', 'Not a room!');
    await alice.click('#join-form button');
    const refusal = await waitForNotice(alice, /Room names are/);
    expect(refusal.code).toBe('VALIDATION_FAILED');
    await alice.click('#room-list button:text("#general")');
    await screenshot(alice, 'chat-two-users');
    expect(pageErrors.get(alice)).toEqual([]);
    expect(pageErrors.get(admin)).toEqual([]);
  });

  it('a flood is refused with "try again in N s", the tab stays connected, then sends again', async () => {
    const page = await openPage(await newContext(run.browser), run.url);
    await signIn(page, 'flooder');
    // The chat allows 5 messages per 5 s per user: submit the form 7 times at once (typing
    // them one by one could take longer than the window on a loaded machine).
    await page.evaluate(() => {
      const input = document.getElementById('message-text') as HTMLTextAreaElement;
      const form = document.getElementById('send-form') as HTMLFormElement;
      for (let index = 0; index < 7; index++) {
        input.value = `message ${index}`;
        form.requestSubmit();
      }
    });
    const notice = await waitForNotice(page, /Too many messages; try again in \d+ s\./);
    expect(notice.code).toBe('RATE_LIMITED');
    expect(await page.isDisabled('#send-button')).toBe(true);
    await screenshot(page, 'chat-rate-limited');
    expect(await page.getAttribute('body', 'data-state')).toBe('online');
    await waitForMessages(page, 5);
    // The countdown ends and sending works again, on the same connection.
    await waitForNotice(page, /You can send messages again/, 15_000);
    await send(page, 'after the wait');
    await waitForMessages(page, 6);
    expect((await messageTexts(page)).slice(-1)).toEqual(['after the wait']);
    expect(await page.getAttribute('body', 'data-connections')).toBe('1');
  }, 30_000);
});
