import { request, type IncomingHttpHeaders } from 'node:http';
import type { Server } from 'socket.io';
import { SecurityEventBus, type SecurityEvent } from '@portcullis/core';

/** The origin the tests treat as the application's own site. */
export const GOOD = 'https://example.com';

/** Look-alikes sent through real servers (the full list is in matcher.test.ts). */
export const SERVER_LOOK_ALIKES = [
  'https://example.com.evil.test',
  'https://evilexample.com',
  'http://example.com',
  'https://example.com:8443',
  'https://example.com@evil.test',
  'https://evil.test#example.com',
];

/** Spellings of GOOD that normalisation accepts. */
export const GOOD_SPELLINGS = [
  'https://example.com',
  'HTTPS://EXAMPLE.COM',
  'https://example.com/',
  'https://example.com:443',
];

export function eventCollector(): { bus: SecurityEventBus; events: SecurityEvent[] } {
  const bus = new SecurityEventBus();
  const events: SecurityEvent[] = [];
  bus.on((event) => {
    events.push(event);
  });
  return { bus, events };
}

/** Answers `ping` with `pong`, so a test can prove the server still serves. */
export function echo(io: Server): void {
  io.on('connection', (socket) => {
    socket.on('ping', (ack: (reply: string) => void) => ack('pong'));
  });
}

export interface RawResponse {
  status: number;
  body: string;
  headers?: IncomingHttpHeaders;
}

/** One plain HTTP request to the server, outside socket.io-client. */
export function rawRequest(
  port: number,
  path: string,
  headers: Record<string, string> = {},
  method = 'GET',
  body?: string,
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path, method, headers: { connection: 'close', ...headers } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: text, headers: res.headers }),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * A raw WebSocket upgrade request; resolves with the status the server answered:
 * 101 when it switched protocols (the socket is then closed at once), else the error
 * status. Resolves 0 when the server just closed the connection.
 */
export function rawUpgrade(
  port: number,
  path: string,
  headers: Record<string, string> = {},
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request({
      host: '127.0.0.1',
      port,
      path,
      headers: {
        connection: 'Upgrade',
        upgrade: 'websocket',
        'sec-websocket-version': '13',
        'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==',
        ...headers,
      },
    });
    req.on('upgrade', (_res, socket) => {
      socket.destroy();
      resolve({ status: 101, body: '' });
    });
    req.on('response', (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ECONNRESET') resolve({ status: 0, body: '' });
      else reject(error);
    });
    req.end();
  });
}

export const POLLING_PATH = '/socket.io/?EIO=4&transport=polling';
export const WEBSOCKET_PATH = '/socket.io/?EIO=4&transport=websocket';

/** Opens an Engine.IO polling session with a raw GET; resolves with its sid. */
export async function openPollingSession(port: number, origin: string): Promise<string> {
  const response = await rawRequest(port, POLLING_PATH, { origin });
  if (response.status !== 200) throw new Error(`handshake answered ${response.status}`);
  const { sid } = JSON.parse(response.body.slice(1)) as { sid: string };
  return sid;
}
