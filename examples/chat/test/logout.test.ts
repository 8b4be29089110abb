import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import type { Browser, Page } from 'playwright-core';
import { describeRedis, testRedisUrl } from '@portcullis/testing';
import { startChatProcess, type ChatProcess } from './support/chat-process';
import {
  describeBrowser,
  launchChromium,
  newContext,
  openPage,
  screenshot,
} from './support/browser';
import {
  messageTexts,
  send,
  signIn,
  waitForMessages,
  waitForNotice,
  waitOnline,
} from './support/chat-page';

/** The token the tab holds now (a fresh one from the same sign-in). */
const currentToken = (page: Page): Promise<string> =>
  page.evaluate(async () => {
    const reply = await fetch('/token', { method: 'POST' });
    return ((await reply.json()) as { token: string }).token;
  });

/** Tries a handshake from the page's own origin with `token`; answers the refusal code. */
const handshakeCode = (page: Page, token: string): Promise<string> =>
  page.evaluate(`(async () => {
    const { io } = await import('/vendor/socket.io/socket.io.esm.min.js');
    return new Promise((resolve) => {
      const socket = io({ auth: { token: ${JSON.stringify(token)} }, reconnection: false, transports: ['websocket'] });
      socket.on('connect', () => { socket.disconnect(); resolve('CONNECTED'); });
      socket.on('connect_error', (error) => resolve(error.data?.code ?? error.message));
    });
  })()`);

/**
 * Signs in on `first`, opens `secondUrl` in another tab of the same browser (same
 * sign-in cookie), logs out on `first`, and checks what each tab shows.
 */
async function logoutReachesTheOtherTab(
  browser: Browser,
  firstUrl: string,
  secondUrl: string,
  name: string,
  screenshotName: string,
): Promise<void> {
  const context = await newContext(browser);
  const first = await openPage(context, firstUrl);
  await signIn(first, name);
  const second = await openPage(context, secondUrl);
  await waitOnline(second);
  const oldToken = await currentToken(second);

  await first.click('#logout');
  await waitForNotice(first, /^You are logged out\.$/);
  const notice = await waitForNotice(second, /You were logged out from another tab or device\./);
  expect(notice.code).toBe('SESSION_REVOKED');
  await second.waitForSelector('#login-view:not([hidden])');
  expect(await second.getAttribute('body', 'data-state')).toBe('signed-out');
  await screenshot(second, screenshotName);

  // The revoked session's tokens are refused at the handshake too, not only cut.
  expect(await handshakeCode(second, oldToken)).toBe('SESSION_REVOKED');
  // And a reload finds no sign-in.
  await second.reload();
  await second.waitForSelector('#login-view:not([hidden])');
  expect(new URL(second.url()).origin).toBe(new URL(secondUrl).origin);
}

describeBrowser('chat: logging out in one tab', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });

  describe('on one node', () => {
    let chat: ChatProcess;
    beforeAll(async () => {
      chat = await startChatProcess('server.mjs');
    });
    afterAll(async () => {
      await chat?.stop();
    });

    it('disconnects the other tab with "logged out elsewhere"', async () => {
      const url = chat.urls[0] as string;
      await logoutReachesTheOtherTab(browser, url, url, 'alice', 'logout-other-tab');
      // Everyone else keeps chatting.
      const bob = await openPage(await newContext(browser), url);
      await signIn(bob, 'bob');
      await send(bob, 'still here');
      await waitForMessages(bob, 1);
    });
  });

  describeRedis('on two nodes behind the Redis adapter', () => {
    // Keys and channels of this run only, removed afterwards.
    const prefix = `chat-test-${randomUUID()}`;
    let chat: ChatProcess;
    beforeAll(async () => {
      chat = await startChatProcess('cluster.mjs', {
        REDIS_URL: testRedisUrl(),
        CHAT_REDIS_PREFIX: prefix,
      });
    }, 30_000);
    afterAll(async () => {
      await chat?.stop();
      const redis = new Redis(testRedisUrl(), { lazyConnect: true });
      try {
        await redis.connect();
        const keys: string[] = [];
        for await (const batch of redis.scanStream({ match: `${prefix}:*`, count: 500 })) {
          keys.push(...(batch as string[]));
        }
        if (keys.length > 0) await redis.del(...keys);
      } finally {
        redis.disconnect();
      }
    });

    it('messages cross nodes, and a logout on node a cuts the tab on node b', async () => {
      const [nodeA, nodeB] = chat.urls as [string, string];
      expect(nodeA).not.toBe(nodeB);

      // Two users on different nodes talk through the adapter.
      const carol = await openPage(await newContext(browser), nodeA);
      const dave = await openPage(await newContext(browser), nodeB);
      await signIn(carol, 'carol');
      await signIn(dave, 'dave');
      expect(await carol.textContent('#node-name')).toBe('a');
      expect(await dave.textContent('#node-name')).toBe('b');
      await send(carol, 'hello from node a');
      await waitForMessages(dave, 1);
      expect(await messageTexts(dave)).toEqual(['hello from node a']);

      // One user, one tab per node: the logout on a reaches the socket on b.
      await logoutReachesTheOtherTab(browser, nodeA, nodeB, 'erin', 'logout-other-node');
    }, 40_000);
  });
});
