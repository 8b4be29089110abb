import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Socket } from 'socket.io';
import { configurePortcullis, type SecurityEvent } from '@portcullis/core';
import { originEngineMiddleware, originGuard } from '@portcullis/origin';
import {
  CHROMIUM_ARGS,
  CHROMIUM_PATH,
  describeBrowser,
  onCleanup,
  startServer,
  type TestServer,
} from '@portcullis/testing';
import { eventCollector } from './helpers';

/**
 * What no Node client can show: what a real browser sends. Debian's Chromium (CI
 * installs it), driven with nothing but a command line: the shared flags of
 * `@portcullis/testing`, a fresh profile, one URL.
 */
const BROWSER_TIMEOUT_MS = 15_000;

/** Opens `url` in a fresh headless Chromium, closed (and its profile deleted) after the test. */
function openInChromium(url: string): void {
  const profile = mkdtempSync(join(tmpdir(), 'portcullis-origin-'));
  const browser = spawn(
    CHROMIUM_PATH,
    [...CHROMIUM_ARGS, '--disable-extensions', `--user-data-dir=${profile}`, url],
    { stdio: 'ignore' },
  );
  onCleanup(
    () =>
      new Promise<void>((resolve) => {
        const done = (): void => {
          clearTimeout(forceKill);
          try {
            // Chromium's helper processes may still be writing the profile for a moment.
            rmSync(profile, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
          } catch {
            // A leftover temporary profile is not worth failing a test for.
          }
          resolve();
        };
        const forceKill = setTimeout(() => browser.kill('SIGKILL'), 3000);
        if (browser.exitCode !== null || browser.signalCode !== null) return done();
        browser.once('exit', done);
        browser.kill('SIGTERM');
      }),
  );
}

/** Resolves when `condition` holds; polls, since the browser runs on its own schedule. */
async function eventually(condition: () => boolean, what: string): Promise<void> {
  const end = Date.now() + BROWSER_TIMEOUT_MS;
  while (!condition()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** A page that connects with socket.io-client and emits `hi` once connected. */
function page(script: string): string {
  return `<!doctype html><html><body><script src="${script}"></script><script>
${'const'} connect = (url, transports) => {
  const socket = io(url, transports ? { transports } : {});
  socket.on('connect', () => socket.emit('hi'));
};
</script>`;
}

function servePage(http: HttpServer, html: string): void {
  http.on('request', (req, res) => {
    if (req.url !== '/') return;
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end(html);
  });
}

async function startPageServer(html: string): Promise<string> {
  const http = createServer();
  servePage(http, html);
  onCleanup(
    () =>
      new Promise<void>((resolve) => {
        http.closeAllConnections();
        http.close(() => resolve());
      }),
  );
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  return `http://localhost:${(http.address() as AddressInfo).port}`;
}

interface Observed {
  greeted: Socket[];
  upgraded: string[];
}

function observe(server: TestServer): Observed {
  const observed: Observed = { greeted: [], upgraded: [] };
  server.io.on('connection', (socket) => {
    socket.on('hi', () => observed.greeted.push(socket));
    socket.conn.on('upgrade', (transport: { name: string }) =>
      observed.upgraded.push(transport.name),
    );
  });
  return observed;
}

describeBrowser('in a real browser (Chromium)', () => {
  it('a same-origin page connects with the default transports, polling then websocket', async () => {
    const { bus, events } = eventCollector();
    const server = await startServer();
    // Both hooks, allowing only the page's own origin.
    configurePortcullis(server.io, { bus });
    server.io.engine.use(originEngineMiddleware({ origins: [server.url], bus }));
    server.io.use(originGuard({ origins: [server.url] }));
    const observed = observe(server);
    servePage(
      server.http,
      `${page('/socket.io/socket.io.js')}<script>connect(undefined)</script></body></html>`,
    );

    openInChromium(`${server.url}/`);
    await eventually(
      () => observed.greeted.length === 1 && observed.upgraded.length === 1,
      'the page to connect and upgrade',
    );
    // The polling handshake of a same-origin page carries no Origin header; the upgrade does.
    const handshake = observed.greeted[0]?.handshake.headers;
    expect(handshake?.origin).toBeUndefined();
    expect(handshake?.['sec-fetch-site']).toBe('same-origin');
    expect(observed.upgraded).toEqual(['websocket']);
    expect(events).toEqual([]);
  });

  it('a cross-site page hijacks an unguarded server over WebSocket, and not a guarded one', async () => {
    const { bus, events } = eventCollector();
    const unguarded = await startServer();
    const guarded = await startServer({
      setup(io) {
        io.engine.use(
          originEngineMiddleware({
            origins: ['https://app.example.com'],
            bus,
            logIntervalMs: false,
          }),
        );
      },
    });
    const onUnguarded = observe(unguarded);
    const onGuarded = observe(guarded);
    // WebSocket has no CORS: without an Origin check, any site's page gets a socket
    // carrying the visitor's cookies.
    const evilSite = await startPageServer(
      `${page(`${unguarded.url}/socket.io/socket.io.js`)}<script>
        connect('${unguarded.url}', ['websocket']);
        connect('${guarded.url}', ['websocket']);
        connect('${guarded.url}');
      </script></body></html>`,
    );

    openInChromium(`${evilSite}/`);
    await eventually(
      () =>
        onUnguarded.greeted.length === 1 &&
        events.some((event) => event.detail?.transport === 'websocket') &&
        events.some((event) => event.detail?.transport === 'polling'),
      'the hijack and both refusals',
    );
    expect(onUnguarded.greeted[0]?.handshake.headers.origin).toBe(evilSite);
    expect(onGuarded.greeted).toEqual([]);
    const refusal = events.find((event) => event.detail?.transport === 'websocket');
    expect(refusal).toMatchObject<Partial<SecurityEvent>>({
      type: 'handshake_refused',
      code: 'ORIGIN_REJECTED',
      origin: evilSite,
      ip: '127.0.0.1',
    });
  });
});
