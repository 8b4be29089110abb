/* eslint-disable @typescript-eslint/no-explicit-any -- Socket.io does not export its
   EventsMap type; guards must accept sockets of any event map the user declares. */
import type { Namespace, Server, Socket } from 'socket.io';
import type { PortcullisContext } from './context';

/** What `socket.data` holds for Portcullis; the user's own data may sit beside it. */
export interface PortcullisSocketData {
  portcullis?: PortcullisContext;
}

/** Any Socket.io socket, whatever event maps the application declared. */
export type AnySocket = Socket<any, any, any, any>;

/** Any Socket.io server, whatever event maps the application declared. */
export type AnyServer = Server<any, any, any, any>;

/** Any namespace, whatever event maps the application declared. */
export type AnyNamespace = Namespace<any, any, any, any>;

/** The array a `socket.use` middleware receives: event name, arguments, maybe an ack. */
export type Packet = [event: string, ...args: unknown[]];

/** Signature of Socket.io's `io.use` middleware. */
export type HandshakeMiddleware<S extends AnySocket = AnySocket> = (
  socket: S,
  next: (err?: Error) => void,
) => void;

/** Signature of Socket.io's `socket.use` middleware. */
export type PacketMiddleware = (packet: Packet, next: (err?: Error) => void) => void;
