import type { Page } from 'playwright-core';
import { startAttackerSite } from './support/attacker-site';
import { chatRun } from './support/chat-run';
import { describeBrowser, newContext, openPage, screenshot } from './support/browser';
import { signIn } from './support/chat-page';

interface Attempt {
  connected: boolean;
  message?: string;
}

/**
 * Runs in a page: loads socket.io-client from `clientUrl` and opens a socket to `target`
 * with `token` and every credential the browser has. Written as a string so the test's
 * CommonJS transform leaves its dynamic `import()` alone.
 */
async function openSocket(
  page: Page,
  clientUrl: string,
  target: string,
  token: string,
  transports: string[],
): Promise<Attempt> {
  const options = { transports, withCredentials: true, auth: { token }, reconnection: false };
  return page.evaluate(`(async () => {
    const { io } = await import(${JSON.stringify(clientUrl)});
    return new Promise((resolve) => {
      const socket = io(${JSON.stringify(target)}, { ...${JSON.stringify(options)}, timeout: 5000 });
      socket.on('connect', () => {
        socket.disconnect();
        resolve({ connected: true });
      });
      socket.on('connect_error', (error) => {
        socket.disconnect();
        resolve({ connected: false, message: error.message });
      });
    });
  })()`);
}

describeBrowser('chat: cross-site WebSocket hijacking', () => {
  const run = chatRun();

  it('a page on another origin, with the user signed in, gets no socket and no token', async () => {
    const target = run.url;
    const context = await newContext(run.browser);
    const chatPage = await openPage(context, target);
    await signIn(chatPage, 'alice');
    const token = await chatPage.evaluate(async () => {
      const reply = await fetch('/token', { method: 'POST' });
      return ((await reply.json()) as { token: string }).token;
    });
    // Control: on the chat's own origin, this very token opens a socket.
    const control = await openSocket(
      chatPage,
      '/vendor/socket.io/socket.io.esm.min.js',
      target,
      token,
      ['websocket'],
    );
    expect(control).toEqual({ connected: true });

    // The same browser (same cookies) visits another site, which holds the token too.
    const attackerOrigin = await startAttackerSite();
    const attacker = await openPage(context, attackerOrigin);
    const clientUrl = `${attackerOrigin}/socket.io.esm.min.js`;

    const polling = await openSocket(attacker, clientUrl, target, token, ['polling']);
    const websocket = await openSocket(attacker, clientUrl, target, token, ['websocket']);
    expect(polling.connected).toBe(false);
    expect(websocket.connected).toBe(false);
    expect(websocket.message).toBe('websocket error');

    // It cannot mint a token with the user's cookie either.
    const minted = await attacker.evaluate(async (url) => {
      try {
        const reply = await fetch(`${url}/token`, { method: 'POST', credentials: 'include' });
        return `read ${reply.status}: ${await reply.text()}`;
      } catch (error) {
        return `blocked: ${(error as Error).message}`;
      }
    }, target);
    expect(minted).toMatch(/^blocked/);
    await screenshot(attacker, 'hijack-attacker-page');

    // The server refused both before doing anything (a bare 403) and says so in its log;
    // alice's only connections are her tab and the control socket.
    const refusals = run.chat
      .events()
      .filter((event) => event.code === 'ORIGIN_REJECTED' && event.origin === attackerOrigin);
    expect(refusals.map((event) => event.type)).toEqual(
      expect.arrayContaining(['handshake_refused', 'suspicious']),
    );
    // And the browser did send the sign-in cookie along: only the origin check stood in
    // the way (the log says whether one came, never what it was).
    const tokenRefusal = refusals.find((event) => event.detail?.path === '/token');
    expect(tokenRefusal?.detail?.signedInBrowser).toBe(true);
    expect(run.chat.output()).not.toMatch(/chat_session=/);
    const aliceConnections = run.chat
      .events()
      .filter((event) => event.type === 'connection' && event.userId === 'alice');
    expect(aliceConnections).toHaveLength(2);

    // The user's own tab is untouched.
    expect(await chatPage.getAttribute('body', 'data-state')).toBe('online');
  });
});
