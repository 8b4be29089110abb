import {
  type GuardError,
  checkOptions,
  getContext,
  recordSocketEvent,
  type AnySocket,
  type GuardVerdict,
  type MaybePromise,
  type Packet,
  type PacketGuard,
} from '@portcullis/core';
import { GuardClock } from './clock';
import { KeyedScope, combineAnswers } from './keyed-scope';
import { limitList, type LimitSpec, type WindowSpec } from './limit-spec';
import { consumeCounter, type Counter } from './memory-window';
import {
  DEFAULT_COST,
  DEFAULT_PER_SOCKET,
  DEFAULT_PER_USER,
  messageRateLimitGuardOptionsSpec,
  type MessageRateLimitGuardOptions,
} from './message-options';
import { buildEventLimits, describedWindows, optionalScope } from './message-scopes';
import { eventKey, packetCost, sizeCostCeiling } from './packet-cost';
import { refusalError } from './refusal-error';
import { StoreErrorHandler } from './store-errors';
import { resolveStoreOptions } from './store-options';
import { consumeSocketEvent, newSocketState, type SocketState } from './socket-state';
import { StoreFailure, type StoreAnswer } from './store-window';
import { UserSockets } from './user-sockets';

const GUARD = 'rate-limit';

/** The packet guard, plus what an operator may want to look at. */
export interface MessageRateLimitGuard extends PacketGuard {
  /** Keys held in memory (per user, per event, global); per-socket counters die with their socket. */
  trackedKeys(): number;
  /** Forgets every count held in this process's memory. */
  reset(): void;
}

/**
 * Limits messages per socket, per user, per event (with a cost per event) and overall.
 * A refused packet gets `RATE_LIMITED` with `retryAfterMs`; whether a socket that keeps
 * going is cut is core's escalation's decision (`configurePortcullis(io, { escalation })`),
 * which weighs every guard's refusals. With the in-memory default the check is
 * synchronous: no Promise per packet.
 *
 * @example
 * usePacketGuards(io, messageRateLimitGuard({ costs: { 'file:upload': 10 } }));
 */
export function messageRateLimitGuard(
  options: Readonly<MessageRateLimitGuardOptions> = {},
): MessageRateLimitGuard {
  checkOptions(messageRateLimitGuardOptionsSpec, options, 'messageRateLimitGuard');
  const store = resolveStoreOptions(options);
  const clock = new GuardClock();
  const dryRun = store.dryRun;
  const errors = new StoreErrorHandler(GUARD, store.onStoreError);

  const socketSpecs = describedWindows(options.perSocket, DEFAULT_PER_SOCKET);
  const userScope = optionalScope(
    KeyedScope.build('user', limitList<LimitSpec>(options.perUser, DEFAULT_PER_USER), store, clock),
  );
  const globalScope = optionalScope(
    KeyedScope.build('global', limitList<LimitSpec>(options.global, false), store, clock, 'memory'),
  );
  const eventLimits = buildEventLimits(options.perEvent, store, clock);
  const defaultCost = options.defaultCost ?? DEFAULT_COST;
  const costs = new Map<unknown, number>(Object.entries(options.costs ?? {}));
  const costOf = packetCost({
    costs,
    defaultCost,
    costPerKiB: options.costPerKiB === undefined ? false : options.costPerKiB,
    ceiling: sizeCostCeiling([socketSpecs, userScope?.specs ?? [], globalScope?.specs ?? []]),
    onUnmeasured: () =>
      process.emitWarning(
        'messageRateLimitGuard: costPerKiB is set, but a packet arrived without a measured ' +
          'size, so it was charged its base cost only. Install @portcullis/size-limit on ' +
          'the same server: usePacketGuards(io, sizeLimitGuard(), …).',
        { code: 'PORTCULLIS_RATE_LIMIT_UNMEASURED' },
      ),
  });
  const needsUser = userScope !== undefined || eventLimits !== undefined;

  // Made on the socket's first packet: a socket that never sends keeps nothing here.
  const states = new WeakMap<AnySocket, SocketState>();
  const leasingScopes = [
    ...(userScope === undefined ? [] : [userScope]),
    ...(eventLimits === undefined ? [] : [...eventLimits.values()].map((limit) => limit.users)),
  ].filter((scope) => scope.leases);
  const userSockets =
    leasingScopes.length === 0
      ? undefined
      : new UserSockets(leasingScopes, states, () => clock.now());
  const stateOf = (socket: AnySocket): SocketState => {
    let state = states.get(socket);
    if (state === undefined) {
      // Core's clock, read once per socket (configurePortcullis runs before connections).
      state = newSocketState(socketSpecs, clock.follow(socket));
      states.set(socket, state);
      const user = userSockets === undefined ? undefined : getContext(socket).user;
      if (user !== undefined) userSockets?.join(socket, user.id);
    }
    return state;
  };

  const refuse = (
    socket: AnySocket,
    wait: number,
    limit: string,
    event: string,
  ): GuardError | undefined => {
    const retryAfterMs = Number.isFinite(wait) ? wait : undefined;
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
    event: string,
    limits: readonly string[],
    pending: readonly Promise<StoreAnswer>[],
  ): Promise<GuardVerdict> =>
    Promise.all(pending).then((answers) => {
      let refusedBy = -1;
      for (let index = 0; index < answers.length; index++) {
        const answer = answers[index] as StoreAnswer;
        if (typeof answer === 'number' && answer !== 0) {
          if (refusedBy === -1 || answer > (answers[refusedBy] as number)) refusedBy = index;
        }
      }
      if (refusedBy !== -1) {
        const wait = answers[refusedBy] as number;
        return refuse(socket, wait, limits[refusedBy] as string, event);
      }
      const combined = combineAnswers(answers);
      return combined instanceof StoreFailure ? storeFailed(socket, combined, event) : undefined;
    });

  function check(socket: AnySocket, packet: Packet): MaybePromise<GuardVerdict> {
    const state = stateOf(socket);
    // The name Socket.io dispatches under: `1` runs the listener of '1', so it is
    // limited and costed as '1'. A name that is no string or number finds no rule.
    const key = eventKey(packet[0]);
    const event = key as string;
    const cost = costOf(key, packet);
    const now = state.now();
    if (cost > 0) {
      const counters = state.counters;
      for (let index = 0; index < socketSpecs.length; index++) {
        const wait = consumeCounter(
          counters[index] as Counter,
          socketSpecs[index] as WindowSpec,
          cost,
          now,
        );
        if (wait !== 0) return refuse(socket, wait, 'socket', event);
      }
    }
    const user = needsUser ? getContext(socket).user : undefined;
    let limits: string[] | undefined;
    let pending: Promise<StoreAnswer>[] | undefined;
    const eventLimit = eventLimits?.get(event);
    if (eventLimit !== undefined) {
      if (user === undefined) {
        const wait = consumeSocketEvent(state, event, eventLimit.specs, now);
        if (wait !== 0) return refuse(socket, wait, 'event', event);
      } else {
        const answer = eventLimit.users.consume(user.id, 1, now);
        if (typeof answer !== 'number') {
          (limits ??= []).push('event');
          (pending ??= []).push(answer);
        } else if (answer !== 0) {
          return refuse(socket, answer, 'event', event);
        }
      }
    }
    if (cost > 0 && user !== undefined && userScope !== undefined) {
      const answer = userScope.consume(user.id, cost, now);
      if (typeof answer !== 'number') {
        (limits ??= []).push('user');
        (pending ??= []).push(answer);
      } else if (answer !== 0) {
        return refuse(socket, answer, 'user', event);
      }
    }
    if (cost > 0 && globalScope !== undefined) {
      const answer = globalScope.consume('global', cost, now);
      if (typeof answer !== 'number') {
        (limits ??= []).push('global');
        (pending ??= []).push(answer);
      } else if (answer !== 0) {
        return refuse(socket, answer, 'global', event);
      }
    }
    if (pending === undefined || limits === undefined) return undefined;
    return settle(socket, event, limits, pending);
  }

  return {
    guardName: GUARD,
    check,
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
