import { connect, type Socket as TcpSocket } from 'node:net';
import { delay, onCleanup } from '@portcullis/testing';
import { HonestClient } from '../src/honest-client';
import { ORIGIN, clientAddress, signToken } from '../src/identity';
import type { ChildServerConfig, ServerStats } from '../src/protocol';
import type { ServerProcess } from '../src/server-process';
import { WireClient } from '../src/wire/wire-client';
import { expectHealthy, presetProcess, report, statsUntil } from './helpers';

/**
 * Short timeouts, so the suite sees every cut within seconds. The same settings at their
 * production values only take longer: they are what bounds these clients.
 */
const TIMEOUTS: ChildServerConfig = {
  // Node's HTTP server: a TCP connection silent for `timeout` ms, or whose request
  // headers are not complete after `headersTimeout` ms, is closed.
  http: {
    timeout: 2000,
    headersTimeout: 2000,
    requestTimeout: 3000,
    connectionsCheckingInterval: 250,
  },
  // Socket.io: join a namespace within `connectTimeout`; answer pings within
  // `pingInterval` + `pingTimeout`.
  engine: { connectTimeout: 1500, pingInterval: 1000, pingTimeout: 1000 },
  // The preset's idle timeout: no application event for this long ends the connection.
  idleTimeout: { idleTimeoutMs: 4000 },
};

/** Heap growth (after GC) the suite tolerates once every slow client has gone. */
const HEAP_SLACK_BYTES = 4 * 2 ** 20;

let address = 0;

function tcp(port: number): Promise<TcpSocket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => resolve(socket));
    socket.once('error', reject);
    onCleanup(() => {
      socket.destroy();
    });
  });
}

const closed = (socket: TcpSocket): Promise<void> =>
  new Promise((resolve) => {
    if (socket.destroyed) resolve();
    else socket.once('close', () => resolve());
  });

/** A socket that joined the main namespace as a new user from an address of its own. */
async function joinedWire(url: string, options: { answerPings?: boolean } = {}) {
  const index = ++address;
  const client = await WireClient.open(url, {
    origin: ORIGIN,
    forwardedFor: clientAddress(index),
    ...options,
  });
  onCleanup(() => client.terminate());
  client.send(`40{"token":"${await signToken(`slow-${index}`)}"}`);
  await client.next((frame) => frame.text.startsWith('40{'));
  return client;
}

async function baselineOf(server: ServerProcess): Promise<ServerStats> {
  return server.stats({ gc: true });
}

describe('slow and half-open clients against the whole preset', () => {
  it('cuts TCP connections that never finish the HTTP handshake, and frees what they held', async () => {
    const server = await presetProcess(TIMEOUTS);
    const honest = await HonestClient.connect(server.url);
    honest.start(200);
    const baseline = await baselineOf(server);
    const started = Date.now();
    // Silent: connect and send nothing. Slowloris: a request line and a header now and
    // then, never the blank line that ends the headers.
    const silent = await Promise.all(Array.from({ length: 150 }, () => tcp(server.port)));
    const slowloris = await Promise.all(Array.from({ length: 150 }, () => tcp(server.port)));
    const answers: string[] = [];
    for (const socket of slowloris) {
      socket.write(`GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: 127.0.0.1\r\n`);
      const trickle = setInterval(() => socket.writable && socket.write('X-Slow: 1\r\n'), 300);
      socket.once('close', () => clearInterval(trickle));
      socket.once('data', (data: Buffer) =>
        answers.push(data.toString().split('\r\n')[0] as string),
      );
    }
    const held = await statsUntil(server, (stats) => stats.httpConnections >= 301);
    await Promise.all([...silent, ...slowloris].map(closed));
    const cutAfterMs = Date.now() - started;
    await honest.stop();
    const after = await statsUntil(server, (stats) => stats.httpConnections === 1, { gc: true });
    report('half-open TCP', {
      sockets: 300,
      heldAtOnce: held.httpConnections,
      allCutAfterSeconds: cutAfterMs / 1000,
      heapMB: [baseline.memory.heapUsed, after.memory.heapUsed].map(
        (bytes) => +(bytes / 2 ** 20).toFixed(1),
      ),
      maxRssMB: Math.round(after.maxRssBytes / 2 ** 20),
    });
    expect(new Set(answers)).toEqual(new Set(['HTTP/1.1 408 Request Timeout']));
    expect(after.memory.heapUsed - baseline.memory.heapUsed).toBeLessThan(HEAP_SLACK_BYTES);
    expect(honest.failures).toEqual([]);
    expect(honest.disconnects).toEqual([]);
    honest.close();
    expectHealthy(server);
  }, 30_000);

  it('cuts WebSockets that never join a namespace, and joined ones that stop answering pings', async () => {
    const server = await presetProcess(TIMEOUTS);
    const honest = await HonestClient.connect(server.url);
    honest.start(200);
    const baseline = await baselineOf(server);
    const unjoined = await Promise.all(
      Array.from({ length: 100 }, async () => {
        const client = await WireClient.open(server.url, {
          origin: ORIGIN,
          forwardedFor: clientAddress(++address),
        });
        onCleanup(() => client.terminate());
        return client;
      }),
    );
    const dead: WireClient[] = [];
    for (let index = 0; index < 50; index++)
      dead.push(await joinedWire(server.url, { answerPings: false }));
    const held = await server.stats();
    expect(held.engineClients).toBe(151);
    expect(held.connectionLimit?.connections).toBe(51);
    // The server closes them: each client sees its connection end.
    await Promise.all([...unjoined, ...dead].map((client) => client.closed));
    const after = await statsUntil(
      server,
      (stats) => stats.engineClients === 1 && stats.connectionLimit?.connections === 1,
      { gc: true },
    );
    await honest.stop();
    report('unjoined and dead WebSockets', {
      unjoined: unjoined.length,
      dead: dead.length,
      closes: [...new Set([...unjoined, ...dead].map((client) => client.closeInfo?.code))],
      heapMB: [baseline.memory.heapUsed, after.memory.heapUsed].map(
        (bytes) => +(bytes / 2 ** 20).toFixed(1),
      ),
    });
    expect(after).toMatchObject({ sockets: 1, rooms: baseline.rooms });
    expect(after.connectionLimit).toMatchObject({ pending: 0, users: 1, ips: 1 });
    expect(after.memory.heapUsed - baseline.memory.heapUsed).toBeLessThan(HEAP_SLACK_BYTES);
    expect(honest.failures).toEqual([]);
    honest.close();
    expectHealthy(server);
  }, 30_000);

  it('cuts clients that stop reading while their room is flooded, with bounded memory', async () => {
    const server = await presetProcess(TIMEOUTS);
    const honest = await HonestClient.connect(server.url, { room: 'lobby' });
    honest.start(200);
    const baseline = await baselineOf(server);
    // Stalled readers: they joined the room, then stop reading their TCP socket. Twenty
    // cannot read the pings either; ten more keep sending pongs blindly, which the
    // heartbeat accepts, but they send no event, so the idle timeout ends them.
    const stalled: WireClient[] = [];
    const blind: WireClient[] = [];
    for (let index = 0; index < 30; index++) {
      const client = await joinedWire(server.url);
      client.send('421["chat:join","lobby"]');
      await client.next((frame) => frame.text.startsWith('431['));
      client.pauseReading();
      if (index < 20) {
        stalled.push(client);
      } else {
        const pong = setInterval(() => client.send('3'), 300);
        void client.closed.then(() => clearInterval(pong));
        onCleanup(() => clearInterval(pong));
        blind.push(client);
      }
    }
    // 64 KiB to the room 50 times a second: 3.2 MB/s per reader that keeps nothing.
    const payload = { text: 'x'.repeat(64 * 1024) };
    const receivedBefore = honest.received;
    const flood = setInterval(
      () => void server.broadcast('room:lobby', 'chat:message', payload),
      20,
    );
    onCleanup(() => clearInterval(flood));
    const started = Date.now();
    let peakHeap = 0;
    let peakBuffers = 0;
    let stalledCutAfterMs: number | undefined;
    let blindCutAfterMs: number | undefined;
    while (Date.now() - started < 12_000 && blindCutAfterMs === undefined) {
      const stats = await server.stats();
      peakHeap = Math.max(peakHeap, stats.memory.heapUsed);
      peakBuffers = Math.max(peakBuffers, stats.memory.arrayBuffers + stats.memory.external);
      if (stalledCutAfterMs === undefined && stats.engineClients <= 11)
        stalledCutAfterMs = Date.now() - started;
      if (stats.engineClients === 1) blindCutAfterMs = Date.now() - started;
      await delay(200);
    }
    clearInterval(flood);
    await honest.stop();
    const after = await statsUntil(server, () => true, { gc: true });
    report('stalled readers under a flood', {
      stalled: stalled.length,
      blindPongs: blind.length,
      floodMBps: 3.2,
      stalledCutAfterSeconds: (stalledCutAfterMs ?? NaN) / 1000,
      blindCutAfterSeconds: (blindCutAfterMs ?? NaN) / 1000,
      heapMB: {
        baseline: +(baseline.memory.heapUsed / 2 ** 20).toFixed(1),
        peak: +(peakHeap / 2 ** 20).toFixed(1),
        after: +(after.memory.heapUsed / 2 ** 20).toFixed(1),
      },
      peakBuffersMB: +(peakBuffers / 2 ** 20).toFixed(1),
      maxRssMB: Math.round(after.maxRssBytes / 2 ** 20),
      honestReceived: honest.received - receivedBefore,
    });
    // Dead readers go after the heartbeat (2 s here), blind ones after the idle timeout
    // (4 s here): the buffers they pinned are freed.
    expect(stalledCutAfterMs).toBeDefined();
    expect(blindCutAfterMs).toBeDefined();
    expect(stalledCutAfterMs as number).toBeLessThan(blindCutAfterMs as number);
    expect(after.engineClients).toBe(1);
    expect(after.memory.heapUsed - baseline.memory.heapUsed).toBeLessThan(HEAP_SLACK_BYTES);
    // The honest reader in the same room got the flood all along.
    expect(honest.received - receivedBefore).toBeGreaterThan(100);
    expect(honest.failures).toEqual([]);
    expect(honest.disconnects).toEqual([]);
    honest.close();
    expectHealthy(server);
  }, 40_000);

  it('cuts clients that stop reading but keep their heartbeat and send events (maxBufferedBytes)', async () => {
    // The idle timeout cannot see these: they answer pings blindly and send an event
    // every second. What ends them is the server's buffer for them staying over
    // `maxBufferedBytes` for `slowReaderGraceMs`.
    const server = await presetProcess({
      ...TIMEOUTS,
      idleTimeout: { idleTimeoutMs: 4000, maxBufferedBytes: 1024 * 1024, slowReaderGraceMs: 2000 },
    });
    const honest = await HonestClient.connect(server.url, { room: 'lobby' });
    honest.start(200);
    const baseline = await baselineOf(server);
    const readers: WireClient[] = [];
    for (let index = 0; index < 10; index++) {
      const client = await joinedWire(server.url);
      client.send('421["chat:join","lobby"]');
      await client.next((frame) => frame.text.startsWith('431['));
      client.pauseReading();
      const pong = setInterval(() => client.send('3'), 300);
      const activity = setInterval(() => client.send('42["chat:join","lobby"]'), 1000);
      const stop = () => {
        clearInterval(pong);
        clearInterval(activity);
      };
      void client.closed.then(stop);
      onCleanup(stop);
      readers.push(client);
    }
    const payload = { text: 'x'.repeat(64 * 1024) };
    const receivedBefore = honest.received;
    const flood = setInterval(
      () => void server.broadcast('room:lobby', 'chat:message', payload),
      20,
    );
    onCleanup(() => clearInterval(flood));
    const started = Date.now();
    let cutAfterMs: number | undefined;
    let peakHeap = 0;
    while (Date.now() - started < 20_000) {
      const stats = await server.stats();
      peakHeap = Math.max(peakHeap, stats.memory.heapUsed);
      if (stats.engineClients === 1) {
        cutAfterMs = Date.now() - started;
        break;
      }
      await delay(200);
    }
    clearInterval(flood);
    await honest.stop();
    const after = await statsUntil(server, () => true, { gc: true });
    report('slow readers with a heartbeat and events', {
      readers: readers.length,
      floodMBps: 3.2,
      cutAfterSeconds: (cutAfterMs ?? NaN) / 1000,
      heapMB: {
        baseline: +(baseline.memory.heapUsed / 2 ** 20).toFixed(1),
        peak: +(peakHeap / 2 ** 20).toFixed(1),
        after: +(after.memory.heapUsed / 2 ** 20).toFixed(1),
      },
      events: after.securityEvents,
      honestReceived: honest.received - receivedBefore,
    });
    expect(cutAfterMs).toBeDefined();
    expect(after.engineClients).toBe(1);
    expect(
      after.securityEvents['forced_disconnect:IDLE_TIMEOUT:idle-timeout'],
    ).toBeGreaterThanOrEqual(readers.length);
    expect(after.memory.heapUsed - baseline.memory.heapUsed).toBeLessThan(HEAP_SLACK_BYTES);
    // The honest reader in the same room kept up, and was never taken for a slow one.
    expect(honest.received - receivedBefore).toBeGreaterThan(100);
    expect(honest.failures).toEqual([]);
    expect(honest.disconnects).toEqual([]);
    honest.close();
    expectHealthy(server);
  }, 45_000);
});
