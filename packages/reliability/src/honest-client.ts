import { io, type Socket } from 'socket.io-client';
import { ORIGIN, signToken } from './identity';

export interface ConnectOptions {
  /** Whose fresh token to present. Default `honest`. */
  userId?: string;
  /** A token to present instead of a fresh one for `userId`. */
  token?: string;
  /** `X-Forwarded-For` for the server (which trusts the loopback proxy). None by default. */
  forwardedFor?: string;
}

export interface HonestClientOptions extends ConnectOptions {
  /** Room the client joins and writes to. Default `honest`. */
  room?: string;
}

/**
 * A socket.io-client socket of `userId` on the allowed origin, connected; rejects with
 * the refusal's `err.data` (or message) when the handshake is refused.
 */
export async function connectSocket(url: string, options: ConnectOptions = {}): Promise<Socket> {
  const { socket, connected } = openSocket(url, options);
  await connected;
  return socket;
}

/** Opens a socket without waiting: `connected` settles with the handshake's outcome. */
export function openSocket(
  url: string,
  options: ConnectOptions = {},
): { socket: Socket; connected: Promise<void> } {
  const { userId = 'honest', forwardedFor } = options;
  const headers: Record<string, string> = { origin: ORIGIN };
  if (forwardedFor !== undefined) headers['x-forwarded-for'] = forwardedFor;
  const socket = io(url, {
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
    timeout: 10_000,
    auth: (send: (auth: object) => void) => {
      if (options.token !== undefined) send({ token: options.token });
      else void signToken(userId).then((token) => send({ token }));
    },
    extraHeaders: headers,
  });
  const connected = new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', (error: Error & { data?: unknown }) => {
      socket.disconnect();
      reject(new RefusedError(error.data, error.message, userId));
    });
  });
  return { socket, connected };
}

/** A refused handshake: `data` is what the server sent (`{ code, message, retryable }`). */
export class RefusedError extends Error {
  constructor(
    readonly data: unknown,
    message: string,
    userId: string,
  ) {
    super(`handshake of ${userId} refused: ${JSON.stringify(data ?? message)}`);
  }
}

/**
 * A well-behaved socket.io-client user: joins a room and sends a chat message with an
 * ack at a steady pace. It records every ack, every failure (timeout, refusal, error
 * reply) and every forced disconnect, so a run can show it was served throughout.
 */
export class HonestClient {
  acks = 0;
  /** `chat:message` events received from the others in the room. */
  received = 0;
  readonly failures: string[] = [];
  readonly disconnects: string[] = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly inFlight = new Set<Promise<void>>();

  private constructor(
    readonly socket: Socket,
    private readonly room: string,
  ) {
    socket.on('disconnect', (reason: string) => this.disconnects.push(reason));
    socket.on('chat:message', () => {
      this.received += 1;
    });
    socket.on('portcullis:error', (data: unknown) =>
      this.failures.push(`portcullis:error ${JSON.stringify(data)}`),
    );
    socket.on('portcullis:disconnect', (data: unknown) =>
      this.failures.push(`portcullis:disconnect ${JSON.stringify(data)}`),
    );
  }

  static async connect(url: string, options: HonestClientOptions = {}): Promise<HonestClient> {
    const { room = 'honest', ...connectOptions } = options;
    const socket = await connectSocket(url, connectOptions);
    const client = new HonestClient(socket, room);
    const joined = (await socket.timeout(10_000).emitWithAck('chat:join', room)) as unknown;
    if (JSON.stringify(joined) !== '{"ok":true}') {
      throw new Error(`join answered ${JSON.stringify(joined)}`);
    }
    return client;
  }

  /** Sends one message and checks its ack. */
  async send(text: string): Promise<boolean> {
    try {
      const reply = (await this.socket
        .timeout(10_000)
        .emitWithAck('chat:send', { roomId: this.room, text })) as {
        ok?: boolean;
        text?: string;
      };
      if (reply?.ok === true && reply.text === text) {
        this.acks += 1;
        return true;
      }
      this.failures.push(`ack ${JSON.stringify(reply)}`);
    } catch (error) {
      this.failures.push(error instanceof Error ? error.message : String(error));
    }
    return false;
  }

  /** Sends a message every `intervalMs` until `stop()`. */
  start(intervalMs = 100): void {
    let count = 0;
    this.timer = setInterval(() => {
      const sent = this.send(`message ${++count}`).then(() => undefined);
      this.inFlight.add(sent);
      void sent.finally(() => this.inFlight.delete(sent));
    }, intervalMs);
  }

  /** Stops sending and waits for the acks still due. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await Promise.all([...this.inFlight]);
  }

  close(): void {
    clearInterval(this.timer);
    this.socket.disconnect();
  }
}
