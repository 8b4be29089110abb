import {
  type GuardError,
  disconnectWithCode,
  getContext,
  recordSocketEvent,
  type AnySocket,
  type GuardVerdict,
  type MaybePromise,
  type Packet,
  type PacketGuard,
} from '@portcullis/core';
import { KeyedScope, combineAnswers } from './keyed-scope';
import {
  limitEntries,
  type LimitSpec,
  type Limits,
  type RateLimit,
  type WindowSpec,
} from './limit-spec';
import { consumeCounter, type Counter } from './memory-window';
import {
  assertCostsCanPass,
  buildEventLimits,
  checkCost,
  describedWindow,
  optionalScope,
} from './message-options';
import { eventKey, packetCost, resolveCostPerKiB, sizeCostCeiling } from './packet-cost';
import { countRefusal, refusalWindow, tooManyRefusals, type RefusalLimit } from './refusal-window';
import { refusalError } from './refusal-error';
import { StoreErrorHandler } from './store-errors';
import { resolveStoreOptions, type RateLimitStoreOptions } from './store-options';
import { consumeSocketEvent, newSocketState, type SocketState } from './socket-state';
import { StoreFailure, type StoreAnswer } from './store-window';

const GUARD = 'rate-limit';

export interface MessageRateLimitGuardOptions extends RateLimitStoreOptions {
  /**
   * Per socket, always in this process's memory (a socket lives on one node).
   * Default: 30 per second and 600 per minute.
   */
  perSocket?: Limits<RateLimit>;
  /**
   * Per authenticated user (`user.id` from the context), across all of that user's
   * sockets; across nodes with `redis`. Default: 60 per second and 1,200 per minute.
   */
  perUser?: Limits;
  /**
   * Per event name: counts packets of that event (1 each) per user when authenticated,
   * per socket otherwise. Default: none.
   */
  perEvent?: Readonly<Record<string, Limits<RateLimit>>>;
  /**
   * All packets of this process. Described windows stay in memory even with `redis`
   * (they protect this node); pass a limiter you built for a cluster-wide ceiling.
   * Default: off.
   */
  global?: Limits;
  /** Points each event costs against the per-socket, per-user and global limits. */
  costs?: Readonly<Record<string, number>>;
  /** Cost of an event missing from `costs`. Default 1. */
  defaultCost?: number;
  /**
   * Extra points per whole KiB of a packet, against the per-socket, per-user and global
   * limits: a packet costs `(costs[event] ?? defaultCost) + costPerKiB * floor(bytes / 1024)`,
   * capped at the fewest points of those windows. The size is the one
   * `@portcullis/size-limit` measured on the raw frames, so size-limit must be installed
   * on the same server (anywhere in the chain); without it each packet costs its base
   * cost and a process warning says so once. Default `0` (off); `false` is off too.
   */
  costPerKiB?: number | false;
  /**
   * Disconnect a socket (with `RATE_LIMITED`) once this guard has refused it this many
   * times within the window. Default: 50 refusals within 10 s. `false` never disconnects.
   */
  disconnectAfter?: RefusalLimit | false;
}

/** The packet guard, plus what an operator may want to look at. */
export interface MessageRateLimitGuard extends PacketGuard {
  /** Keys held in memory (per user, per event, global); per-socket counters die with their socket. */
  trackedKeys(): number;
  /** Forgets every count held in this process's memory. */
  reset(): void;
}

export const DEFAULT_PER_SOCKET: readonly RateLimit[] = [
  { points: 30, durationMs: 1000 },
  { points: 600, durationMs: 60_000 },
];
export const DEFAULT_PER_USER: readonly RateLimit[] = [
  { points: 60, durationMs: 1000 },
  { points: 1200, durationMs: 60_000 },
];
export const DEFAULT_DISCONNECT_AFTER: RefusalLimit = { refusals: 50, windowMs: 10_000 };

/**
 * Limits messages per socket, per user, per event (with a cost per event) and overall.
 * A refused packet gets `RATE_LIMITED` with `retryAfterMs`; a socket that keeps going
 * after `disconnectAfter` refusals is disconnected. With the in-memory default the
 * check is synchronous: no Promise per packet.
 *
 * @example
 * usePacketGuards(io, messageRateLimitGuard({ costs: { 'file:upload': 10 } }));
 */
export function messageRateLimitGuard(
  options: Readonly<MessageRateLimitGuardOptions> = {},
): MessageRateLimitGuard {
  const store = resolveStoreOptions(options, 'messageRateLimitGuard');
  const clock = store.now;
  const dryRun = store.dryRun;
  const errors = new StoreErrorHandler(GUARD, store.onStoreError, clock);

  const socketSpecs = limitEntries(options.perSocket, DEFAULT_PER_SOCKET, 'perSocket').map(
    ({ limit, label }) => describedWindow(limit, label),
  );
  const userScope = optionalScope(
    KeyedScope.build(
      'user',
      limitEntries<LimitSpec>(options.perUser, DEFAULT_PER_USER, 'perUser'),
      store,
    ),
  );
  const globalScope = optionalScope(
    KeyedScope.build(
      'global',
      limitEntries<LimitSpec>(options.global, false, 'global'),
      store,
      'memory',
    ),
  );
  const eventLimits = buildEventLimits(options.perEvent, store);
  const defaultCost = checkCost(options.defaultCost ?? 1, 'defaultCost');
  const costs = new Map<unknown, number>();
  for (const [event, cost] of Object.entries(options.costs ?? {})) {
    costs.set(event, checkCost(cost, `costs[${JSON.stringify(event)}]`));
  }
  assertCostsCanPass(costs, defaultCost, [
    ['perSocket', socketSpecs],
    ['perUser', userScope?.specs ?? []],
    ['global', globalScope?.specs ?? []],
  ]);
  const costOf = packetCost({
    costs,
    defaultCost,
    costPerKiB: resolveCostPerKiB(options.costPerKiB),
    ceiling: sizeCostCeiling([socketSpecs, userScope?.specs ?? [], globalScope?.specs ?? []]),
    onUnmeasured: () =>
      process.emitWarning(
        'messageRateLimitGuard: costPerKiB is set, but a packet arrived without a measured ' +
          'size, so it was charged its base cost only. Install @portcullis/size-limit on ' +
          'the same server: usePacketGuards(io, sizeLimitGuard(), …).',
        { code: 'PORTCULLIS_RATE_LIMIT_UNMEASURED' },
      ),
  });
  const disconnectOption = options.disconnectAfter ?? DEFAULT_DISCONNECT_AFTER;
  const cutSpec =
    disconnectOption === false ? undefined : refusalWindow(disconnectOption, 'disconnectAfter');
  const needsUser = userScope !== undefined || eventLimits !== undefined;

  const states = new WeakMap<AnySocket, SocketState>();
  const stateOf = (socket: AnySocket): SocketState => {
    let state = states.get(socket);
    if (state === undefined) {
      state = newSocketState(socketSpecs);
      states.set(socket, state);
    }
    return state;
  };

  /** Counts a refusal towards `disconnectAfter`; cuts (or reports, in dry-run) once. */
  const noteRefusal = (socket: AnySocket, state: SocketState, event: string, now: number) => {
    if (cutSpec === undefined || !countRefusal(state.refusals, cutSpec, now)) return;
    if (dryRun) {
      recordSocketEvent(socket, 'would_refuse', {
        code: 'RATE_LIMITED',
        event,
        guard: GUARD,
        detail: { action: 'disconnect', refusals: cutSpec.points + 1 },
      });
      return;
    }
    state.cut = true;
    // After this packet's refusal has been answered, so the client hears both, in order.
    queueMicrotask(() => disconnectWithCode(socket, tooManyRefusals(cutSpec.durationMs), GUARD));
  };

  const refuse = (
    socket: AnySocket,
    state: SocketState,
    wait: number,
    limit: string,
    event: string,
    now: number,
  ): GuardError | undefined => {
    const retryAfterMs = Number.isFinite(wait) ? wait : undefined;
    noteRefusal(socket, state, event, now);
    if (dryRun) {
      recordSocketEvent(socket, 'would_refuse', {
        code: 'RATE_LIMITED',
        event,
        guard: GUARD,
        detail: retryAfterMs === undefined ? { limit } : { limit, retryAfterMs },
      });
      return undefined;
    }
    return refusalError('RATE_LIMITED', { retryAfterMs, info: { limit } });
  };

  const storeFailed = (
    socket: AnySocket,
    failure: StoreFailure,
    event: string,
  ): GuardError | undefined => {
    const verdict = errors.verdict(socket, failure, event);
    if (verdict === undefined || !dryRun) return verdict;
    recordSocketEvent(socket, 'would_refuse', { code: verdict.code, event, guard: GUARD });
    return undefined;
  };

  const settle = (
    socket: AnySocket,
    state: SocketState,
    event: string,
    limits: readonly string[],
    pending: readonly Promise<StoreAnswer>[],
  ): Promise<GuardVerdict> =>
    Promise.all(pending).then((answers) => {
      if (state.cut) return tooManyRefusals(cutSpec?.durationMs ?? 0);
      let refusedBy = -1;
      for (let index = 0; index < answers.length; index++) {
        const answer = answers[index] as StoreAnswer;
        if (typeof answer === 'number' && answer !== 0) {
          if (refusedBy === -1 || answer > (answers[refusedBy] as number)) refusedBy = index;
        }
      }
      if (refusedBy !== -1) {
        const wait = answers[refusedBy] as number;
        return refuse(socket, state, wait, limits[refusedBy] as string, event, clock());
      }
      const combined = combineAnswers(answers);
      return combined instanceof StoreFailure ? storeFailed(socket, combined, event) : undefined;
    });

  function check(socket: AnySocket, packet: Packet): MaybePromise<GuardVerdict> {
    const state = stateOf(socket);
    if (state.cut) return tooManyRefusals(cutSpec?.durationMs ?? 0);
    // The name Socket.io dispatches under: `1` runs the listener of '1', so it is
    // limited and costed as '1'. A name that is no string or number finds no rule.
    const key = eventKey(packet[0]);
    const event = key as string;
    const cost = costOf(key, packet);
    const now = clock();
    if (cost > 0) {
      const counters = state.counters;
      for (let index = 0; index < socketSpecs.length; index++) {
        const wait = consumeCounter(
          counters[index] as Counter,
          socketSpecs[index] as WindowSpec,
          cost,
          now,
        );
        if (wait !== 0) return refuse(socket, state, wait, 'socket', event, now);
      }
    }
    const user = needsUser ? getContext(socket).user : undefined;
    let limits: string[] | undefined;
    let pending: Promise<StoreAnswer>[] | undefined;
    const eventLimit = eventLimits?.get(event);
    if (eventLimit !== undefined) {
      if (user === undefined) {
        const wait = consumeSocketEvent(state, event, eventLimit.specs, now);
        if (wait !== 0) return refuse(socket, state, wait, 'event', event, now);
      } else {
        const answer = eventLimit.users.consume(user.id, 1, now);
        if (typeof answer !== 'number') {
          (limits ??= []).push('event');
          (pending ??= []).push(answer);
        } else if (answer !== 0) {
          return refuse(socket, state, answer, 'event', event, now);
        }
      }
    }
    if (cost > 0 && user !== undefined && userScope !== undefined) {
      const answer = userScope.consume(user.id, cost, now);
      if (typeof answer !== 'number') {
        (limits ??= []).push('user');
        (pending ??= []).push(answer);
      } else if (answer !== 0) {
        return refuse(socket, state, answer, 'user', event, now);
      }
    }
    if (cost > 0 && globalScope !== undefined) {
      const answer = globalScope.consume('global', cost, now);
      if (typeof answer !== 'number') {
        (limits ??= []).push('global');
        (pending ??= []).push(answer);
      } else if (answer !== 0) {
        return refuse(socket, state, answer, 'global', event, now);
      }
    }
    if (pending === undefined || limits === undefined) return undefined;
    return settle(socket, state, event, limits, pending);
  }

  return {
    guardName: GUARD,
    check,
    attach(socket: AnySocket) {
      stateOf(socket);
    },
    trackedKeys() {
      let total = (userScope?.trackedKeys ?? 0) + (globalScope?.trackedKeys ?? 0);
      if (eventLimits !== undefined)
        for (const limit of eventLimits.values()) total += limit.users.trackedKeys;
      return total;
    },
    reset() {
      userScope?.clear();
      globalScope?.clear();
      if (eventLimits !== undefined) for (const limit of eventLimits.values()) limit.users.clear();
    },
  };
}
