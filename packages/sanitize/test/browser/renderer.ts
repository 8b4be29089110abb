import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startPageServer, type PageServer } from './page-server';

export const CHROMIUM_PATH = '/usr/bin/chromium';

/** Debian's Chromium, headless, with a fresh temporary profile; never a downloaded build. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `The XSS browser test needs Chromium at ${CHROMIUM_PATH} (Debian package "chromium"; .ci/run installs it).`,
    );
  }
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** Something ran that a sanitized message must never run. */
export interface Execution {
  readonly kind: string;
  /** Index in the batch of the message that ran it, when the page could tell. */
  readonly message: number | undefined;
  readonly detail: string;
}

export interface BatchOutcome {
  readonly executions: Execution[];
  /** Elements, attributes or links outside what the basic preset allows. */
  readonly disallowed: string[];
}

const TRAP_TAG = '__portcullis_xss__';

/**
 * Installed in every frame before any of its scripts: alert, confirm, prompt and print
 * report instead of blocking, and every CSP violation (a script, an event handler, a
 * javascript: URL or an eval that ran without the harness's nonce) reports too. Reports
 * go through the console, which reaches the test from any frame, even a cross-origin one.
 */
const TRAPS = `(() => {
  const messageOf = (node) => {
    const element = node && node.nodeType === 1 ? node : node && node.parentElement;
    const message = element && element.closest ? element.closest('.message') : null;
    return message ? message.dataset.index : '-';
  };
  const report = (kind, where, detail) =>
    console.log(${JSON.stringify(TRAP_TAG)}, kind, where, String(detail).slice(0, 160));
  for (const name of ['alert', 'confirm', 'prompt', 'print']) {
    try {
      Object.defineProperty(window, name, {
        configurable: false,
        writable: false,
        value: function () {
          report(name, messageOf(window.event && window.event.target), arguments[0]);
          return name === 'confirm' ? false : null;
        },
      });
    } catch (error) { report('trap-failed', '-', name); }
  }
  document.addEventListener('securitypolicyviolation', (event) => {
    report('csp:' + event.effectiveDirective, messageOf(event.target), event.sample || event.blockedURI);
  }, true);
})();`;

/*
 * The page-side steps below are JavaScript source, evaluated in the page: this package
 * is compiled without the DOM library, on purpose (its code runs on servers).
 */

/**
 * Inserts each result into its own element with innerHTML, then lets load and error
 * events fire (two frames and a pause).
 */
const RENDER = `(htmls) => {
  const root = document.getElementById('messages');
  root.textContent = '';
  htmls.forEach((html, index) => {
    const message = document.createElement('div');
    message.className = 'message';
    message.dataset.index = String(index);
    message.innerHTML = html;
    root.appendChild(message);
  });
  return new Promise((resolve) =>
    requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(resolve, 150))));
}`;

/**
 * Clicks every link. Clicks on http, https and mailto links are stopped before they
 * navigate (they are safe, and the page must stay); any other link is followed, so a
 * javascript: URL runs and trips the traps.
 */
const CLICK_LINKS = `() => {
  const root = document.getElementById('messages');
  root.addEventListener('click', (event) => {
    const link = event.target.closest('a');
    if (link && /^(https?|mailto):$/.test(new URL(link.href, location.href).protocol)) {
      event.preventDefault();
    }
  });
  for (const link of root.querySelectorAll('a')) link.click();
}`;

/** Everything under the messages that the basic preset does not allow. */
const DISALLOWED = `() => {
  const allowedTags = new Set(['B', 'I', 'EM', 'STRONG', 'A']);
  const rel = 'noopener noreferrer nofollow';
  const found = [];
  for (const element of document.querySelectorAll('#messages .message *')) {
    const tag = element.tagName.toLowerCase();
    if (!allowedTags.has(element.tagName)) found.push('<' + tag + '>');
    for (const attribute of element.attributes) {
      const allowed = tag === 'a' && (
        (attribute.name === 'rel' && attribute.value === rel) ||
        (attribute.name === 'href' &&
          /^(https?|mailto):$/.test(new URL(attribute.value, location.href).protocol)));
      if (!allowed) found.push(tag + '[' + attribute.name + '="' + attribute.value.slice(0, 60) + '"]');
    }
    if (tag === 'a' && element.getAttribute('rel') !== rel) found.push('a without rel="' + rel + '"');
  }
  return found;
}`;

function call(source: string, ...args: unknown[]): string {
  return `(${source})(${args.map((arg) => JSON.stringify(arg)).join(', ')})`;
}

/** One Chromium page on a local server, with its traps, reused batch after batch. */
export class Renderer {
  private readonly executions: Execution[] = [];
  private page: Page | undefined;
  private pageServer: PageServer | undefined;
  private reportsSeen = 0;

  constructor(private readonly browser: Browser) {}

  async open(): Promise<void> {
    this.pageServer = await startPageServer();
    const context = await this.browser.newContext();
    await context.addInitScript(TRAPS);
    // Nothing leaves the machine: only the local page server answers.
    await context.route('**/*', (route) =>
      route
        .request()
        .url()
        .startsWith(this.pageServer?.url ?? '\0')
        ? route.continue()
        : route.abort(),
    );
    const page = await context.newPage();
    page.on('console', (message) => {
      const [tag, kind = '?', where = '-', ...detail] = message.text().split(' ');
      if (tag !== TRAP_TAG) return;
      const index = Number.parseInt(where, 10);
      this.executions.push({
        kind,
        message: Number.isNaN(index) ? undefined : index,
        detail: detail.join(' '),
      });
    });
    page.on('dialog', (dialog) => {
      this.executions.push({
        kind: `dialog:${dialog.type()}`,
        message: undefined,
        detail: dialog.message(),
      });
      void dialog.dismiss().catch(() => undefined);
    });
    page.on('pageerror', (error) =>
      this.executions.push({ kind: 'pageerror', message: undefined, detail: error.message }),
    );
    this.page = page;
    await this.goHome();
  }

  private async goHome(): Promise<void> {
    const page = this.page as Page;
    await page.goto(this.pageServer?.url ?? 'about:blank');
    await page.waitForFunction('window.__pageReady === true');
  }

  /** Renders one batch and returns what ran (or is not allowed) because of it. */
  async render(htmls: readonly string[]): Promise<BatchOutcome> {
    const page = this.page as Page;
    const server = this.pageServer as PageServer;
    this.executions.length = 0;
    await page.evaluate(call(RENDER, htmls));
    const disallowed = (await page.evaluate(call(DISALLOWED))) as string[];
    await page.evaluate(call(CLICK_LINKS)).catch((error: Error) => {
      this.executions.push({ kind: 'click-failed', message: undefined, detail: error.message });
    });
    // Let javascript: URLs, load and error handlers and reports settle.
    await page.waitForTimeout(150);
    for (const report of server.reports.slice(this.reportsSeen)) {
      this.executions.push({
        kind: 'csp-report',
        message: undefined,
        detail: report.slice(0, 160),
      });
    }
    this.reportsSeen = server.reports.length;
    if (page.url() !== server.url) {
      this.executions.push({
        kind: 'navigation',
        message: undefined,
        detail: page.url().slice(0, 160),
      });
      await this.goHome();
    }
    return { executions: [...this.executions], disallowed };
  }
}
