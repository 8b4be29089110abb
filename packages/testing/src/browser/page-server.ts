import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { onCleanup } from '../cleanup';

/** The nonce of the page's own scripts: any other script, handler or javascript: URL is reported. */
export const HARNESS_NONCE = 'portcullis-harness';

/** Answers one GET path of the page server (a token endpoint, a fixture). */
export type PageRoute = (request: IncomingMessage, response: ServerResponse) => void;

export interface PageServerOptions {
  /**
   * ES modules the page may import, by specifier: `{ dompurify: '/abs/purify.es.mjs' }`.
   * Each is served under `/modules/` and mapped by the page's import map; the CSP allows
   * exactly these URLs besides the nonce, so loading them reports nothing.
   */
  readonly modules?: Readonly<Record<string, string>>;
  /**
   * A module script run by the page (with the nonce) before it counts as ready, e.g.
   * `import * as render from 'x'; window.render = render;`.
   */
  readonly bootstrap?: string;
  /** Extra GET routes by path, e.g. `{ '/token': (request, response) => … }`. */
  readonly routes?: Readonly<Record<string, PageRoute>>;
}

export interface PageServer {
  /** The page: `http://127.0.0.1:<port>/`. */
  readonly url: string;
  /** `http://127.0.0.1:<port>`, for an origin allowlist. */
  readonly origin: string;
  /** CSP violation reports received over HTTP (from any frame). */
  readonly reports: string[];
}

function moduleUrl(specifier: string): string {
  return `/modules/${specifier.replace(/[^A-Za-z0-9.-]+/g, '_')}.js`;
}

/** The page: a nonce'd ready flag, or the import map and the bootstrap module that sets it. */
function pageHtml(options: PageServerOptions): string {
  const modules = options.modules ?? {};
  const imports = Object.fromEntries(
    Object.keys(modules).map((specifier) => [specifier, moduleUrl(specifier)]),
  );
  const head =
    options.bootstrap === undefined && Object.keys(modules).length === 0
      ? `<script nonce="${HARNESS_NONCE}">window.__pageReady = true;</script>`
      : `<script nonce="${HARNESS_NONCE}" type="importmap">${JSON.stringify({ imports })}</script>
<script nonce="${HARNESS_NONCE}" type="module">
${options.bootstrap ?? ''}
window.__pageReady = true;
</script>`;
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>render</title>
${head}
</head><body><main id="messages"></main></body></html>`;
}

/**
 * A local page to render results in. Its Content-Security-Policy is report-only: it
 * blocks nothing (so a payload that would run does run, and trips the traps), but every
 * inline script, event handler, `javascript:` URL or eval that runs without the
 * harness's nonce, and every script from anywhere but the listed modules, is reported,
 * to the page as a `securitypolicyviolation` event and to this server as a POST on
 * /csp-report.
 */
export async function startPageServer(options: PageServerOptions = {}): Promise<PageServer> {
  const reports: string[] = [];
  const files = new Map(
    Object.entries(options.modules ?? {}).map(([specifier, file]) => [
      moduleUrl(specifier),
      readFileSync(file),
    ]),
  );
  const page = pageHtml(options);
  let origin = '';
  const server: Server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    if (request.method === 'POST' && path === '/csp-report') {
      let body = '';
      request.setEncoding('utf8');
      request.on('data', (chunk: string) => {
        if (body.length < 4096) body += chunk;
      });
      request.on('end', () => {
        reports.push(body);
        response.writeHead(204).end();
      });
      return;
    }
    if (request.method === 'GET' && path === '/') {
      const scripts = [...files.keys()].map((url) => `${origin}${url}`).join(' ');
      response.writeHead(200, {
        'content-type': 'text/html; charset=utf-8',
        'content-security-policy-report-only': `script-src 'nonce-${HARNESS_NONCE}' ${scripts}; report-uri /csp-report`,
        'cache-control': 'no-store',
      });
      response.end(page);
      return;
    }
    const file = request.method === 'GET' ? files.get(path) : undefined;
    if (file !== undefined) {
      response.writeHead(200, {
        'content-type': 'text/javascript; charset=utf-8',
        'cache-control': 'no-store',
      });
      response.end(file);
      return;
    }
    const route = request.method === 'GET' ? options.routes?.[path] : undefined;
    if (route !== undefined) {
      route(request, response);
      return;
    }
    // Images and other resources a payload points at fail to load, firing error events.
    response.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
  });
  onCleanup(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  origin = `http://127.0.0.1:${port}`;
  return { url: `${origin}/`, origin, reports };
}
