import { randomUUID } from 'node:crypto';
import {
  onCleanup,
  readyIoredis,
  readyNodeRedis,
  testRedisUrl,
  type NodeRedisClient,
} from '@portcullis/testing';
import type { Redis } from 'ioredis';
import type { ConnectionLimitGuardOptions } from '../src';
import { limitedServer, type LimitedServer, type LimitedServerOptions } from './helpers';

export interface TwoNodes {
  a: LimitedServer;
  b: LimitedServer;
  redisA: Redis;
  redisB: NodeRedisClient;
  keyPrefix: string;
  /** The socket ids a user's sorted set holds, whichever node owns them, sorted. */
  socketIdsInRedis(user: string): Promise<string[]>;
}

/** Two nodes sharing one Redis: A talks to it through ioredis, B through node-redis. */
export async function twoNodes(
  options: ConnectionLimitGuardOptions,
  extra: LimitedServerOptions = {},
): Promise<TwoNodes> {
  const url = testRedisUrl();
  const keyPrefix = `portcullis:test:${randomUUID()}`;
  // Connected first: core's Redis adapter never queues a command while the client is
  // not ready (a handshake would get onStoreError's answer, not a wait).
  const redisA = await readyIoredis(url, { maxRetriesPerRequest: 1 });
  const redisB = await readyNodeRedis(url);
  const a = await limitedServer({ ...options, keyPrefix, redis: redisA }, extra);
  const b = await limitedServer({ ...options, keyPrefix, redis: redisB }, extra);
  onCleanup(() => a.guard.close());
  onCleanup(() => b.guard.close());
  const socketIdsInRedis = async (user: string): Promise<string[]> => {
    const members = (await redisA.zrange(`${keyPrefix}:user:${user}`, 0, -1)) as string[];
    // A member is `<node id>:<socket id>`; node ids are UUIDs, without a colon.
    return members.map((member) => member.slice(member.indexOf(':') + 1)).sort();
  };
  return { a, b, redisA, redisB, keyPrefix, socketIdsInRedis };
}
