import { randomUUID } from 'node:crypto';
import { configurePortcullis } from '@portcullis/core';
import {
  connectClient,
  describeRedis,
  emitWithAck,
  readyIoredis,
  testRedisUrl,
} from '@portcullis/testing';
import { redisReplayStore, replayGuard, type ReplayGuardOptions } from '../src';
import { guardedServer, reasonOf } from './helpers';

async function voting(options: Partial<ReplayGuardOptions> = {}) {
  const server = await guardedServer([replayGuard({ events: { 'vote:cast': true }, ...options })]);
  const client = await connectClient(server.url, { auth: { user: 'alice' } });
  return { server, client };
}

describe('replay protection', () => {
  it('accepts a message once; the same id again is answered as a duplicate', async () => {
    const { server, client } = await voting();
    const vote = { choice: 'a', messageId: randomUUID(), sentAt: Date.now() };
    expect(await emitWithAck(client, 'vote:cast', vote)).toEqual({ ok: true });
    const again = (await emitWithAck(client, 'vote:cast', vote)) as {
      error: Record<string, unknown>;
    };
    expect(again.error).toMatchObject({
      code: 'REPLAYED',
      info: { reason: 'duplicate', duplicate: true },
    });
    expect(await emitWithAck(client, 'vote:cast', { ...vote, messageId: randomUUID() })).toEqual({
      ok: true,
    });
    expect(server.handled).toHaveLength(2);
    // Ids are per sender: another user's message with the same id is theirs.
    const bob = await connectClient(server.url, { auth: { user: 'bob' } });
    expect(await emitWithAck(bob, 'vote:cast', vote)).toEqual({ ok: true });
  });

  it('refuses a timestamp outside the allowed skew, and messages without id or time', async () => {
    const { client } = await voting({ maxSkewMs: 5_000, windowMs: 10_000 });
    const late = { messageId: randomUUID(), sentAt: Date.now() - 60_000 };
    const skewed = (await emitWithAck(client, 'vote:cast', late)) as {
      error: { info: Record<string, unknown> };
    };
    expect(reasonOf(skewed)).toBe('REPLAYED:clock-skew');
    expect(skewed.error.info.serverTime).toEqual(expect.any(Number));
    expect(reasonOf(await emitWithAck(client, 'vote:cast', { sentAt: Date.now() }))).toBe(
      'VALIDATION_FAILED:',
    );
    expect(
      reasonOf(await emitWithAck(client, 'vote:cast', { messageId: 'short', sentAt: Date.now() })),
    ).toBe('VALIDATION_FAILED:');
    expect(reasonOf(await emitWithAck(client, 'vote:cast', { messageId: randomUUID() }))).toBe(
      'VALIDATION_FAILED:',
    );
    expect(reasonOf(await emitWithAck(client, 'vote:cast', 'not an object'))).toBe(
      'VALIDATION_FAILED:',
    );
  });

  it('reads the server clock from core', async () => {
    const server = await guardedServer([replayGuard({ events: { 'vote:cast': true } })], {
      setup: (io) => configurePortcullis(io, { now: () => 1_000_000 }),
    });
    const client = await connectClient(server.url, { auth: { user: 'alice' } });
    expect(
      await emitWithAck(client, 'vote:cast', { messageId: randomUUID(), sentAt: 1_000_000 }),
    ).toEqual({
      ok: true,
    });
  });

  it('says how to fix its options', () => {
    expect(() => replayGuard({ events: { x: true }, windowMs: 60_000, maxSkewMs: 60_000 })).toThrow(
      /at least twice maxSkewMs/,
    );
    expect(() => replayGuard({ events: { x: { idFeild: 'id' } } } as never)).toThrow(
      /did you mean events.x.idField/,
    );
    expect(() => redisReplayStore({ get: () => null } as never)).toThrow(
      /^redisReplayStore: the client must be /,
    );
  });
});

describeRedis('replay protection across nodes', () => {
  it('catches a message replayed to another node', async () => {
    const prefix = `portcullis-test-${randomUUID().slice(0, 8)}:replay:`;
    const node = async () => {
      const store = redisReplayStore(await readyIoredis(testRedisUrl()), { prefix });
      const server = await guardedServer([replayGuard({ events: { 'vote:cast': true }, store })]);
      return { server, client: await connectClient(server.url, { auth: { user: 'alice' } }) };
    };
    const a = await node();
    const b = await node();
    const vote = { messageId: randomUUID(), sentAt: Date.now() };
    expect(await emitWithAck(a.client, 'vote:cast', vote)).toEqual({ ok: true });
    expect(reasonOf(await emitWithAck(b.client, 'vote:cast', vote))).toBe('REPLAYED:duplicate');
    expect(b.server.handled).toEqual([]);
  });
});
