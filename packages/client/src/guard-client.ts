import type { Socket } from 'socket.io-client';
import { reconnectAdvice, type ReconnectAdvice } from './advice';
import { checkMessage } from './check-message';
import { readGuardError, type GuardErrorInfo } from './guard-error-info';
import { readServerLimits, type ServerLimits } from './limits';
import { callSafely, checkSocket, type LooseSocket } from './loose-socket';
import { resolveGuardClientOptions, type GuardClientOptions } from './options';
import type { GuardRefusalReply } from './refusal-reply';
import { refreshSchedule } from './refresh-schedule';
import type { RefreshResult } from './refresh-result';
import { replaySender } from './replay-sender';
import { jwtExpiresAt } from './token-expiry';

/** What `guardClient` returns. */
export interface GuardClient {
  /** The limits the server advertised on `portcullis:limits`; `undefined` until then. */
  readonly limits: ServerLimits | undefined;
  /**
   * Judges `socket.emit(event, ...args)` against those limits, as the server will
   * (UTF-8 bytes of the frame, binary attachments, depth, keys, lengths), without
   * sending anything. Returns the refusal the server would send, marked `local: true`,
   * or `undefined` when it fits or no limits are known yet.
   */
  checkSize(event: string, ...args: unknown[]): GuardErrorInfo | undefined;
  /**
   * `socket.emit` after `checkSize`; a refusal goes to `onRefusal` and is returned. An
   * event of `replayEvents` gets its id and send time (no resend: there is no answer).
   */
  emit(event: string, ...args: unknown[]): GuardErrorInfo | undefined;
  /**
   * `socket.emitWithAck` after `checkSize`. Resolves with the server's reply `T`, or a
   * refusal `{ error: GuardErrorInfo }` (the server's, read and checked, or the local
   * pre-check's, then nothing is sent), which also goes to `onRefusal`: tell them apart
   * with `isRefusal(reply)`. Rejects like `socket.emitWithAck` (disconnected meanwhile).
   *
   * For an event of `replayEvents`: adds the id and the send time, waits at most
   * `replayAckTimeoutMs` per attempt, resends the same message up to `replayRetries`
   * times when no answer came, resolves `{ ok: true, duplicate: true }` (a
   * `DuplicateDelivery`: include it in `T`) when the server recognises a resend of a
   * message it had taken, resends once with a corrected time after a clock-skew
   * refusal, and rejects when no attempt got an answer.
   */
  emitWithAck<T = unknown>(event: string, ...args: unknown[]): Promise<T | GuardRefusalReply>;
  /**
   * Gets a token from `getToken` and hands it to the server in-band
   * (`portcullis:refresh`) when connected; `socket.auth.token` is updated in any case,
   * so the next handshake uses it. Concurrent calls share one refresh. Never rejects.
   */
  refresh(): Promise<RefreshResult>;
  /** Removes every listener and timer this helper added. The socket is left as it is. */
  dispose(): void;
}

/** After this many refreshed reconnections refused as expired in a row, stop. */
const MAX_REFRESH_RECONNECTS = 2;
const STOP: ReconnectAdvice = Object.freeze({ action: 'stop' });
/** How long the answer to a limits request is waited for before going without. */
const LIMITS_ANSWER_TIMEOUT_MS = 10_000;

/**
 * Makes a socket.io-client socket cooperate with a Portcullis server:
 *
 * - answers `portcullis:expiring` with a fresh token from `getToken` (in-band
 *   `portcullis:refresh`, the connection carries on) and keeps `socket.auth.token`
 *   current for later handshakes;
 * - after a refused handshake (`connect_error`) or a `portcullis:disconnect`, follows
 *   `reconnectAdvice`: waits `retryAfterMs` or a backoff and reconnects, reconnects with
 *   a fresh token, or stops. Socket.io does not reconnect by itself in either case;
 * - asks for the server's limits (`portcullis:limits`) at each connect, and pre-checks
 *   messages against them;
 * - reports refusals (`portcullis:error`, ack errors, local pre-checks) to `onRefusal`.
 *
 * @example
 * const socket = io(url, { auth: { token: await fetchToken() } });
 * const guard = guardClient(socket, {
 *   getToken: fetchToken,
 *   onRefusal: (info) => toast(describeGuardError(info)),
 *   onDisconnectNotice: (info) => banner(describeGuardError(info)),
 * });
 * const reply = await guard.emitWithAck('chat:send', { text });
 */
export function guardClient(
  socket: Socket,
  options: Readonly<GuardClientOptions> = {},
): GuardClient {
  checkSocket(socket);
  const loose = socket as unknown as LooseSocket;
  const resolved = resolveGuardClientOptions(options);
  const { events, getToken, now } = resolved;
  const namespace = (socket as unknown as { nsp?: unknown }).nsp;

  let disposed = false;
  let limits: ServerLimits | undefined;
  let attempt = 0;
  let refreshReconnects = 0;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  let pendingNotice: ReconnectAdvice | undefined;
  let inFlight: Promise<RefreshResult> | undefined;

  const schedule = refreshSchedule({
    now,
    refreshBeforeMs: resolved.refreshBeforeMs,
    minIntervalMs: resolved.minRefreshIntervalMs,
    run: () => {
      if (loose.connected && getToken !== undefined) void refresh();
    },
  });

  const replay = replaySender(loose, {
    retries: resolved.replayRetries,
    ackTimeoutMs: resolved.replayAckTimeoutMs,
    now,
    isDisposed: () => disposed,
  });

  const setAuthToken = (token: string): void => {
    // An auth function supplies credentials itself at each handshake: leave it be.
    if (typeof loose.auth === 'function') return;
    loose.auth = { ...(loose.auth ?? {}), token };
  };

  const currentToken = (): unknown =>
    typeof loose.auth === 'object' && loose.auth !== null ? loose.auth.token : undefined;

  const finish = (result: RefreshResult): RefreshResult => {
    callSafely(resolved.onRefresh, result);
    return result;
  };

  const runRefresh = async (): Promise<RefreshResult> => {
    if (getToken === undefined) return finish({ ok: false, reason: 'no-token-source' });
    schedule.started();
    let token: unknown;
    try {
      token = await getToken();
    } catch {
      return finish({ ok: false, reason: 'token-unavailable' });
    }
    if (disposed) return { ok: false, reason: 'disposed' };
    if (typeof token !== 'string' || token.length === 0) {
      return finish({ ok: false, reason: 'token-unavailable' });
    }
    setAuthToken(token);
    if (!loose.connected) return finish({ ok: true, expiresAt: null, sent: false });
    let reply: unknown;
    try {
      reply = await loose.timeout(resolved.refreshTimeoutMs).emitWithAck(events.refresh, { token });
    } catch {
      return finish({ ok: false, reason: 'timeout' });
    }
    if (disposed) return { ok: false, reason: 'disposed' };
    const error = readGuardError(reply);
    if (error !== undefined) {
      callSafely(resolved.onRefusal, error, 'refresh');
      return finish({ ok: false, reason: 'refused', error });
    }
    const { ok, expiresAt } = (reply ?? {}) as { ok?: unknown; expiresAt?: unknown };
    if (ok !== true) return finish({ ok: false, reason: 'refused' });
    const next = typeof expiresAt === 'number' && Number.isFinite(expiresAt) ? expiresAt : null;
    const ending = schedule.accepted(next);
    const result = finish({ ok: true, expiresAt: next, sent: true });
    if (ending && next !== null) callSafely(resolved.onSessionEnding, { expiresAt: next });
    return result;
  };

  const refresh = (): Promise<RefreshResult> => {
    if (disposed) return Promise.resolve({ ok: false, reason: 'disposed' });
    inFlight ??= runRefresh().finally(() => {
      inFlight = undefined;
    });
    return inFlight;
  };

  const decide = (info: GuardErrorInfo): ReconnectAdvice => {
    const advice = reconnectAdvice(info, { ...resolved.backoff, attempt });
    if (
      advice.action === 'refresh-token' &&
      (getToken === undefined || refreshReconnects >= MAX_REFRESH_RECONNECTS)
    ) {
      return STOP;
    }
    return advice;
  };

  const reconnectWithFreshToken = async (): Promise<void> => {
    const result = await refresh();
    if (!disposed && result.ok && !loose.connected) loose.connect();
  };

  const act = (advice: ReconnectAdvice): void => {
    if (!resolved.autoReconnect || disposed) return;
    // Socket.io's own reconnection (after a transport close) would ignore the advice.
    if (loose.active && !loose.connected) loose.disconnect();
    if (retryTimer !== undefined) clearTimeout(retryTimer);
    retryTimer = undefined;
    if (advice.action === 'retry') {
      attempt++;
      retryTimer = setTimeout(() => {
        retryTimer = undefined;
        if (!disposed && !loose.connected) loose.connect();
      }, advice.delayMs);
    } else if (advice.action === 'refresh-token') {
      refreshReconnects++;
      void reconnectWithFreshToken();
    }
  };

  const keepLimits = (payload: unknown): void => {
    if (!disposed) limits = readServerLimits(payload) ?? limits;
  };
  const noLimits = (): void => {
    // No answer: an older server that sends them unasked, or no size limit installed.
  };
  // The server tells its limits to the clients that ask, once per connection: asked at
  // each connect, they may differ from one server (or deploy) to the next.
  const askLimits = (): void => {
    loose.timeout(LIMITS_ANSWER_TIMEOUT_MS).emitWithAck(events.limits).then(keepLimits, noLimits);
  };

  const listeners: [string, (...args: never[]) => void][] = [
    [
      'connect',
      () => {
        attempt = 0;
        refreshReconnects = 0;
        pendingNotice = undefined;
        schedule.connected(jwtExpiresAt(currentToken()));
        askLimits();
      },
    ],
    [
      'connect_error',
      (error: unknown) => {
        const info = readGuardError(error);
        // Transport errors carry no code: socket.io's own reconnection handles them.
        if (info === undefined) return;
        const advice = decide(info);
        callSafely(resolved.onHandshakeRefusal, info, advice);
        act(advice);
      },
    ],
    [
      'disconnect',
      (reason: unknown) => {
        schedule.stop();
        const advice = pendingNotice;
        pendingNotice = undefined;
        // Without a notice the server did not explain itself; a client disconnect is the app's.
        if (advice === undefined || reason === 'io client disconnect') return;
        act(advice);
      },
    ],
    [
      events.disconnect,
      (payload: unknown) => {
        const info = readGuardError(payload);
        if (info === undefined) return;
        // Acted upon at the `disconnect` that follows, once the socket is closed.
        const advice = decide(info);
        pendingNotice = advice;
        callSafely(resolved.onDisconnectNotice, info, advice);
      },
    ],
    [
      events.error,
      (payload: unknown) => {
        const info = readGuardError(payload);
        if (info !== undefined) callSafely(resolved.onRefusal, info, 'event');
      },
    ],
    [
      events.expiring,
      (payload: unknown) => {
        if (getToken === undefined) return;
        const expiresAt = (payload as { expiresAt?: unknown } | null)?.expiresAt;
        schedule.warned(
          typeof expiresAt === 'number' && Number.isFinite(expiresAt) ? expiresAt : undefined,
        );
      },
    ],
    [
      events.expired,
      () => {
        if (getToken !== undefined) schedule.expired();
      },
    ],
    // A server that sends them unasked (`sendLimits: 'on-connect'`, older versions).
    [events.limits, keepLimits],
  ];
  for (const [event, listener] of listeners) loose.on(event, listener);

  const checkSize = (event: string, ...args: unknown[]): GuardErrorInfo | undefined => {
    if (limits === undefined) return undefined;
    return checkMessage(limits, event, args, {
      namespace: typeof namespace === 'string' ? namespace : '/',
      // The ack id is not known before sending: keep room for any.
      ack: true,
    });
  };

  const refuseLocally = (event: string, args: unknown[]): GuardErrorInfo | undefined => {
    const refused = checkSize(event, ...args);
    if (refused !== undefined) callSafely(resolved.onRefusal, refused, 'local');
    return refused;
  };

  if (loose.connected) {
    schedule.connected(jwtExpiresAt(currentToken()));
    askLimits();
  }

  return {
    get limits() {
      return limits;
    },
    checkSize,
    emit(event, ...args) {
      const fields = resolved.replayEvents.get(event);
      const sent = fields === undefined ? args : replay.stamp(args, fields).args;
      const refused = refuseLocally(event, sent);
      if (refused === undefined) loose.emit(event, ...sent);
      return refused;
    },
    async emitWithAck<T>(event: string, ...args: unknown[]): Promise<T | GuardRefusalReply> {
      const fields = resolved.replayEvents.get(event);
      const stamped = fields === undefined ? undefined : replay.stamp(args, fields);
      const sent = stamped === undefined ? args : stamped.args;
      const refused = refuseLocally(event, sent);
      if (refused !== undefined) return { error: refused };
      const reply =
        stamped === undefined
          ? await loose.emitWithAck(event, ...sent)
          : await replay.send(event, stamped);
      const error = readGuardError(reply);
      if (error === undefined) return reply as T;
      const refusal = error.event === undefined ? { ...error, event } : error;
      callSafely(resolved.onRefusal, refusal, 'ack');
      return { error: refusal };
    },
    refresh,
    dispose() {
      if (disposed) return;
      disposed = true;
      for (const [event, listener] of listeners) loose.off(event, listener);
      if (retryTimer !== undefined) clearTimeout(retryTimer);
      retryTimer = undefined;
      schedule.stop();
      replay.cancel();
      pendingNotice = undefined;
    },
  };
}
