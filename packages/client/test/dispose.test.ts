import { expectSilence, waitFor } from '@portcullis/testing';
import { guardClient } from '../src';
import { ORIGIN, browserLikeClient, guardedServer, token } from './helpers';

const WATCHED = [
  'connect',
  'connect_error',
  'disconnect',
  'portcullis:error',
  'portcullis:disconnect',
  'portcullis:expiring',
  'portcullis:expired',
  'portcullis:limits',
];

describe('guardClient.dispose', () => {
  it('removes every listener it added and keeps the app’s own', async () => {
    const { server } = await guardedServer();
    const socket = browserLikeClient(server.url, { auth: { token: await token('alice') } });
    const own = (): void => undefined;
    socket.on('connect', own);
    socket.on('portcullis:error', own);
    const count = () => WATCHED.map((event) => socket.listeners(event).length);
    const before = count();
    const guard = guardClient(socket, { getToken: () => token('alice') });
    expect(count().every((after, index) => after === (before[index] as number) + 1)).toBe(true);
    guard.dispose();
    guard.dispose(); // twice is harmless
    expect(count()).toEqual(before);
    expect(socket.listeners('connect')).toEqual([own]);
    expect(await guard.refresh()).toEqual({ ok: false, reason: 'disposed' });
  });

  it('cancels a pending reconnection', async () => {
    const { server } = await guardedServer({
      rateLimit: { connections: { perIp: { points: 1, durationMs: 1_000 } } },
    });
    await waitFor(
      browserLikeClient(server.url, { auth: { token: await token('bob') } }),
      'connect',
    );
    const socket = browserLikeClient(server.url, {
      auth: { token: await token('bob') },
      autoConnect: false,
    });
    const guard = guardClient(socket);
    socket.connect();
    await waitFor(socket, 'connect_error');
    guard.dispose();
    await expectSilence(socket, 'connect', 2_000);
    expect(socket.connected).toBe(false);
  });

  it('checks its arguments once, saying how to fix them', () => {
    const socket = browserLikeClient('http://127.0.0.1:1', {
      autoConnect: false,
      extraHeaders: { origin: ORIGIN },
    });
    expect(() => guardClient({} as never)).toThrow(/io\(url, options\)/);
    expect(() => guardClient(socket, { getToken: 'token' as never })).toThrow(
      /getToken must be a function/,
    );
    expect(() => guardClient(socket, { refreshBeforeMs: -1 })).toThrow(/refreshBeforeMs/);
    expect(() => guardClient(socket, { autoReconnect: 'yes' as never })).toThrow(/autoReconnect/);
    expect(() => guardClient(socket, { events: { refreshed: 'x' } as never })).toThrow(
      /unknown event key "refreshed"/,
    );
    expect(() => guardClient(socket, { onRefusals: () => undefined } as never)).toThrow(
      /unknown option "onRefusals"/,
    );
    expect(() => guardClient(socket, { backoff: { baseDelayMs: 0 } })).toThrow(/baseDelayMs/);
  });
});
