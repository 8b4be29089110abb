import type { Socket as NetSocket } from 'node:net';
import WebSocket from 'ws';

/** One frame the server sent. */
export interface ServerFrame {
  readonly binary: boolean;
  /** The text of a text frame; for a binary frame, its length as `<n bytes>`. */
  readonly text: string;
}

export interface WireClientOptions {
  /** `Origin` header. */
  origin?: string;
  /** `X-Forwarded-For`: the address the server should see (it trusts the loopback proxy). */
  forwardedFor?: string;
  /** Answer the server's pings (`2` → `3`). Default `true`; `false` plays a dead peer. */
  answerPings?: boolean;
  /** Milliseconds to wait for the upgrade and the open packet. Default 5 s. */
  timeoutMs?: number;
}

/**
 * A client that speaks Engine.IO v4 over a plain WebSocket (the `ws` package) and
 * sends whatever frames it is given, byte for byte: what socket.io-client would never
 * produce. Records every frame the server sends and how the connection ended.
 */
export class WireClient {
  readonly frames: ServerFrame[] = [];
  /** Close code and reason once the connection has ended. */
  closeInfo: { code: number; reason: string } | undefined;
  readonly closed: Promise<void>;
  private lastFrameAt = Date.now();
  private readonly waiters = new Set<() => void>();

  private constructor(
    private readonly ws: WebSocket,
    answerPings: boolean,
  ) {
    ws.on('message', (data: WebSocket.RawData, isBinary: boolean) => {
      const buffer = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
      const text = isBinary ? `<${buffer.length} bytes>` : buffer.toString('utf8');
      if (!isBinary && text === '2' && answerPings) {
        this.send('3');
      } else {
        this.frames.push({ binary: isBinary, text });
      }
      this.lastFrameAt = Date.now();
      this.wake();
    });
    ws.on('error', () => undefined); // the close event says how it ended
    this.closed = new Promise((resolve) => {
      ws.once('close', (code: number, reason: Buffer) => {
        this.closeInfo = { code, reason: reason.toString() };
        this.wake();
        resolve();
      });
    });
  }

  /**
   * Opens `ws://…/socket.io/?EIO=4&transport=websocket` and waits for the Engine.IO open
   * packet. Rejects with the HTTP status when the upgrade is refused.
   */
  static async open(url: string, options: WireClientOptions = {}): Promise<WireClient> {
    const { origin, forwardedFor, answerPings = true, timeoutMs = 5000 } = options;
    const headers: Record<string, string> = {};
    if (forwardedFor !== undefined) headers['x-forwarded-for'] = forwardedFor;
    const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/socket.io/?EIO=4&transport=websocket`, {
      headers,
      ...(origin === undefined ? {} : { origin }),
      // Read whatever the server sends; the limits under test are the server's.
      maxPayload: 16 * 1024 * 1024,
      handshakeTimeout: timeoutMs,
    });
    const client = new WireClient(ws, answerPings);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('unexpected-response', (_request, response) => {
        reject(new Error(`upgrade refused with HTTP ${response.statusCode}`));
        ws.terminate();
      });
      ws.once('close', () => reject(new Error('closed before the upgrade')));
    });
    await client.next((frame) => frame.text.startsWith('0{'), timeoutMs);
    return client;
  }

  get isOpen(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }

  /** Sends a text frame (a string, or raw bytes that may not even be UTF-8) or a binary frame. */
  send(
    data: string | Uint8Array,
    kind: 'text' | 'binary' = typeof data === 'string' ? 'text' : 'binary',
  ): void {
    if (!this.isOpen) return;
    this.ws.send(data, { binary: kind === 'binary' });
  }

  /** Resolves with the first frame (already received or to come) that matches. */
  async next(match: (frame: ServerFrame) => boolean, timeoutMs = 5000): Promise<ServerFrame> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.frames.find(match);
      if (found !== undefined) return found;
      if (this.closeInfo !== undefined)
        throw new Error(`closed (${this.closeInfo.code}) before a matching frame`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no matching frame; got ${JSON.stringify(this.frames)}`);
      await this.sleep(left);
    }
  }

  /** Waits until the server has been silent for `quietMs`, or closed, or `maxMs` passed. */
  async settle(quietMs: number, maxMs: number): Promise<void> {
    const end = Date.now() + maxMs;
    for (;;) {
      if (this.closeInfo !== undefined) return;
      const now = Date.now();
      const quietUntil = this.lastFrameAt + quietMs;
      if (now >= quietUntil || now >= end) return;
      await this.sleep(Math.min(quietUntil, end) - now);
    }
  }

  /** Stops reading from the TCP socket: the server's writes pile up (backpressure). */
  pauseReading(): void {
    (this.ws as unknown as { _socket: NetSocket })._socket.pause();
  }

  /** Closes the TCP connection at once, no close handshake. */
  terminate(): void {
    this.ws.terminate();
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.waiters.add(done);
    });
  }

  private wake(): void {
    for (const waiter of [...this.waiters]) waiter();
  }
}
