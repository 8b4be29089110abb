import { RateBackoff, handshakeLimit, retryWhileLimited, type BackoffRecord } from './backoff';
import type { ResolvedProbeOptions } from './options';
import type { Target } from './target/resolve-target';
import type { TokenKit } from './tokens/token-kit';
import type { AnswerEvents } from './wire/await-answer';
import { sendHttpRequest, type HttpExchange, type HttpRequestOptions } from './wire/http-request';
import {
  ProbeSocket,
  type Handshake,
  type OpenRequest,
  type SocketEndpoint,
} from './wire/probe-socket';
import { explainHonestRefusal } from './judge/honest';

/** The run used up `maxConnections`: the probe stops opening connections. */
export class ConnectionBudgetError extends Error {
  override readonly name = 'ConnectionBudgetError';
}

/** The honest connection a check needs was refused. */
export class HonestConnectionRefusedError extends Error {
  override readonly name = 'HonestConnectionRefusedError';
}

export type ConnectRequest = Omit<OpenRequest, 'timeoutMs'>;

/** How long a trailing disconnect may lag behind the answer it follows. */
const SETTLE_MS = 50;

/**
 * What every check gets: the options, the checked target, the tokens, and the only
 * ways to reach the server, all counted against `maxConnections`.
 */
export class ProbeContext {
  readonly endpoint: SocketEndpoint;
  readonly events: AnswerEvents;
  /** The waiting on rate limits of the run and of its current check. */
  readonly backoff = new RateBackoff();
  private used = 0;
  private readonly open = new Set<ProbeSocket>();
  /** Sockets the server announced it is about to cut (`portcullis:disconnect`). */
  private readonly doomed = new WeakSet<ProbeSocket>();
  private shared: ProbeSocket | undefined;
  private readonly memo = new Map<string, Promise<unknown>>();
  /** Cookies the login set (`name=value; …`), sent with the logout. */
  cookies: string | undefined;

  constructor(
    readonly options: ResolvedProbeOptions,
    readonly target: Target,
    readonly tokens: TokenKit,
  ) {
    const ws = new URL(options.path, options.url);
    ws.protocol = options.url.protocol === 'https:' ? 'wss:' : 'ws:';
    ws.search = '?EIO=4&transport=websocket';
    this.endpoint = { wsUrl: ws.href, namespace: options.namespace, lookup: target.lookup };
    this.events = { errorEvent: options.errorEvent, disconnectEvent: options.disconnectEvent };
  }

  /** Handshakes and HTTP requests made so far. */
  get connectionsUsed(): number {
    return this.used;
  }

  private spend(what: string): void {
    if (this.used >= this.options.maxConnections) {
      throw new ConnectionBudgetError(
        `the run reached maxConnections (${this.options.maxConnections}) before ${what}; raise --max-connections`,
      );
    }
    this.used += 1;
  }

  /**
   * Opens one Socket.io connection; a connected socket is closed by `closeAll`. A
   * handshake refused by a rate limit is made again after the wait the server asked
   * for, within the back-off's bounds (each one counts against `maxConnections`).
   */
  async connect(request: ConnectRequest): Promise<Handshake> {
    return (await this.connectRetried(request)).result;
  }

  /** `connect`, with what the back-off did (for the attempt's evidence). */
  connectRetried(request: ConnectRequest): Promise<{ result: Handshake; backoff: BackoffRecord }> {
    return retryWhileLimited(
      this.backoff,
      () => this.connectOnce(request),
      handshakeLimit,
      () => this.used < this.options.maxConnections,
    );
  }

  private async connectOnce(request: ConnectRequest): Promise<Handshake> {
    this.spend('a handshake');
    const handshake = await ProbeSocket.open(this.endpoint, {
      ...request,
      timeoutMs: this.options.timeoutMs,
    });
    if (handshake.kind === 'connected') {
      const { socket } = handshake;
      this.open.add(socket);
      socket.once('close', () => this.open.delete(socket));
      socket.on('event', (name) => {
        if (name === this.options.disconnectEvent) this.doomed.add(socket);
      });
    }
    return handshake;
  }

  /** A connection as an honest page would open it: the allowed Origin and a good token. */
  async connectHonest(token?: string): Promise<Handshake> {
    return this.connect({
      origin: this.options.origin,
      token: token ?? (await this.tokens.honest()),
    });
  }

  /** An honest connection, or a `HonestConnectionRefusedError` saying what came back. */
  async honestSocket(token?: string): Promise<ProbeSocket> {
    const handshake = await this.connectHonest(token);
    if (handshake.kind !== 'connected') {
      throw new HonestConnectionRefusedError(
        `an honest connection was refused (${explainHonestRefusal(handshake)})`,
      );
    }
    return handshake.socket;
  }

  /**
   * The honest session the message checks share, reopened when the server closed it:
   * a few connections for the whole run instead of one per message, so the probe does
   * not trip the per-user connection limits it is not testing.
   */
  async sharedSocket(): Promise<ProbeSocket> {
    const current = this.shared;
    if (current === undefined || current.closed || this.doomed.has(current)) {
      current?.close();
      this.shared = await this.honestSocket();
    }
    return this.shared as ProbeSocket;
  }

  /** Whether `socket` can still carry a packet: open, and not announced as about to be cut. */
  usable(socket: ProbeSocket): boolean {
    return !socket.closed && !this.doomed.has(socket);
  }

  /**
   * Waits briefly after an answer for a disconnect the server sends right behind it
   * (size and error-rate guards cut a socket after a few refusals), so that it is not
   * taken for the answer to the next packet. The server writes both back to back.
   */
  async settle(socket: ProbeSocket): Promise<void> {
    if (socket.closed || this.doomed.has(socket)) return;
    await new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        socket.off('close', done);
        socket.off('event', done);
        resolve();
      };
      const timer = setTimeout(done, SETTLE_MS);
      socket.once('close', done);
      socket.once('event', done);
    });
  }

  /** Runs `make` once per run under `key` and shares its result (e.g. the payload control). */
  once<T>(key: string, make: () => Promise<T>): Promise<T> {
    let pending = this.memo.get(key) as Promise<T> | undefined;
    if (pending === undefined) {
      pending = make();
      this.memo.set(key, pending);
    }
    return pending;
  }

  /** Makes an open honest socket the shared one (the baseline's, to save a handshake). */
  share(socket: ProbeSocket): void {
    if (!socket.closed) this.shared = socket;
  }

  /** One HTTP request to the probed host. */
  http(url: URL, options: Omit<HttpRequestOptions, 'lookup' | 'timeoutMs'>): Promise<HttpExchange> {
    this.spend('an HTTP request');
    return sendHttpRequest(url, {
      ...options,
      lookup: this.target.lookup,
      timeoutMs: this.options.timeoutMs,
    });
  }

  /** Closes every connection still open. */
  closeAll(): void {
    for (const socket of [...this.open]) socket.close();
    this.shared = undefined;
  }
}
