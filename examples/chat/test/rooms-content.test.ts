import type { Page } from 'playwright-core';
import { chatRun } from './support/chat-run';
import { describeBrowser, newContext, openPage, pageErrors, screenshot } from './support/browser';
import {
  UI_TIMEOUT_MS,
  messageTexts,
  noticeLog,
  send,
  signIn,
  waitForMessages,
  waitForNotice,
} from './support/chat-page';

/** The names in the room list, with `(private)` after the private ones. */
const roomList = (page: Page): Promise<string[]> =>
  page.$$eval('#room-list button', (buttons) =>
    buttons.map((button) => {
      const name = button.firstChild?.textContent ?? '';
      return (button as HTMLElement).dataset.private === 'true' ? `${name} (private)` : name;
    }),
  );

async function joinByName(page: Page, name: string): Promise<void> {
  await page.fill('#join-name', name);
  await page.click('#join-form button');
  await page.waitForSelector(`#room-title:text("#${name}")`, { timeout: UI_TIMEOUT_MS });
}

const trial = (page: Page, name: string): Promise<void> =>
  page.click(`#trials button[data-trial="${name}"]`);

describeBrowser('chat: a private room, content rules and replays, as users see them', () => {
  const run = chatRun();

  it('#backstage opens to the admin and to the invited user, not to others', async () => {
    const url = run.url;
    const [admin, alice, mallory] = await Promise.all(
      ['admin', 'alice', 'mallory'].map(async (name) => {
        const page = await openPage(await newContext(run.browser), url);
        await signIn(page, name);
        return page;
      }),
    );

    // Uninvited: the page says why, with the guard's code.
    await trial(mallory as Page, 'private');
    const refused = await waitForNotice(mallory as Page, /private: an admin has to invite you/);
    expect(refused.code).toBe('FORBIDDEN');
    expect(await roomList(mallory as Page)).toEqual(['#general']);

    // The admin's token carries the capability; the room is marked private.
    await joinByName(admin as Page, 'backstage');
    expect(await roomList(admin as Page)).toEqual(['#general', '#backstage (private)']);
    expect(await (admin as Page).isVisible('#invite-panel')).toBe(true);
    expect(await (alice as Page).isVisible('#invite-panel')).toBe(false);

    // The invitation reaches alice's tab; her "Open" joins with its room token.
    await (admin as Page).fill('#invite-user', 'alice');
    await (admin as Page).click('#invite-form button');
    await waitForNotice(admin as Page, /Invited alice to #backstage/);
    await waitForNotice(alice as Page, /admin invited you to the private room #backstage/);
    await (alice as Page).click('#notice-action');
    await (alice as Page).waitForSelector('#room-title:text("#backstage")', {
      timeout: UI_TIMEOUT_MS,
    });
    expect(await roomList(alice as Page)).toEqual(['#general', '#backstage (private)']);

    await send(admin as Page, 'for the invited only');
    await waitForMessages(alice as Page, 1);
    expect(await messageTexts(alice as Page)).toEqual(['for the invited only']);
    await screenshot(alice as Page, 'private-room');
    // Mallory is still not in it, and asking again changes nothing.
    await trial(mallory as Page, 'private');
    await waitForNotice(mallory as Page, /private: an admin has to invite you/);
    expect(await roomList(mallory as Page)).toEqual(['#general']);

    for (const page of [admin, alice, mallory] as Page[]) {
      expect(pageErrors.get(page)).toEqual([]);
    }
  }, 60_000);

  it('a message posted a fourth time, and a message sent again, are refused and explained', async () => {
    const url = run.url;
    const reader = await openPage(await newContext(run.browser), url);
    const sender = await openPage(await newContext(run.browser), url);
    await signIn(reader, 'reader');
    await signIn(sender, 'spammer');

    // A replay: the very packet of the last message, id and time included.
    await send(sender, 'my one vote');
    await waitForMessages(reader, 1);
    await trial(sender, 'replay');
    const replayed = await waitForNotice(sender, /already delivered: it is not posted twice/);
    expect(replayed.code).toBe('REPLAYED');

    // The same text four times: three are posted, the fourth is refused by the content
    // rules. From another user: the first has used 2 of the 5 messages per 5 s.
    const spammer = await openPage(await newContext(run.browser), url);
    await signIn(spammer, 'spammer2');
    await trial(spammer, 'duplicate');
    const duplicate = await waitForNotice(spammer, /sent that message several times already/);
    expect(duplicate.code).toBe('CONTENT_REJECTED');
    await waitForMessages(reader, 4);
    await reader.waitForTimeout(300);
    const texts = await messageTexts(reader);
    expect(texts[0]).toBe('my one vote');
    expect(texts.slice(1)).toHaveLength(3);
    expect(new Set(texts.slice(1)).size).toBe(1);
    expect((await noticeLog(sender)).join('\n')).toMatch(/already delivered.*REPLAYED/);
    expect((await noticeLog(spammer)).join('\n')).toMatch(/several times.*CONTENT_REJECTED/);
    await screenshot(spammer, 'content-refusals');
    for (const page of [sender, spammer]) {
      expect(await page.getAttribute('body', 'data-state')).toBe('online');
      expect(pageErrors.get(page)).toEqual([]);
    }
  }, 60_000);
});
