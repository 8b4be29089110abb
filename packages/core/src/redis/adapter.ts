import { withinDeadline } from '../deadline';
import { createHash } from 'node:crypto';
import {
  REDIS_CLIENT_EXPECTED,
  isIoredisClient,
  isNodeRedisClient,
  type RedisClient,
} from './client';
import { RedisStoreError } from './errors';
import { batchWritesThisTurn } from './write-batch';

export interface RedisAdapterOptions {
  /**
   * Longest wait for one command; past it the command counts as failed (the guard's
   * `onStoreError` decides). The client may still deliver a late answer: it is ignored.
   * Default 500.
   */
  readonly commandTimeoutMs?: number;
  /** Who asked, named in the error for a client of another kind (`redisReplayStore`). */
  readonly owner?: string;
}

export const DEFAULT_REDIS_COMMAND_TIMEOUT_MS = 500;

/** A Lua script, loaded once and run with `EVALSHA` (`EVAL` when Redis lost it). */
export interface RedisScript {
  readonly sha: string;
  run(keys: readonly string[], args: readonly (string | number)[]): Promise<unknown>;
}

/**
 * One way to talk to Redis for every guard: readiness, a deadline per command, scripts
 * by `EVALSHA`. A command is not sent while the client is not connected (it would wait
 * in the client's offline queue for as long as Redis is down); it fails at once instead,
 * so the guard's outage policy answers within the packet's time.
 */
export interface RedisAdapter {
  readonly client: RedisClient;
  readonly commandTimeoutMs: number;
  /** Whether a command sent now goes out now. */
  ready(): boolean;
  /** One command (`['MGET', 'a', 'b']`). */
  command(args: readonly (string | number)[]): Promise<unknown>;
  /** A script, run by `EVALSHA`, sent with `EVAL` once when Redis answers `NOSCRIPT`. */
  script(lua: string): RedisScript;
}

function readinessOf(client: RedisClient): () => boolean {
  const state = client as { status?: unknown; isReady?: unknown };
  if (typeof state.status === 'string') return () => state.status === 'ready';
  if (typeof state.isReady === 'boolean') return () => state.isReady === true;
  return () => true;
}

type Send = (args: readonly (string | number)[]) => Promise<unknown>;

function senderOf(client: RedisClient, owner: string | undefined): Send {
  if (isIoredisClient(client)) {
    return (args) => {
      batchWritesThisTurn(client);
      return client.call(String(args[0]), ...args.slice(1));
    };
  }
  if (isNodeRedisClient(client)) {
    return (args) => client.sendCommand(args.map(String));
  }
  throw new TypeError(
    owner === undefined
      ? `The Redis client must be ${REDIS_CLIENT_EXPECTED}.`
      : `${owner}: the client must be ${REDIS_CLIENT_EXPECTED}.`,
  );
}

function isNoScript(error: unknown): boolean {
  return String((error as { message?: unknown } | null)?.message).startsWith('NOSCRIPT');
}

const notReady = new RedisStoreError('not-ready', 'Redis is not connected.');

/** Wraps an ioredis or node-redis client once; every guard store goes through it. */
export function createRedisAdapter(
  client: RedisClient,
  options: Readonly<RedisAdapterOptions> = {},
): RedisAdapter {
  const send = senderOf(client, options.owner);
  const ready = readinessOf(client);
  const commandTimeoutMs = options.commandTimeoutMs ?? DEFAULT_REDIS_COMMAND_TIMEOUT_MS;
  if (!Number.isFinite(commandTimeoutMs) || commandTimeoutMs <= 0) {
    throw new TypeError('commandTimeoutMs must be a positive number of milliseconds.');
  }

  const answerInTime = (pending: Promise<unknown>): Promise<unknown> =>
    withinDeadline(
      pending,
      commandTimeoutMs,
      () => new RedisStoreError('timeout', `Redis did not answer within ${commandTimeoutMs} ms.`),
      (error) => new RedisStoreError('error', 'Redis refused the command.', error),
    );

  const command = (args: readonly (string | number)[]): Promise<unknown> => {
    if (!ready()) return Promise.reject(notReady);
    let pending: Promise<unknown>;
    try {
      pending = send(args);
    } catch (error) {
      return Promise.reject(new RedisStoreError('error', 'Redis refused the command.', error));
    }
    return answerInTime(pending);
  };

  const script = (lua: string): RedisScript => {
    const sha = createHash('sha1').update(lua).digest('hex');
    return {
      sha,
      run(keys, args) {
        if (!ready()) return Promise.reject(notReady);
        const tail = [keys.length, ...keys, ...args];
        let attempt: Promise<unknown>;
        try {
          attempt = send(['EVALSHA', sha, ...tail]).catch((error: unknown) => {
            if (!isNoScript(error)) throw error;
            // Redis restarted or flushed its scripts: send the body once, which loads it.
            return send(['EVAL', lua, ...tail]);
          });
        } catch (error) {
          // A client that throws instead of rejecting (closed, misconfigured).
          return Promise.reject(new RedisStoreError('error', 'Redis refused the command.', error));
        }
        return answerInTime(attempt);
      },
    };
  };

  return { client, commandTimeoutMs, ready, command, script };
}
