import type { Browser, BrowserContext, Page } from 'playwright-core';
import { chatRun } from './support/chat-run';
import { describeBrowser, newContext, openPage, pageErrors, screenshot } from './support/browser';
import { messageTexts, send, signIn, waitForMessages } from './support/chat-page';

/**
 * Stored XSS, end to end: a user posts classic payloads through the page, the server
 * validates and sanitizes them (`basic` preset), and another user's page renders them.
 * Nothing may run: the reader's page traps alert/confirm/prompt/print, records every
 * Content-Security-Policy violation (something tried to run and was blocked: the page's
 * own rendering must never get that far), and every link in a message is clicked.
 */
const VECTORS = [
  '<script>alert("script")</script>',
  '<img src=x onerror=alert("img")>',
  '<svg onload=alert("svg")>',
  '<a href="javascript:alert(\'link\')">click me</a>',
  '"><iframe src="javascript:alert(\'frame\')"></iframe>',
  '<b onmouseover=alert("bold")>hover</b>',
  '<details open ontoggle=confirm("toggle")>',
  '&lt;img src=x onerror=prompt("entity")&gt;',
  '<a href="https://example.com/" onclick="alert(\'click\')">a real link</a>',
  '<style>*{background:url("javascript:alert(1)")}</style>styled',
];

/** Installed before any script of the page: records what a payload would do. */
function installTraps(): void {
  const record = (what: string) => () => {
    (window as unknown as { __trapped: string[] }).__trapped.push(what);
  };
  (window as unknown as { __trapped: string[] }).__trapped = [];
  window.alert = record('alert');
  window.confirm = () => (record('confirm')(), false);
  window.prompt = () => (record('prompt')(), null);
  window.print = record('print');
  document.addEventListener('securitypolicyviolation', (event) =>
    record(`csp:${event.violatedDirective}`)(),
  );
}

const trapped = (page: Page): Promise<string[]> =>
  page.evaluate(() => (window as unknown as { __trapped: string[] }).__trapped);

async function reader(browser: Browser, url: string, name: string): Promise<Page> {
  const context: BrowserContext = await newContext(browser);
  await context.addInitScript(installTraps);
  const page = await openPage(context, url);
  page.on('dialog', (dialog) => void dialog.dismiss());
  await signIn(page, name);
  return page;
}

describeBrowser('chat: messages carrying XSS vectors', () => {
  const run = chatRun();

  it("render as inert text in another user's page, with or without formatting", async () => {
    const url = run.url;
    const victim = await reader(run.browser, url, 'victim');
    // Three senders, well under the limit of 5 messages per 5 s per user even when a slow
    // machine stretches the run across a window boundary.
    const senders = [
      await reader(run.browser, url, 'mallory'),
      await reader(run.browser, url, 'eve'),
      await reader(run.browser, url, 'trudy'),
    ];
    // Each message is waited for before the next is typed: three senders' sockets race
    // otherwise, and the order checked below is the order sent.
    for (const [index, vector] of VECTORS.entries()) {
      await send(senders[index % senders.length] as Page, vector);
      await waitForMessages(victim, index + 1);
    }

    // Nothing lost: every payload is there, readable as the text it was.
    const texts = await messageTexts(victim);
    expect(texts).toHaveLength(VECTORS.length);
    expect(texts[0]).toBe('<script>alert("script")</script>');
    // The sanitizer re-writes a refused tag before escaping it (quotes, `/>`): still text.
    expect(texts[1]).toMatch(/^<img src="x" onerror="alert\(.*img.*\)" ?\/?>$/);
    expect(texts.join('\n')).toContain('ontoggle');

    // Only the allowlisted formatting exists as elements, and no attribute can run code.
    const elements = await victim.$$eval('#messages .body *', (nodes) =>
      nodes.map((node) => ({
        tag: node.tagName,
        attributes: [...node.attributes].map((attribute) => attribute.name),
        href: node.getAttribute('href'),
      })),
    );
    for (const element of elements) {
      expect(['B', 'I', 'EM', 'STRONG', 'A']).toContain(element.tag);
      expect(element.attributes.filter((name) => name.startsWith('on'))).toEqual([]);
      if (element.href !== null) expect(element.href).toMatch(/^(https?|mailto):/);
    }
    // Inserted through @portcullis/client's renderHtml: its `basic` policy keeps href and
    // sets rel on every link.
    expect(elements.filter((element) => element.tag === 'A' && element.href !== null)).toEqual([
      { tag: 'A', attributes: ['href', 'rel'], href: 'https://example.com/' },
    ]);
    expect(await victim.$eval('#messages .body a[href]', (link) => link.getAttribute('rel'))).toBe(
      'noopener noreferrer nofollow',
    );

    // Hover and click everything a payload could hang on.
    for (const link of await victim.$$('#messages .body a:not([href^="http"])')) await link.click();
    for (const bold of await victim.$$('#messages .body b')) await bold.hover();
    await screenshot(victim, 'xss-inert');

    // With formatting off, bodies are plain text nodes.
    await victim.uncheck('#formatting');
    expect(await victim.$$eval('#messages .body *', (nodes) => nodes.length)).toBe(0);
    expect(await messageTexts(victim)).toEqual(texts);

    await victim.waitForTimeout(300);
    for (const page of [victim, ...senders]) {
      expect(await trapped(page)).toEqual([]);
      expect(pageErrors.get(page)).toEqual([]);
    }
  }, 60_000);

  it('the traps work: the same payload inserted raw into the page is caught', async () => {
    const page = await reader(run.browser, run.url, 'control');
    await page.evaluate(() => {
      const probe = document.createElement('div');
      probe.innerHTML = '<img src="/missing.png" onerror="alert(1)">';
      document.body.append(probe);
    });
    await page.waitForFunction(
      () => (window as unknown as { __trapped: string[] }).__trapped.length > 0,
    );
    // The page's CSP blocks the handler; the violation is what the first test looks for.
    expect((await trapped(page))[0]).toMatch(/^csp:script-src/);
  });
});
