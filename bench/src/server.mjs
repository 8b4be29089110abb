// Benchmark server process: `node --expose-gc server.mjs <chain> <profile>`.
// Prints `READY <port>`; answers IPC `{ cmd: 'memory' }` with heap figures after GC,
// `{ cmd: 'cpu' }` with its CPU time, `{ cmd: 'revoke', user }` by revoking that user.
import { createServer } from 'node:http';
import { performance } from 'node:perf_hooks';
import { writeHeapSnapshot } from 'node:v8';
import { Server } from 'socket.io';
import { loadChains } from './chains.mjs';

const [chainName = 'bare', profile = 'throughput'] = process.argv.slice(2);
const chains = await loadChains();
const install = chains[chainName];
if (install === undefined) {
  console.error(`unknown chain ${chainName}; known: ${Object.keys(chains).join(', ')}`);
  process.exit(2);
}

const http = createServer();
const serverOptions = {
  transports: ['websocket'],
  perMessageDeflate: false,
  ...(install.serverOptions?.(profile) ?? {}),
};
const io = new Server(http, serverOptions);
const handle = (await install(io, profile)) ?? {};
io.on('connection', (socket) => {
  socket.on('chat:send', (message, ack) => {
    if (typeof ack === 'function') ack({ ok: true, text: message?.text });
  });
});

process.on('message', (message) => {
  if (message?.cmd === 'memory') {
    for (let i = 0; i < 3; i++) globalThis.gc?.();
    const { heapUsed, rss } = process.memoryUsage();
    process.send?.({ heapUsed, rss, sockets: io.of('/').sockets.size });
  } else if (message?.cmd === 'cpu') {
    process.send?.({ cpu: process.cpuUsage() });
  } else if (message?.cmd === 'heap-snapshot') {
    for (let i = 0; i < 3; i++) globalThis.gc?.();
    process.send?.({ file: writeHeapSnapshot(message.file) });
  } else if (message?.cmd === 'exit') {
    process.exit(0);
  } else if (message?.cmd === 'revoke') {
    // The clock starts here, on the machine-wide timeline the clients also read.
    const startedAt = performance.timeOrigin + performance.now();
    handle.revokeUser?.(message.user).catch((error) => console.error('revoke failed', error));
    process.send?.({ startedAt });
  }
});

http.listen(0, '127.0.0.1', () => {
  console.log(`READY ${http.address().port}`);
});
