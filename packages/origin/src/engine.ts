import { ServerResponse, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import {
  CODE_INFO,
  resolveClientIp,
  type GuardErrorCode,
  type SecurityEvent,
} from '@portcullis/core';
import type { OriginVerdict } from './matcher';
import { MAX_ORIGIN_LENGTH } from './normalize';
import {
  codeOf,
  logKey,
  refusalDetail,
  resolveEngineOptions,
  type OriginEngineOptions,
  type ResolvedEngineOptions,
} from './options';

/** Engine.IO's middleware signature (`io.engine.use`). */
export type EngineMiddleware = (
  req: IncomingMessage,
  res: ServerResponse,
  next: (err?: Error) => void,
) => void;

/** Engine.IO's `allowRequest` server option. */
export type AllowRequest = (
  req: IncomingMessage,
  callback: (err: string | null | undefined, success: boolean) => void,
) => void;

type MutableEvent = { -readonly [K in keyof SecurityEvent]: SecurityEvent[K] };

const TRANSPORT = /[?&]transport=(polling|websocket)(?:&|$)/;
const SID = /[?&]sid=/;

function describeRequest(req: IncomingMessage): Record<string, string> {
  const url = req.url ?? '';
  return {
    transport: TRANSPORT.exec(url)?.[1] ?? 'other',
    request: SID.test(url) ? 'follow-up' : 'handshake',
  };
}

/** Records a refusal on the bus, once per origin per interval (see `RefusalLog`). */
function createRecorder(resolved: ResolvedEngineOptions) {
  const { bus, log, now, trustedProxies, maxTrackedOrigins } = resolved;
  return function recordRefusal(req: IncomingMessage, verdict: OriginVerdict): void {
    if (bus.listenerCount === 0) return;
    const origin = req.headers.origin;
    const decision = log.decide(logKey(verdict, origin), now());
    if (decision.kind === 'skip') return;
    const event: MutableEvent = {
      type: decision.kind === 'overflow' ? 'suspicious' : 'handshake_refused',
      code: codeOf(verdict),
      at: now(),
      ip: resolveClientIp(req.socket.remoteAddress, req.headers['x-forwarded-for'], trustedProxies),
      guard: 'origin',
      detail: refusalDetail(verdict, decision, maxTrackedOrigins, describeRequest(req)),
    };
    if (typeof origin === 'string' && origin.length > 0 && origin.length <= MAX_ORIGIN_LENGTH) {
      event.origin = origin;
    }
    bus.emit(event);
  };
}

function bodyOf(code: GuardErrorCode): string {
  return JSON.stringify({ code, message: CODE_INFO[code].message });
}

const BODIES: Readonly<Record<'ORIGIN_REJECTED' | 'INTERNAL', string>> = {
  ORIGIN_REJECTED: bodyOf('ORIGIN_REJECTED'),
  INTERNAL: bodyOf('INTERNAL'),
};

function refuseHttp(res: ServerResponse, body: string): void {
  if (res.headersSent) {
    if (!res.writableEnded) res.end();
    return;
  }
  res.writeHead(403, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(body),
  });
  res.end(body);
}

/**
 * Answers an upgrade request before any WebSocket exists: a plain HTTP 403 on the raw
 * socket, then close. (Engine.IO's own refusal path answers upgrades with a 400.)
 */
function refuseUpgrade(socket: Duplex, body: string): void {
  socket.on('error', () => undefined);
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  socket.once('finish', () => socket.destroy());
  socket.end(
    'HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Type: application/json\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}

/**
 * The engine-level hook for `io.engine.use()`. It sees every HTTP request Socket.io
 * receives: the handshake, the follow-up polling requests that carry a `sid`, and the
 * WebSocket upgrade (with or without `sid`). A refused request gets HTTP 403 before any
 * Socket.io work happens: no session, no socket, no upgrade.
 *
 * @example
 * io.engine.use(originEngineMiddleware({ origins: ['https://app.example.com'] }));
 */
export function originEngineMiddleware(options: Readonly<OriginEngineOptions>): EngineMiddleware {
  const resolved = resolveEngineOptions(options, 'originEngineMiddleware');
  const { matcher } = resolved;
  const recordRefusal = createRecorder(resolved);
  const finish = (
    req: IncomingMessage,
    res: ServerResponse,
    next: (err?: Error) => void,
    verdict: OriginVerdict,
  ): void => {
    if (verdict === 'allowed') {
      next();
      return;
    }
    recordRefusal(req, verdict);
    const body = BODIES[codeOf(verdict) === 'INTERNAL' ? 'INTERNAL' : 'ORIGIN_REJECTED'];
    // `next` is never called: the request stops here, like any middleware that answers.
    if (res instanceof ServerResponse) refuseHttp(res, body);
    else refuseUpgrade(req.socket, body);
  };
  return function originEngineMiddleware(req, res, next) {
    const verdict = matcher.check(req.headers.origin, req.headers['sec-fetch-site']);
    if (typeof verdict === 'string') finish(req, res, next, verdict);
    else void verdict.then((result) => finish(req, res, next, result));
  };
}

/**
 * The `allowRequest` server option. Engine.IO calls it for handshakes only (requests
 * without `sid`): a refused polling handshake gets HTTP 403, a refused WebSocket
 * handshake gets Engine.IO's 400. Follow-up requests and the upgrade of a polling
 * session are not seen by it; `originEngineMiddleware` covers those too.
 *
 * @example
 * new Server(httpServer, { allowRequest: originAllowRequest({ origins: ['https://app.example.com'] }) });
 */
export function originAllowRequest(options: Readonly<OriginEngineOptions>): AllowRequest {
  const resolved = resolveEngineOptions(options, 'originAllowRequest');
  const { matcher } = resolved;
  const recordRefusal = createRecorder(resolved);
  const finish = (
    req: IncomingMessage,
    callback: Parameters<AllowRequest>[1],
    verdict: OriginVerdict,
  ): void => {
    if (verdict === 'allowed') {
      callback(null, true);
      return;
    }
    recordRefusal(req, verdict);
    callback(CODE_INFO[codeOf(verdict)].message, false);
  };
  return function originAllowRequest(req, callback) {
    const verdict = matcher.check(req.headers.origin, req.headers['sec-fetch-site']);
    if (typeof verdict === 'string') finish(req, callback, verdict);
    else void verdict.then((result) => finish(req, callback, result));
  };
}
