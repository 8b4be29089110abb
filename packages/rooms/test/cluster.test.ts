import { randomUUID } from 'node:crypto';
import { createAdapter } from '@socket.io/redis-adapter';
import {
  connectClient,
  describeRedis,
  emitWithAck,
  readyIoredis,
  testRedisUrl,
  waitFor,
} from '@portcullis/testing';
import { redisRoomRevocations } from '../src';
import { roomsServer, sign } from './helpers';

/** One node: the Redis adapter (one key per test) and revocations kept in Redis. */
async function node(key: string, prefix: string) {
  const pub = await readyIoredis(testRedisUrl());
  const sub = await readyIoredis(testRedisUrl());
  const store = await readyIoredis(testRedisUrl());
  return roomsServer(
    {
      rules: { 'team:*': () => true },
      revocations: redisRoomRevocations(store, { prefix }),
    },
    (io) => {
      io.adapter(createAdapter(pub, sub, { key }));
    },
  );
}

describeRedis('revoking a room across nodes', () => {
  it('takes the user out of the room on both nodes within 500 ms and keeps them out', async () => {
    const id = randomUUID().slice(0, 8);
    const a = await node(`portcullis-rooms-${id}`, `portcullis-rooms-${id}:revoked:`);
    const b = await node(`portcullis-rooms-${id}`, `portcullis-rooms-${id}:revoked:`);
    const token = await sign({ sub: 'ursula' });
    const onA = await connectClient(a.url, { auth: { token } });
    const onB = await connectClient(b.url, { auth: { token } });
    const other = await connectClient(b.url, { auth: { token: await sign({ sub: 'olga' }) } });
    for (const socket of [onA, onB, other]) {
      expect(await emitWithAck(socket, 'room:join', 'team:red')).toMatchObject({ ok: true });
    }
    const started = performance.now();
    const told = Promise.all([
      waitFor(onA, 'portcullis:room-left').then(([payload]) => ({
        payload,
        ms: performance.now() - started,
      })),
      waitFor(onB, 'portcullis:room-left').then(([payload]) => ({
        payload,
        ms: performance.now() - started,
      })),
    ]);
    expect(await a.rooms.revokeRoom('ursula', 'team:red')).toBe(2);
    const notices = await told;
    for (const { payload, ms } of notices) {
      expect(payload).toMatchObject({ room: 'team:red', code: 'SESSION_REVOKED' });
      expect(ms).toBeLessThan(500);
    }
    // Out of the room on both nodes; the other member stays and still hears the room.
    const heard = waitFor(other, 'chat:message');
    expect(codeOf(await emitWithAck(onB, 'chat:send', { roomId: 'team:red', text: 'x' }))).toBe(
      'FORBIDDEN',
    );
    await emitWithAck(onA, 'room:join', 'lobby:1').catch(() => undefined);
    // The revocation is in Redis: node B refuses ursula's join too.
    expect(codeOf(await emitWithAck(onB, 'room:join', 'team:red'))).toBe('FORBIDDEN');
    expect(codeOf(await emitWithAck(onA, 'room:join', 'team:red'))).toBe('FORBIDDEN');
    const friend = await connectClient(a.url, { auth: { token: await sign({ sub: 'fay' }) } });
    await emitWithAck(friend, 'room:join', 'team:red');
    await emitWithAck(friend, 'chat:send', { roomId: 'team:red', text: 'still on' });
    expect((await heard)[0]).toMatchObject({ text: 'still on' });
    expect(b.io.of('/').adapter.rooms.get('team:red')?.size).toBe(1);
  });
});

function codeOf(reply: unknown): string | undefined {
  return (reply as { error?: { code?: string } }).error?.code;
}
