import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { onCleanup } from '@portcullis/testing';

/** The nonce of the page's own script: any other script, handler or javascript: URL is reported. */
export const HARNESS_NONCE = 'portcullis-harness';

/**
 * A local page to render results in. Its Content-Security-Policy is report-only: it
 * blocks nothing (so a payload that would run does run, and trips the traps), but every
 * inline script, event handler, `javascript:` URL or eval that runs without the
 * harness's nonce is reported, to the page as a `securitypolicyviolation` event and to
 * this server as a POST on /csp-report.
 */
const PAGE = `<!doctype html>
<html><head><meta charset="utf-8"><title>render</title>
<script nonce="${HARNESS_NONCE}">window.__pageReady = true;</script>
</head><body><main id="messages"></main></body></html>`;

export interface PageServer {
  readonly url: string;
  /** CSP violation reports received over HTTP (from any frame). */
  readonly reports: string[];
}

export async function startPageServer(): Promise<PageServer> {
  const reports: string[] = [];
  const server: Server = createServer((request, response) => {
    if (request.method === 'POST' && request.url === '/csp-report') {
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
    if (request.method === 'GET' && request.url === '/') {
      response.writeHead(200, {
        'content-type': 'text/html; charset=utf-8',
        'content-security-policy-report-only': `script-src 'nonce-${HARNESS_NONCE}'; report-uri /csp-report`,
        'cache-control': 'no-store',
      });
      response.end(PAGE);
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
  return { url: `http://127.0.0.1:${port}/`, reports };
}
