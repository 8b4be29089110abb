import {
  GuardError,
  checkOptions,
  getContext,
  isThenable,
  opt,
  settingsOf,
  type AnySocket,
  type OptionSpec,
  type Packet,
  type PacketGuard,
  type PacketVerdict,
} from '@portcullis/core';
import { memoryReplayStore, type ReplayStore } from './replay-store';

export const REPLAY_GUARD_NAME = 'replay';

/** Where an opted-in event carries its id and timestamp (fields of its first argument). */
export interface ReplayEventOptions {
  /** Default `messageId`: a client-made unique id, 8–128 of `A-Z a-z 0-9 _ -` (a UUID fits). */
  readonly idField?: string;
  /** Default `sentAt`: the client's clock, epoch milliseconds. */
  readonly timeField?: string;
}

export interface ReplayGuardOptions {
  /** The events that must carry an id and a timestamp: `true` for the default field names. */
  readonly events: Readonly<Record<string, true | ReplayEventOptions>>;
  /** How long an id is remembered. Default 300 000 (5 min); at least twice `maxSkewMs`. */
  readonly windowMs?: number;
  /** Largest difference between the client's `sentAt` and the server's clock. Default 60 000. */
  readonly maxSkewMs?: number;
  /** Where ids are kept. Default: this process; `redisReplayStore(client)` for several nodes. */
  readonly store?: ReplayStore;
}

export const replayGuardOptionsSpec: OptionSpec = opt.object(
  {
    events: opt.required(
      opt.record(
        opt.union(
          opt.oneOf([true]),
          opt.object({ idField: opt.string(), timeField: opt.string() }),
        ),
        'event names',
      ),
    ),
    windowMs: opt.duration({ min: 1000 }),
    maxSkewMs: opt.duration({ min: 0 }),
    store: opt.custom(
      'a replay store (memoryReplayStore() or redisReplayStore(client))',
      (value) => typeof (value as { claim?: unknown } | null)?.claim === 'function',
    ),
  },
  [
    (value) => {
      const windowMs = (value.windowMs as number | undefined) ?? 300_000;
      const skew = (value.maxSkewMs as number | undefined) ?? 60_000;
      return windowMs >= 2 * skew
        ? undefined
        : `windowMs (${windowMs}) must be at least twice maxSkewMs (${skew}): an id must be remembered for as long as its timestamp is accepted.`;
    },
  ],
);

const MESSAGE_ID = /^[A-Za-z0-9_-]{8,128}$/;

/**
 * Replay protection for events that opt in: each message carries a client-made id and
 * its send time. A repeated id within the window is refused with `REPLAYED` and
 * `info.duplicate: true`, so a client retrying a message it is unsure was delivered can
 * treat the answer as "delivered"; a timestamp outside `maxSkewMs` of the server's clock
 * is refused with `REPLAYED` and `info.reason: 'clock-skew'`. Ids are kept per sender
 * (verified user, else address). Install it last among the packet guards: a message
 * another guard refuses must not burn its id.
 */
export function replayGuard(options: Readonly<ReplayGuardOptions>): PacketGuard {
  checkOptions(replayGuardOptionsSpec, options, 'replayGuard');
  const windowMs = options.windowMs ?? 300_000;
  const maxSkewMs = options.maxSkewMs ?? 60_000;
  const store = options.store ?? memoryReplayStore();
  const fields = new Map<string, { idField: string; timeField: string }>();
  for (const [event, given] of Object.entries(options.events)) {
    const settings = given === true ? {} : given;
    fields.set(event, {
      idField: settings.idField ?? 'messageId',
      timeField: settings.timeField ?? 'sentAt',
    });
  }
  const duplicate = new GuardError('REPLAYED', { info: { reason: 'duplicate', duplicate: true } });
  const invalid = (path: string): GuardError =>
    new GuardError('VALIDATION_FAILED', {
      message: 'This message needs an id and a send time.',
      details: [{ path, type: 'replay.required' }],
    });
  const invalidById = new Map<string, GuardError>();
  const invalidFor = (path: string): GuardError => {
    let error = invalidById.get(path);
    if (error === undefined) invalidById.set(path, (error = invalid(path)));
    return error;
  };

  return {
    guardName: REPLAY_GUARD_NAME,
    check(socket: AnySocket, packet: Packet): PacketVerdict | Promise<PacketVerdict> {
      const name = packet[0];
      const event = typeof name === 'string' ? name : String(name);
      const settings = fields.get(event);
      if (settings === undefined) return undefined;
      const payload = packet[1];
      if (typeof payload !== 'object' || payload === null) return invalidFor(settings.idField);
      const id = (payload as Record<string, unknown>)[settings.idField];
      const sentAt = (payload as Record<string, unknown>)[settings.timeField];
      if (typeof id !== 'string' || !MESSAGE_ID.test(id)) return invalidFor(settings.idField);
      if (typeof sentAt !== 'number' || !Number.isFinite(sentAt)) {
        return invalidFor(settings.timeField);
      }
      const now = settingsOf(socket).now();
      if (Math.abs(now - sentAt) > maxSkewMs) {
        return new GuardError('REPLAYED', {
          message: 'The message was sent too long ago, or the client clock is off.',
          info: { reason: 'clock-skew', serverTime: now },
        });
      }
      const context = getContext(socket);
      const sender = context.user === undefined ? `ip:${context.ip}` : `user:${context.user.id}`;
      const key = `{${sender}}:${event}:${id}`;
      const claimed = store.claim(key, windowMs, now);
      if (isThenable(claimed)) {
        return claimed.then(
          (first) => (first ? undefined : duplicate),
          (error: unknown) => new GuardError('INTERNAL', { cause: error }),
        );
      }
      return claimed ? undefined : duplicate;
    },
  };
}
