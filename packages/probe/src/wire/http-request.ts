import { request as httpRequest, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import { performance } from 'node:perf_hooks';

/** Reads at most `maxBytes` of a response body as text, then stops listening. */
export function readBoundedBody(
  response: IncomingMessage,
  maxBytes: number,
  timeoutMs: number,
): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const finish = (): void => {
      clearTimeout(timer);
      response.removeAllListeners('data');
      resolve(Buffer.concat(chunks).toString('utf8', 0, Math.min(size, maxBytes)));
    };
    const timer = setTimeout(finish, timeoutMs);
    response.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      size += chunk.length;
      if (size >= maxBytes) {
        finish();
        response.destroy();
      }
    });
    response.once('end', finish);
    response.once('close', finish);
    response.once('error', finish);
  });
}

export interface HttpExchange {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  readonly ms: number;
}

export interface HttpRequestOptions {
  readonly method: 'GET' | 'POST';
  readonly headers?: Record<string, string>;
  readonly body?: string;
  readonly lookup: LookupFunction;
  readonly timeoutMs: number;
}

/**
 * One HTTP request to the probed host (address pinned by `lookup`), no redirects
 * followed, at most 64 KiB of the answer read. Rejects on network errors and timeouts.
 */
export function sendHttpRequest(url: URL, options: HttpRequestOptions): Promise<HttpExchange> {
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const headers: Record<string, string> = { ...options.headers };
    if (options.body !== undefined) {
      headers['Content-Length'] = String(Buffer.byteLength(options.body));
    }
    const req = send(
      url,
      { method: options.method, headers, lookup: options.lookup, timeout: options.timeoutMs },
      (response) => {
        const ms = Math.round(performance.now() - started);
        void readBoundedBody(response, 64 * 1024, options.timeoutMs).then((body) =>
          resolve({ status: response.statusCode ?? 0, headers: response.headers, body, ms }),
        );
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${options.timeoutMs} ms`)));
    req.on('error', reject);
    req.end(options.body);
  });
}
