import type { Browser, Page } from 'playwright-core';
import { startPageServer, type PageServer, type PageServerOptions } from './page-server';

/** Something ran that rendered content must never run. */
export interface Execution {
  readonly kind: string;
  /** Index in the batch of the message that ran it, when the page could tell. */
  readonly message: number | undefined;
  readonly detail: string;
  /** A CSP violation the page reported on a document rather than on an element. */
  readonly onDocument?: true;
}

export interface BatchOutcome {
  readonly executions: Execution[];
  /** Elements, attributes or links outside what `allowed` allows. */
  readonly disallowed: string[];
}

/** What rendered messages may contain; anything else is listed as `disallowed`. */
export interface AllowedMarkup {
  /** Lower-case tag names. */
  readonly tags: readonly string[];
  /** The `rel` every link must have (and may have as its only attribute besides href). */
  readonly linkRel: string;
}

/** The `basic` preset of @portcullis/sanitize: b, i, em, strong, and http/https/mailto links. */
export const BASIC_MARKUP: AllowedMarkup = {
  tags: ['b', 'i', 'em', 'strong', 'a'],
  linkRel: 'noopener noreferrer nofollow',
};

/** No markup at all: text only. */
export const NO_MARKUP: AllowedMarkup = { tags: [], linkRel: 'noopener noreferrer nofollow' };

/** Inserts a string with innerHTML: what a careless page does, and the control of every test. */
export const INSERT_WITH_INNER_HTML = '(element, html) => { element.innerHTML = html; }';

export interface RendererOptions {
  /**
   * JavaScript source of `(element, html) => void | Promise<void>`, evaluated in the page
   * (it may use what `page.bootstrap` put on `window`). Default `INSERT_WITH_INNER_HTML`.
   */
  readonly insert?: string;
  /** Default `BASIC_MARKUP`. */
  readonly allowed?: AllowedMarkup;
  /** The page's modules, bootstrap and extra routes. */
  readonly page?: PageServerOptions;
  /**
   * The insert step parses its input in an inert document first (a client-side
   * sanitizer: DOMPurify parses with DOMParser). Chromium reports a CSP violation for
   * every inline handler it merely parses, even in an inert document where nothing can
   * ever run. With this set, each batch is first parsed with DOMParser alone and the
   * violations that parsing causes, per directive, are the allowance: only violations
   * beyond it count as executions. Traps, dialogs and navigations always count.
   * Default false.
   */
  readonly excuseInertParse?: boolean;
}

/**
 * Hand-written probes, one per trap, each with the kind of report it must cause when
 * inserted raw: proof that the page would notice an execution.
 */
export const TRAP_PROBES: readonly (readonly [html: string, kind: string])[] = [
  ['<img src="/missing.png" onerror="alert(\'img\')">', 'alert'],
  ['<img src="/missing.png" onerror="void 0">', 'csp:script-src-attr'],
  ['<a href="javascript:prompt(\'link\')">click me</a>', 'prompt'],
  ['<a href="javascript:void 0">click me</a>', 'csp:script-src-elem'],
  ['<details open ontoggle="confirm(\'toggle\')"></details>', 'confirm'],
  ['<iframe srcdoc="<script>print()</script>"></iframe>', 'print'],
  ['<svg><animate onbegin="alert(\'svg\')" attributeName="x" dur="1s"></animate></svg>', 'alert'],
];

const TRAP_TAG = '__portcullis_xss__';

/** How long no new CSP report must arrive before a step's reports count as complete. */
const REPORTS_QUIET_MS = 120;
const REPORTS_SETTLE_MAX_MS = 2_000;

/**
 * Installed in every frame before any of its scripts: alert, confirm, prompt and print
 * report instead of blocking, and every CSP violation (a script, an event handler, a
 * javascript: URL or an eval that ran without the harness's nonce) reports too. Reports
 * go through the console, which reaches the test from any frame, even a cross-origin one.
 */
const TRAPS = `(() => {
  const messageOf = (node) => {
    if (node && node.nodeType === 9) return 'doc';
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
 * Inserts each string into its own element with the insert step, then lets load and
 * error events fire (two frames and a pause).
 */
const RENDER = `async (htmls, insert) => {
  const root = document.getElementById('messages');
  root.textContent = '';
  for (const [index, html] of htmls.entries()) {
    const message = document.createElement('div');
    message.className = 'message';
    message.dataset.index = String(index);
    root.appendChild(message);
    await insert(message, html);
  }
  await new Promise((resolve) =>
    requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(resolve, 150))));
}`;

/** Parses each string in an inert document, as a client-side sanitizer does, and waits. */
const PARSE_INERT = `(htmls) => {
  for (const html of htmls) new DOMParser().parseFromString(html, 'text/html');
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

/** Everything under the messages that `allowed` does not allow. */
const DISALLOWED = `(allowed) => {
  const allowedTags = new Set(allowed.tags);
  const rel = allowed.linkRel;
  const found = [];
  for (const element of document.querySelectorAll('#messages .message *')) {
    const tag = element.tagName.toLowerCase();
    if (!allowedTags.has(tag)) found.push('<' + tag + '>');
    for (const attribute of element.attributes) {
      const ok = tag === 'a' && (
        (attribute.name === 'rel' && attribute.value === rel) ||
        (attribute.name === 'href' &&
          /^(https?|mailto):$/.test(new URL(attribute.value, location.href).protocol)));
      if (!ok) found.push(tag + '[' + attribute.name + '="' + attribute.value.slice(0, 60) + '"]');
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
  private currentPage: Page | undefined;
  private pageServer: PageServer | undefined;
  private reportsSeen = 0;
  private readonly insert: string;
  private readonly allowed: AllowedMarkup;

  constructor(
    private readonly browser: Browser,
    private readonly options: RendererOptions = {},
  ) {
    this.insert = options.insert ?? INSERT_WITH_INNER_HTML;
    this.allowed = options.allowed ?? BASIC_MARKUP;
  }

  /** The page, for steps of a test's own (after `open`). */
  get page(): Page {
    if (this.currentPage === undefined) throw new Error('Renderer: call open() first.');
    return this.currentPage;
  }

  /** The page server (after `open`): its URL, origin and CSP reports. */
  get server(): PageServer {
    if (this.pageServer === undefined) throw new Error('Renderer: call open() first.');
    return this.pageServer;
  }

  async open(): Promise<void> {
    this.pageServer = await startPageServer(this.options.page);
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
        ...(where === 'doc' ? { onDocument: true as const } : {}),
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
    this.currentPage = page;
    await this.goHome();
  }

  private async goHome(): Promise<void> {
    await this.page.goto(this.server.url);
    await this.page.waitForFunction('window.__pageReady === true');
  }

  /**
   * Renders one batch with the insert step, checks what it left against `allowed`,
   * clicks every link, and returns what ran because of it.
   */
  async render(htmls: readonly string[], insert: string = this.insert): Promise<BatchOutcome> {
    const page = this.page;
    const server = this.server;
    this.executions.length = 0;
    const allowance =
      this.options.excuseInertParse === true ? await this.inertParseAllowance(htmls) : undefined;
    await page.evaluate(`(${RENDER})(${JSON.stringify(htmls)}, (${insert}))`);
    const disallowed = (await page.evaluate(call(DISALLOWED, this.allowed))) as string[];
    await page.evaluate(call(CLICK_LINKS)).catch((error: Error) => {
      this.executions.push({ kind: 'click-failed', message: undefined, detail: error.message });
    });
    // Let javascript: URLs, load and error handlers and reports settle.
    await page.waitForTimeout(150);
    await this.reportsSettled();
    for (const report of this.newReports()) {
      this.executions.push({ kind: 'csp-report', message: undefined, detail: report });
    }
    if (page.url() !== server.url) {
      this.executions.push({
        kind: 'navigation',
        message: undefined,
        detail: page.url().slice(0, 160),
      });
      await this.goHome();
    }
    const executions =
      allowance === undefined ? [...this.executions] : excuse(this.executions, allowance);
    return { executions, disallowed };
  }

  /**
   * Waits until no CSP report has arrived for a quiet spell (2 s at most). Reports come
   * over HTTP, after the violation: one that arrives late would otherwise be counted
   * against the next step (a report of the inert parse as an execution of the render).
   */
  private async reportsSettled(): Promise<void> {
    const deadline = Date.now() + REPORTS_SETTLE_MAX_MS;
    let count = -1;
    while (count !== this.server.reports.length && Date.now() < deadline) {
      count = this.server.reports.length;
      await this.page.waitForTimeout(REPORTS_QUIET_MS);
    }
  }

  /** CSP reports received over HTTP since the last call: `directive: report` (cut short). */
  private newReports(): string[] {
    const reports = this.server.reports
      .slice(this.reportsSeen)
      .map((report) => `${directiveOf(report)}: ${report.slice(0, 160)}`);
    this.reportsSeen = this.server.reports.length;
    return reports;
  }

  /**
   * Parses the batch in an inert document and returns the CSP violations on the
   * document that this alone caused, by kind. They are taken out of the executions;
   * anything else the parse caused stays there.
   */
  private async inertParseAllowance(htmls: readonly string[]): Promise<Map<string, number>> {
    await this.page.evaluate(call(PARSE_INERT, htmls));
    await this.page.waitForTimeout(150);
    await this.reportsSettled();
    const allowance = new Map<string, number>();
    const allow = (key: string): void => {
      allowance.set(key, (allowance.get(key) ?? 0) + 1);
    };
    const kept = this.executions.filter((execution) => {
      if (!execution.kind.startsWith('csp:')) return true;
      allow(execution.kind);
      return false;
    });
    this.executions.splice(0, this.executions.length, ...kept);
    for (const report of this.newReports()) allow(`csp-report:${directiveOf(report)}`);
    return allowance;
  }
}

function directiveOf(report: string): string {
  return /"effective-directive":"([^"]*)"/.exec(report)?.[1] ?? '?';
}

/**
 * The executions left once the allowance of an inert parse is used up. Violations seen
 * in the page are counted one by one. Chromium sends each distinct violation (directive
 * and source location) over HTTP once per page, so reports can't be counted that way: a
 * report is excused when the inert parse caused in-page violations of its directive,
 * which are themselves counted exactly.
 */
function excuse(executions: readonly Execution[], allowance: Map<string, number>): Execution[] {
  const left = new Map(allowance);
  return executions.filter((execution) => {
    if (execution.kind === 'csp-report') {
      const directive = execution.detail.slice(0, execution.detail.indexOf(':'));
      return !allowance.has(`csp:${directive}`) && !allowance.has(`csp-report:${directive}`);
    }
    // Counted whatever their target: a sanitizer moves the nodes it keeps into the page,
    // and Chromium dispatches the parse's violation later, on the node where it then is.
    if (!execution.kind.startsWith('csp:')) return true;
    const remaining = left.get(execution.kind) ?? 0;
    if (remaining === 0) return true;
    left.set(execution.kind, remaining - 1);
    return false;
  });
}

export interface RenderReport {
  readonly executions: (Execution & { readonly batch: string[] })[];
  /** Indexes (in `htmls`) of the messages the page could tie an execution to. */
  readonly executedVectors: Set<number>;
  readonly disallowed: string[];
}

/** Renders `htmls` in batches of `batchSize` and gathers what ran. */
export async function renderAll(
  renderer: Renderer,
  htmls: readonly string[],
  batchSize = 40,
  insert?: string,
): Promise<RenderReport> {
  const report = {
    executions: [] as (Execution & { batch: string[] })[],
    executedVectors: new Set<number>(),
    disallowed: [] as string[],
  };
  for (let start = 0; start < htmls.length; start += batchSize) {
    const batch = htmls.slice(start, start + batchSize);
    const outcome = await renderer.render(batch, insert);
    for (const execution of outcome.executions) {
      report.executions.push({ ...execution, batch: batch.map((html) => html.slice(0, 80)) });
      if (execution.message !== undefined) report.executedVectors.add(start + execution.message);
    }
    report.disallowed.push(...outcome.disallowed);
  }
  return report;
}
