import type { ServerOptions } from 'socket.io';
import { createOriginMatcher, originAllowRequest, type OriginEntry } from '@portcullis/origin';
import type { OriginOptions } from './options';
import { recommendedMaxHttpBufferSize, type SizeLimitGuardOptions } from '@portcullis/size-limit';
import type { TrustedProxy } from '@portcullis/core';

export interface SecureServerOptionsInput extends OriginOptions {
  /** The origins allowed to connect; CORS and `allowRequest` are built from them. */
  origins?: OriginEntry | readonly OriginEntry[];
  /** Proxies whose `X-Forwarded-For` is believed (for the refusal log's addresses). */
  trustedProxies?: readonly TrustedProxy[];
  /** The size limits you give the preset, so the engine's buffer sits above them. */
  sizeLimit?: SizeLimitGuardOptions;
  /** Your own Socket.io options, applied last. The start-up check warns about risky ones. */
  overrides?: Partial<ServerOptions>;
}

/**
 * Socket.io `ServerOptions` with safe values:
 * - `perMessageDeflate: false` and `httpCompression: false`: compressing secrets next
 *   to attacker-chosen text leaks them (CRIME/BREACH), and inflating costs memory;
 * - `maxHttpBufferSize` twice the size guard's largest limit (128 KiB by default), so an
 *   oversized message still gets a `PAYLOAD_TOO_LARGE` answer while a much larger one is
 *   cut by the engine before it is parsed;
 * - CORS from the origin allowlist (allowed origins reflected, with credentials);
 *   `allowRequest` from the origin guard (403 before the handshake);
 * - shorter `connectTimeout` (10 s) and `upgradeTimeout`, the default ping settings,
 *   no Engine.IO v3 clients, no Engine.IO cookie.
 */
export function secureServerOptions(
  input: Readonly<SecureServerOptionsInput> = {},
): Partial<ServerOptions> {
  const { origins, trustedProxies, sizeLimit, overrides, ...originOptions } = input;
  const options: Partial<ServerOptions> = {
    perMessageDeflate: false,
    httpCompression: false,
    maxHttpBufferSize: recommendedMaxHttpBufferSize(sizeLimit ?? {}),
    pingInterval: 25_000,
    pingTimeout: 20_000,
    connectTimeout: 10_000,
    upgradeTimeout: 10_000,
    allowEIO3: false,
    cookie: false,
    serveClient: false,
    cleanupEmptyChildNamespaces: true,
  };
  if (origins !== undefined) {
    const matcherOptions = { ...originOptions, origins };
    const matcher = createOriginMatcher(matcherOptions);
    options.cors = { origin: matcher.corsOrigin, credentials: true, methods: ['GET', 'POST'] };
    options.allowRequest = originAllowRequest({
      ...matcherOptions,
      ...(trustedProxies === undefined ? {} : { trustedProxies }),
    });
  }
  return { ...options, ...overrides };
}
