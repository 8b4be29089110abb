import { launchChromium, type Browser } from '@portcullis/testing';
import { startChatProcess, type ChatProcess } from './chat-process';

/** What the browser tests of one `describe` share: a Chromium and a chat server process. */
export interface ChatRun {
  readonly browser: Browser;
  readonly chat: ChatProcess;
  /** The first node's URL. */
  readonly url: string;
}

/**
 * Starts Chromium and the chat (`server.mjs`, or `cluster.mjs` with its two nodes, with
 * `env`) before the tests of the calling `describe`, and stops both after them.
 */
export function chatRun(
  script: 'server.mjs' | 'cluster.mjs' = 'server.mjs',
  env: Record<string, string> = {},
): ChatRun {
  let browser: Browser | undefined;
  let chat: ChatProcess | undefined;
  beforeAll(async () => {
    [browser, chat] = await Promise.all([launchChromium(), startChatProcess(script, env)]);
  }, 30_000);
  afterAll(async () => {
    await Promise.all([browser?.close(), chat?.stop()]);
  });
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('the chat run has not started (used outside a test?)');
    return value;
  };
  return {
    get browser() {
      return started(browser);
    },
    get chat() {
      return started(chat);
    },
    get url() {
      return started(chat).urls[0] as string;
    },
  };
}
