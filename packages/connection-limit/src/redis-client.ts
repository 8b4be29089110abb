/** The one method of ioredis this package calls. */
export interface IoredisLike {
  call(command: string, ...args: (string | number)[]): Promise<unknown>;
}

/** The one method of node-redis (v4, v5) this package calls. */
export interface NodeRedisLike {
  sendCommand(args: string[]): Promise<unknown>;
}

/** An ioredis client or a node-redis client; the user creates, connects and closes it. */
export type RedisClientLike = IoredisLike | NodeRedisLike;

export function isRedisClient(value: unknown): value is RedisClientLike {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as { call?: unknown; sendCommand?: unknown };
  return typeof candidate.call === 'function' || typeof candidate.sendCommand === 'function';
}

/** Sends one command through whichever client was given. */
export function sendCommand(client: RedisClientLike, args: readonly string[]): Promise<unknown> {
  // ioredis also has a `sendCommand`, taking its own Command objects: prefer `call`.
  if (typeof (client as IoredisLike).call === 'function') {
    const [command = '', ...rest] = args;
    return (client as IoredisLike).call(command, ...rest);
  }
  return (client as NodeRedisLike).sendCommand([...args]);
}
