/**
 * Shows what a server with the whole preset buffers for clients that stop reading while
 * their room is flooded (64 KiB, 50 times a second), and when it cuts them:
 *
 *   node --import ./loader/register.mjs scripts/slow-reader.ts dead          # cut by the heartbeat
 *   node --import ./loader/register.mjs scripts/slow-reader.ts blind         # cut by the idle timeout
 *   node --import ./loader/register.mjs scripts/slow-reader.ts blind-events  # cut by maxBufferedBytes
 *
 * `blind` clients answer pings without reading (Engine.IO accepts unsolicited pongs);
 * `blind-events` also send a chat message every 500 ms, so no timeout applies: what
 * ends them is idle-timeout's `maxBufferedBytes` (1 MiB for 10 s by default).
 */
import { parseArgs } from 'node:util';
import { HonestClient } from '../src/honest-client';
import { ORIGIN, clientAddress, signToken } from '../src/identity';
import { startServerProcess } from '../src/server-process';
import { WireClient } from '../src/wire/wire-client';
import { PACKAGE_DIR, mb } from './run-support';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    clients: { type: 'string', default: '20' },
    seconds: { type: 'string', default: '15' },
  },
});
const mode = positionals[0] ?? 'blind-events';
if (!['dead', 'blind', 'blind-events'].includes(mode)) throw new Error(`unknown mode ${mode}`);

const server = await startServerProcess({
  packageDir: PACKAGE_DIR,
  config: {
    engine: { pingInterval: 1000, pingTimeout: 1000 },
    idleTimeout: { idleTimeoutMs: 4000 },
  },
});
const honest = await HonestClient.connect(server.url, { room: 'lobby' });
honest.start(500); // an active reader of the same room, for comparison
const baseline = await server.stats({ gc: true });
const timers: NodeJS.Timeout[] = [];
const readers: WireClient[] = [];
for (let index = 0; index < Number(values.clients); index++) {
  const client = await WireClient.open(server.url, {
    origin: ORIGIN,
    forwardedFor: clientAddress(index + 1),
  });
  client.send(`40{"token":"${await signToken(`reader-${index}`)}"}`);
  await client.next((frame) => frame.text.startsWith('40{'));
  client.send('421["chat:join","lobby"]');
  await client.next((frame) => frame.text.startsWith('431['));
  client.pauseReading();
  if (mode !== 'dead') {
    timers.push(
      setInterval(() => {
        client.send('3');
        if (mode === 'blind-events') client.send('42["chat:send",{"roomId":"own","text":"."}]');
      }, 500),
    );
  }
  readers.push(client);
}
const payload = { text: 'x'.repeat(64 * 1024) };
const flood = setInterval(() => void server.broadcast('room:lobby', 'chat:message', payload), 20);
const started = Date.now();
console.log(
  `mode ${mode}: ${readers.length} readers, baseline heap ${mb(baseline.memory.heapUsed)} MB`,
);
while (Date.now() - started < Number(values.seconds) * 1000) {
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const stats = await server.stats();
  console.log(
    `${((Date.now() - started) / 1000).toFixed(0)} s: connections ${stats.engineClients}, heap ${mb(stats.memory.heapUsed)} MB, buffers ${mb(stats.memory.arrayBuffers)} MB, rss ${mb(stats.memory.rss)} MB`,
  );
}
clearInterval(flood);
await honest.stop();
console.log(`honest reader: ${honest.received} messages, ${honest.failures.length} failures`);
const after = await server.stats({ gc: true });
console.log(`after GC: heap ${mb(after.memory.heapUsed)} MB, connections ${after.engineClients}`);
for (const timer of timers) clearInterval(timer);
for (const reader of readers) reader.terminate();
honest.close();
await server.stop();
