import type { Server, Socket as ServerSocket } from 'socket.io';
import { replayGuard, type ReplayGuardOptions } from '@portcullis/content';
import {
  SecurityEventBus,
  configurePortcullis,
  usePacketGuards,
  type PacketGuard,
  type SecurityEvent,
} from '@portcullis/core';
import { createClient, startServer, waitFor, type ClientOptions } from '@portcullis/testing';
import { guardClient, isRefusal, type GuardClientOptions, type GuardErrorInfo } from '../src';

const MESSAGE_ID = /^[A-Za-z0-9_-]{8,128}$/;

type Handler = (socket: ServerSocket, payload: unknown, ack: (reply: unknown) => void) => void;

interface ReplayServer {
  url: string;
  /** First arguments of every `vote:cast` packet that reached the server, refused or not. */
  arrivals: Record<string, unknown>[];
  /** First arguments the handler ran for. */
  handled: Record<string, unknown>[];
  /** Codes of the packets the server refused. */
  refusals: string[];
}

/**
 * A real server with `@portcullis/content`'s replayGuard on `vote:cast` and `poll:vote`
 * (renamed fields), behind a guard that records every packet as it arrives.
 */
async function replayServer(
  options: Partial<ReplayGuardOptions> = {},
  handler: Handler = (_socket, _payload, ack) => ack({ ok: true }),
): Promise<ReplayServer> {
  const arrivals: Record<string, unknown>[] = [];
  const handled: Record<string, unknown>[] = [];
  const refusals: string[] = [];
  const bus = new SecurityEventBus();
  bus.on((event: SecurityEvent) => {
    if (event.type === 'packet_refused' && event.code !== undefined) refusals.push(event.code);
  });
  const recorder: PacketGuard = {
    guardName: 'recorder',
    check(_socket, packet) {
      if (packet[0] === 'vote:cast') arrivals.push(packet[1] as Record<string, unknown>);
      return undefined;
    },
  };
  const server = await startServer<Server>({
    setup(io) {
      configurePortcullis(io, { bus, escalation: false });
      usePacketGuards(
        io,
        recorder,
        replayGuard({
          events: { 'vote:cast': true, 'poll:vote': { idField: 'id', timeField: 'at' } },
          ...options,
        }),
      );
      io.on('connection', (socket) => {
        for (const event of ['vote:cast', 'poll:vote', 'chat:send']) {
          socket.on(event, (payload: Record<string, unknown>, ack?: (reply: unknown) => void) => {
            handled.push(payload);
            handler(socket, payload, (reply) => ack?.(reply));
          });
        }
      });
    },
  });
  return { url: server.url, arrivals, handled, refusals };
}

async function connectedGuard(
  url: string,
  options: GuardClientOptions = {},
  clientOptions: ClientOptions = {},
) {
  const socket = createClient(url, { autoConnect: false, ...clientOptions });
  const refusals: GuardErrorInfo[] = [];
  const guard = guardClient(socket, {
    replayEvents: ['vote:cast'],
    onRefusal: (info) => refusals.push(info),
    ...options,
  });
  socket.connect();
  await waitFor(socket, 'connect');
  return { socket, guard, refusals };
}

describe('guard.emitWithAck on replay events', () => {
  it('adds an id and a send time to a copy of the first argument, keeping the app’s own', async () => {
    const server = await replayServer();
    const { guard } = await connectedGuard(server.url, {
      replayEvents: { 'vote:cast': true, 'poll:vote': { idField: 'id', timeField: 'at' } },
    });
    const vote = { choice: 'a' };
    const before = Date.now();
    expect(await guard.emitWithAck('vote:cast', vote)).toEqual({ ok: true });
    expect(vote).toEqual({ choice: 'a' });
    const [stamped] = server.handled as [Record<string, unknown>];
    expect(stamped.choice).toBe('a');
    expect(stamped.messageId).toMatch(MESSAGE_ID);
    expect(stamped.sentAt).toBeGreaterThanOrEqual(before);
    expect(stamped.sentAt).toBeLessThanOrEqual(Date.now());

    const own = { choice: 'b', messageId: 'the-app-own-id-1', sentAt: Date.now() - 1_000 };
    expect(await guard.emitWithAck('vote:cast', own)).toEqual({ ok: true });
    expect(server.handled[1]).toEqual(own);

    expect(await guard.emitWithAck('poll:vote', { choice: 'c' })).toEqual({ ok: true });
    expect(server.handled[2]).toEqual({
      choice: 'c',
      id: expect.stringMatching(MESSAGE_ID),
      at: expect.any(Number),
    });
    // Ids differ per message; other events are sent as they are.
    expect(server.handled[2]?.id).not.toBe(stamped.messageId);
    expect(await guard.emitWithAck('chat:send', { text: 'hi' })).toEqual({ ok: true });
    expect(server.handled[3]).toEqual({ text: 'hi' });
    // guard.emit stamps too (no ack, so no resend).
    guard.emit('vote:cast', { choice: 'd' });
    await waitForLength(server.handled, 5);
    expect(server.handled[4]).toMatchObject({ choice: 'd', messageId: expect.any(String) });
    expect(server.refusals).toEqual([]);
  });

  it('resends after a lost ack, and counts the server’s duplicate answer as delivered', async () => {
    let calls = 0;
    // The handler runs, but its first answer never reaches the client.
    const server = await replayServer({}, (_socket, _payload, ack) => {
      if (++calls > 1) ack({ ok: true });
    });
    const { guard, refusals } = await connectedGuard(server.url, { replayAckTimeoutMs: 400 });
    const reply = await guard.emitWithAck<{ ok: true }>('vote:cast', { choice: 'a' });
    expect(reply).toEqual({ ok: true, duplicate: true });
    expect(isRefusal(reply)).toBe(false);
    // The vote counted once: the resend carried the same id and the guard refused it.
    expect(server.handled).toHaveLength(1);
    expect(server.arrivals).toHaveLength(2);
    expect(server.arrivals[1]).toEqual(server.arrivals[0]);
    expect(server.refusals).toEqual(['REPLAYED']);
    expect(refusals).toEqual([]);
  });

  it('resends after the connection dropped before the ack, once reconnected', async () => {
    let calls = 0;
    const server = await replayServer({}, (socket, _payload, ack) => {
      // The first time, the connection breaks after the handler ran and before the ack.
      if (++calls === 1) socket.conn.close();
      else ack({ ok: true });
    });
    const { socket, guard } = await connectedGuard(
      server.url,
      { replayAckTimeoutMs: 3_000 },
      { reconnection: true, reconnectionDelay: 50, reconnectionDelayMax: 50 },
    );
    let reconnects = 0;
    socket.io.on('reconnect', () => reconnects++);
    const reply = await guard.emitWithAck('vote:cast', { choice: 'a' });
    expect(reply).toEqual({ ok: true, duplicate: true });
    expect(reconnects).toBe(1);
    expect(server.handled).toHaveLength(1);
    expect(server.arrivals).toHaveLength(2);
    expect(server.arrivals[1]?.messageId).toBe(server.arrivals[0]?.messageId);
  });

  it('gives up after replayRetries resends without an answer and rejects; false sends once', async () => {
    // chat:send is not replay-guarded on this server, and its handler never answers:
    // nothing tells the client the message arrived.
    const server = await replayServer({}, () => undefined);
    const { guard } = await connectedGuard(server.url, {
      replayEvents: ['chat:send'],
      replayAckTimeoutMs: 200,
      replayRetries: 2,
    });
    await expect(guard.emitWithAck('chat:send', { text: 'a' })).rejects.toThrow(/timed out/);
    expect(server.handled).toHaveLength(3);
    expect(new Set(server.handled.map((payload) => payload.messageId)).size).toBe(1);

    const once = await connectedGuard(server.url, {
      replayEvents: ['chat:send'],
      replayAckTimeoutMs: 200,
      replayRetries: false,
    });
    await expect(once.guard.emitWithAck('chat:send', { text: 'b' })).rejects.toThrow(/timed out/);
    expect(server.handled).toHaveLength(4);
  });

  it('counts a resend answered as a duplicate as delivered even when the handler never answers', async () => {
    const server = await replayServer({}, () => undefined);
    const { guard } = await connectedGuard(server.url, { replayAckTimeoutMs: 200 });
    expect(await guard.emitWithAck('vote:cast', { choice: 'a' })).toEqual({
      ok: true,
      duplicate: true,
    });
    expect(server.handled).toHaveLength(1);
    expect(server.arrivals).toHaveLength(2);
  });

  it('returns a duplicate the app caused itself (an id reused) as a refusal', async () => {
    const server = await replayServer();
    const { guard, refusals } = await connectedGuard(server.url);
    const vote = { choice: 'a', messageId: 'reused-id-0001' };
    expect(await guard.emitWithAck('vote:cast', vote)).toEqual({ ok: true });
    const again = await guard.emitWithAck('vote:cast', vote);
    expect(isRefusal(again)).toBe(true);
    expect(again).toMatchObject({
      error: { code: 'REPLAYED', info: { duplicate: true }, event: 'vote:cast' },
    });
    expect(refusals.map((info) => info.code)).toEqual(['REPLAYED']);
    expect(server.handled).toHaveLength(1);
  });

  it('corrects a skewed clock once from the server’s time, and keeps the correction', async () => {
    const server = await replayServer({ maxSkewMs: 5_000, windowMs: 10_000 });
    const tenMinutesSlow = (): number => Date.now() - 10 * 60_000;
    const { guard, refusals } = await connectedGuard(server.url, { now: tenMinutesSlow });

    expect(await guard.emitWithAck('vote:cast', { choice: 'a' })).toEqual({ ok: true });
    expect(server.refusals).toEqual(['REPLAYED']);
    expect(server.arrivals).toHaveLength(2);
    const [skewed, corrected] = server.arrivals as [Record<string, number>, Record<string, number>];
    expect(corrected.messageId).toBe(skewed.messageId);
    expect(Math.abs(Date.now() - (skewed.sentAt as number))).toBeGreaterThan(9 * 60_000);
    expect(Math.abs(Date.now() - (corrected.sentAt as number))).toBeLessThan(5_000);
    expect(refusals).toEqual([]);

    // The next message is sent on the server's clock at once.
    expect(await guard.emitWithAck('vote:cast', { choice: 'b' })).toEqual({ ok: true });
    expect(server.refusals).toEqual(['REPLAYED']);
    expect(server.arrivals).toHaveLength(3);

    // A send time the app set itself is the app's: refused, not rewritten.
    const late = await guard.emitWithAck('vote:cast', { choice: 'c', sentAt: tenMinutesSlow() });
    expect(late).toMatchObject({ error: { code: 'REPLAYED', info: { reason: 'clock-skew' } } });
    expect(server.arrivals).toHaveLength(4);
    expect(server.handled).toHaveLength(2);
  });

  it('waits for a connection, and dispose ends the wait', async () => {
    const server = await replayServer();
    const socket = createClient(server.url, { autoConnect: false });
    const guard = guardClient(socket, { replayEvents: ['vote:cast'], replayAckTimeoutMs: 5_000 });
    const before = socket.listeners('connect').length;
    const pending = guard.emitWithAck('vote:cast', { choice: 'a' });
    expect(socket.listeners('connect').length).toBe(before + 1);
    guard.dispose();
    await expect(pending).rejects.toThrow(/disposed/);
    expect(socket.listeners('connect').length).toBe(before - 1);
    expect(server.arrivals).toEqual([]);

    const waiting = guardClient(socket, { replayEvents: ['vote:cast'] });
    const sent = waiting.emitWithAck('vote:cast', { choice: 'b' });
    socket.connect();
    expect(await sent).toEqual({ ok: true });
  });

  it('checks its replay options, saying how to fix them', () => {
    const socket = createClient('http://127.0.0.1:1', { autoConnect: false });
    expect(() => guardClient(socket, { replayRetries: 0 })).toThrow(/spelt false/);
    expect(() => guardClient(socket, { replayRetries: 1.5 })).toThrow(/replayRetries/);
    expect(() => guardClient(socket, { replayAckTimeoutMs: 0 })).toThrow(/replayAckTimeoutMs/);
    expect(() => guardClient(socket, { replayEvents: [42] as never })).toThrow(/event names/);
    expect(() =>
      guardClient(socket, { replayEvents: { 'vote:cast': { idFeild: 'id' } as never } }),
    ).toThrow(/unknown key "idFeild"/);
    expect(() => guardClient(socket, { now: 5 as never })).toThrow(/now must be a function/);
  });
});

async function waitForLength(list: readonly unknown[], length: number): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (list.length < length) {
    if (Date.now() > deadline) throw new Error(`expected ${length} items, have ${list.length}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
