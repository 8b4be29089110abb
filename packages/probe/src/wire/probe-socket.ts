import { EventEmitter } from 'node:events';
import type { IncomingMessage } from 'node:http';
import type { LookupFunction } from 'node:net';
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';
import { readBoundedBody } from './http-request';
import { ENGINE, SOCKET, connectFrame, decodePacket } from './packets';

/** Where and how to open a WebSocket to the Socket.io server. */
export interface SocketEndpoint {
  /** `ws(s)://host:port/socket.io/?EIO=4&transport=websocket` */
  readonly wsUrl: string;
  readonly namespace: string;
  readonly lookup: LookupFunction;
}

export interface OpenRequest {
  /** The `Origin` header; absent when `undefined` (the literal `'null'` is sent as is). */
  readonly origin: string | undefined;
  /** Sent as `auth.token` in the CONNECT packet. */
  readonly token?: string | undefined;
  /** Another namespace than the endpoint's (the unguarded-namespace check). */
  readonly namespace?: string;
  /** Offer `permessage-deflate` in the upgrade (off for every other connection). */
  readonly offerDeflate?: boolean;
  /**
   * Stop once the WebSocket is open, before any Socket.io CONNECT: for what the upgrade
   * alone tells (the negotiated extensions), without a handshake the server counts.
   */
  readonly upgradeOnly?: boolean;
  readonly timeoutMs: number;
}

/** How the handshake ended. `ms` is the time from the first byte sent to that answer. */
export type Handshake =
  | { kind: 'connected'; ms: number; socket: ProbeSocket; extensions: string | undefined }
  | { kind: 'upgraded'; ms: number; extensions: string | undefined }
  | {
      kind: 'refused';
      ms: number;
      code: string | undefined;
      message: string;
      retryAfterMs: number | undefined;
    }
  | { kind: 'http-refused'; ms: number; status: number; body: string }
  | { kind: 'closed'; ms: number; closeCode: number }
  | { kind: 'timeout'; ms: number }
  | { kind: 'network-error'; ms: number; message: string };

/** Bound on what the probe accepts from the server in one frame: answers are small. */
const MAX_INCOMING_FRAME = 1024 * 1024;

function codeOf(data: unknown): string | undefined {
  if (typeof data !== 'object' || data === null) return undefined;
  const code = (data as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}

function retryAfterOf(data: unknown): number | undefined {
  if (typeof data !== 'object' || data === null) return undefined;
  const value = (data as { retryAfterMs?: unknown }).retryAfterMs;
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

function messageOf(data: unknown): string {
  if (typeof data !== 'object' || data === null) return '';
  const message = (data as { message?: unknown }).message;
  return typeof message === 'string' ? message : '';
}

export interface ProbeSocketEvents {
  /** An ack for one of our packets: its id and arguments. */
  ack: [id: number, args: unknown[]];
  /** An event the server emitted to us. */
  event: [name: string, args: unknown[]];
  /** The connection ended (the server closed it, or the namespace was disconnected). */
  close: [closeCode: number | undefined];
  /** A packet for another namespace than the socket's (the answer to a latency ping). */
  other: [namespace: string, type: string];
}

/**
 * One Socket.io connection over a raw WebSocket, speaking the protocol by hand so the
 * probe controls every byte it sends. Answers pings; never reconnects.
 */
export class ProbeSocket extends EventEmitter<ProbeSocketEvents> {
  /** The server's `maxPayload` from the Engine.IO open packet, when it sent one. */
  serverMaxPayload: number | undefined;
  /** The Socket.io id the server gave this socket (also the name of its own room). */
  sid: string | undefined;
  closed = false;
  closeCode: number | undefined;
  private lastAckId = -1;

  private constructor(
    private readonly ws: WebSocket,
    readonly namespace: string,
  ) {
    super();
  }

  /**
   * Opens a WebSocket, answers the Engine.IO open packet with a CONNECT to the
   * namespace, and resolves with how the server answered. Never rejects.
   */
  static open(endpoint: SocketEndpoint, request: OpenRequest): Promise<Handshake> {
    return new Promise((resolve) => {
      const started = performance.now();
      const elapsed = (): number => Math.round(performance.now() - started);
      const headers: Record<string, string> = {};
      if (request.origin !== undefined) headers.Origin = request.origin;
      const ws = new WebSocket(endpoint.wsUrl, {
        headers,
        perMessageDeflate: request.offerDeflate === true,
        handshakeTimeout: request.timeoutMs,
        lookup: endpoint.lookup,
        followRedirects: false,
        maxPayload: MAX_INCOMING_FRAME,
      });
      const namespace = request.namespace ?? endpoint.namespace;
      const socket = new ProbeSocket(ws, namespace);
      let extensions: string | undefined;
      let settled = false;
      const settle = (handshake: Handshake): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (handshake.kind !== 'connected') socket.close();
        resolve(handshake);
      };
      const timer = setTimeout(() => settle({ kind: 'timeout', ms: elapsed() }), request.timeoutMs);
      ws.on('error', (error: Error) => {
        socket.markClosed(undefined);
        settle({ kind: 'network-error', ms: elapsed(), message: error.message });
      });
      ws.on('upgrade', (response: IncomingMessage) => {
        const header = response.headers['sec-websocket-extensions'];
        extensions = Array.isArray(header) ? header.join(', ') : header;
      });
      ws.on('unexpected-response', (req, response) => {
        const ms = elapsed();
        void readBoundedBody(response, 512, request.timeoutMs).then((body) => {
          req.destroy();
          settle({ kind: 'http-refused', ms, status: response.statusCode ?? 0, body });
        });
      });
      ws.on('open', () => {
        if (request.upgradeOnly === true) settle({ kind: 'upgraded', ms: elapsed(), extensions });
      });
      ws.on('close', (code: number) => {
        socket.markClosed(code);
        settle({ kind: 'closed', ms: elapsed(), closeCode: code });
      });
      ws.on('message', (raw: WebSocket.RawData, isBinary: boolean) => {
        if (isBinary) return; // binary attachments of server events: not needed
        const text = raw.toString();
        const type = text.charAt(0);
        if (type === ENGINE.open) {
          socket.serverMaxPayload = readMaxPayload(text.slice(1));
          const auth = request.token === undefined ? {} : { token: request.token };
          socket.send(connectFrame(namespace, auth));
        } else if (type === ENGINE.ping) {
          socket.send(ENGINE.pong);
        } else if (type === ENGINE.close) {
          socket.close();
        } else if (type === ENGINE.message) {
          const packet = decodePacket(text.slice(1));
          if (packet === undefined) return;
          if (packet.namespace !== namespace) {
            if (settled) socket.emit('other', packet.namespace, packet.type);
            return;
          }
          if (!settled) {
            if (packet.type === SOCKET.connect) {
              const sid = (packet.data as { sid?: unknown } | undefined)?.sid;
              if (typeof sid === 'string') socket.sid = sid;
              settle({ kind: 'connected', ms: elapsed(), socket, extensions });
            } else if (packet.type === SOCKET.connectError) {
              const data = (packet.data as { data?: unknown } | undefined)?.data;
              settle({
                kind: 'refused',
                ms: elapsed(),
                code: codeOf(data),
                message: messageOf(packet.data),
                retryAfterMs: retryAfterOf(data),
              });
            }
            return;
          }
          socket.receive(packet.type, packet.id, packet.data);
        }
      });
    });
  }

  /** A fresh ack id for the next packet. */
  nextAckId(): number {
    this.lastAckId += 1;
    return this.lastAckId;
  }

  /** Sends one raw frame (text: an Engine.IO packet; binary: an attachment). */
  send(frame: string | Buffer): void {
    if (this.closed || this.ws.readyState !== WebSocket.OPEN) return;
    this.ws.send(frame);
  }

  /** Bytes handed to the socket but not yet written: lets a flood wait for the wire. */
  get bufferedAmount(): number {
    return this.ws.bufferedAmount;
  }

  close(): void {
    if (this.ws.readyState === WebSocket.CONNECTING || this.ws.readyState === WebSocket.OPEN) {
      this.ws.terminate();
    }
    this.markClosed(this.closeCode);
  }

  private markClosed(code: number | undefined): void {
    if (this.closed) return;
    this.closed = true;
    this.closeCode = code;
    this.emit('close', code);
  }

  private receive(type: string, id: number | undefined, data: unknown): void {
    if (type === SOCKET.ack && id !== undefined) {
      this.emit('ack', id, Array.isArray(data) ? data : [data]);
    } else if (type === SOCKET.event && Array.isArray(data) && typeof data[0] === 'string') {
      this.emit('event', data[0], data.slice(1));
    } else if (type === SOCKET.disconnect) {
      // The server left the namespace: nothing more will be answered on it.
      this.close();
    }
  }
}

function readMaxPayload(json: string): number | undefined {
  try {
    const open = JSON.parse(json) as { maxPayload?: unknown };
    return typeof open.maxPayload === 'number' ? open.maxPayload : undefined;
  } catch {
    return undefined;
  }
}
