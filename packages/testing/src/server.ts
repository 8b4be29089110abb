import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server, type ServerOptions } from 'socket.io';
import { onCleanup } from './cleanup';

export interface TestServer<S extends Server = Server> {
  readonly io: S;
  readonly http: HttpServer;
  readonly port: number;
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  close(): Promise<void>;
}

export interface StartServerOptions<S extends Server> {
  serverOptions?: Partial<ServerOptions>;
  /** Installs guards and handlers before the server accepts connections. */
  setup?: (io: S) => void | Promise<void>;
}

/** Starts a real Socket.io server on an ephemeral port of 127.0.0.1. */
export async function startServer<S extends Server = Server>(
  options: StartServerOptions<S> = {},
): Promise<TestServer<S>> {
  const http = createServer();
  const io = new Server(http, options.serverOptions) as S;
  let closed: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closed ??= new Promise<void>((resolve) => {
      io.close(() => resolve());
      http.closeAllConnections();
    });
    return closed;
  };
  onCleanup(close);
  await options.setup?.(io);
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = http.address() as AddressInfo;
  return { io, http, port, url: `http://127.0.0.1:${port}`, close };
}
