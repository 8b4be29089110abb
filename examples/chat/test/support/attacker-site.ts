import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { onCleanup } from '@portcullis/testing';

const socketIoClient = readFileSync(
  join(dirname(require.resolve('socket.io-client/package.json')), 'dist', 'socket.io.esm.min.js'),
);

const PAGE = `<!doctype html>
<html><head><meta charset="utf-8"><title>Free prizes</title></head>
<body><h1>You won!</h1><p>(A page on another origin, trying to use your chat session.)</p></body></html>`;

/**
 * Another origin on this machine (another port of 127.0.0.1): a page the user happens to
 * visit while signed in to the chat. Browsers treat other ports of the same host as the
 * same site, so SameSite cookies of the chat ride along with its requests.
 */
export async function startAttackerSite(): Promise<string> {
  const server = createServer((request, response) => {
    if (request.url === '/socket.io.esm.min.js') {
      response.writeHead(200, { 'Content-Type': 'text/javascript' });
      response.end(socketIoClient);
      return;
    }
    response.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    response.end(PAGE);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onCleanup(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}
