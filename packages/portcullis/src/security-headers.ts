import type { IncomingMessage } from 'node:http';
import {
  checkOptions,
  opt,
  resolveClientIp,
  type AnyServer,
  type OptionSpec,
  type TrustedProxies,
} from '@portcullis/core';

export interface SecurityHeadersOptions {
  /** `Strict-Transport-Security` value sent on TLS responses. `false` leaves it out. */
  hsts?: string | false;
  /** CSP for polling responses (they are data, never a document). `false` leaves it out. */
  contentSecurityPolicy?: string | false;
}

export const securityHeadersOptionsSpec: OptionSpec = opt.object({
  hsts: opt.off(opt.string()),
  contentSecurityPolicy: opt.off(opt.string()),
});

export const DEFAULT_HSTS = 'max-age=15552000; includeSubDomains';
export const DEFAULT_CSP = "default-src 'none'; frame-ancestors 'none'";

type Headers = Record<string, string | string[] | number>;

/**
 * `true` when the request reached us over TLS: directly, or through a trusted proxy
 * that says so in `X-Forwarded-Proto`. The header is ignored from anyone else, so a
 * client cannot claim a secure transport it does not have.
 */
export function cameOverTls(req: IncomingMessage, trusted: TrustedProxies): boolean {
  if ((req.socket as { encrypted?: boolean }).encrypted === true) return true;
  const proto = req.headers['x-forwarded-proto'];
  if (typeof proto !== 'string' || proto.length > 64) return false;
  const peer = resolveClientIp(req.socket.remoteAddress, undefined, trusted);
  if (!trusted.has(peer)) return false;
  // The last hop's scheme is the one that reached the trusted proxy.
  const last = proto.split(',').pop()?.trim().toLowerCase();
  return last === 'https' || last === 'wss';
}

/** The headers to send, resolved once (options checked here, at start-up). */
export interface ResolvedSecurityHeaders {
  readonly hsts: string | false;
  readonly contentSecurityPolicy: string | false;
}

export function resolveSecurityHeaders(
  options: SecurityHeadersOptions = {},
): ResolvedSecurityHeaders {
  checkOptions(securityHeadersOptionsSpec, options, 'installSecurityHeaders');
  return {
    hsts: options.hsts ?? DEFAULT_HSTS,
    contentSecurityPolicy: options.contentSecurityPolicy ?? DEFAULT_CSP,
  };
}

/**
 * Adds security headers to every HTTP response of the Engine.IO handshake and of
 * polling requests (the WebSocket upgrade response included): `nosniff`, `no-store`,
 * a restrictive CSP, and HSTS when the request came over TLS.
 */
export function installSecurityHeaders(
  io: AnyServer,
  trusted: TrustedProxies,
  options: SecurityHeadersOptions = {},
): void {
  addSecurityHeaders(io, trusted, resolveSecurityHeaders(options));
}

/** `installSecurityHeaders` with options already resolved (the preset checks them first). */
export function addSecurityHeaders(
  io: AnyServer,
  trusted: TrustedProxies,
  { hsts, contentSecurityPolicy: csp }: ResolvedSecurityHeaders,
): void {
  io.engine.on('headers', function addHeaders(headers: Headers, req: IncomingMessage) {
    headers['X-Content-Type-Options'] = 'nosniff';
    headers['Cache-Control'] = 'no-store';
    if (csp !== false) headers['Content-Security-Policy'] = csp;
    if (hsts !== false && cameOverTls(req, trusted)) headers['Strict-Transport-Security'] = hsts;
  });
}
