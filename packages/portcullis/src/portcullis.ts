import {
  configurePortcullis,
  recordConnections,
  usePacketGuards,
  type AnyNamespace,
  type AnyServer,
  type AnySocket,
  type PacketGuard,
  type PortcullisUser,
  type SecurityEventBus,
} from '@portcullis/core';
import {
  authGuard,
  authorize,
  createTokenVerifier,
  recheckRecoveredSockets,
} from '@portcullis/auth';
import { connectionLimitGuard, type ConnectionLimitGuard } from '@portcullis/connection-limit';
import { idleTimeoutGuard } from '@portcullis/idle-timeout';
import {
  logoutRevokeGuard,
  syncRevocationRooms,
  type LogoutRevokeGuard,
} from '@portcullis/logout-revoke';
import { originEngineMiddleware } from '@portcullis/origin';
import { rateLimitGuard, type RateLimitGuard } from '@portcullis/rate-limit';
import { sanitizeGuard } from '@portcullis/sanitize';
import { sessionExpiryGuard } from '@portcullis/session-expiry';
import { checkServerOptions, sizeLimitGuard, type SizeLimitGuard } from '@portcullis/size-limit';
import { validateGuard } from '@portcullis/validate';
import { checkPortcullisOptions, type PortcullisOptions } from './options';
import { requireTlsGuard } from './require-tls';
import { installSecurityHeaders } from './security-headers';
import {
  findDangerousSettings,
  reportDangerousSettings,
  type StartupWarning,
} from './startup-check';

/** What `portcullis()` installed, and the handles an application needs afterwards. */
export interface Portcullis {
  /** Logout on every node; `undefined` when `logoutRevoke: false` or `auth: false`. */
  readonly revocation: LogoutRevokeGuard | undefined;
  /** The size guard (its `limits` are what clients are told); `undefined` when off. */
  readonly sizeLimit: SizeLimitGuard | undefined;
  readonly rateLimit: RateLimitGuard | undefined;
  readonly connectionLimit: ConnectionLimitGuard | undefined;
  /** Dangerous settings found by the start-up check (also printed and put on the bus). */
  readonly warnings: readonly StartupWarning[];
  /** The guards installed, in order: handshake first, then per packet. */
  readonly order: { readonly handshake: readonly string[]; readonly packet: readonly string[] };
}

type EngineWithUse = { use?: (middleware: unknown) => void };

function requireEngine(io: AnyServer): EngineWithUse {
  const engine = (io as unknown as { engine?: EngineWithUse }).engine;
  if (engine === undefined || typeof engine.use !== 'function') {
    throw new TypeError(
      'portcullis(io): the server is not attached to an HTTP server yet. Create it with new Server(httpServer, secureServerOptions(...)) and then call portcullis(io, options).',
    );
  }
  return engine;
}

/**
 * Installs the Portcullis chain on a Socket.io server, in this order:
 *
 * - HTTP (every request, before Socket.io): origin allowlist (403), security headers;
 * - handshake: TLS (production) → connection rate limit per IP → authentication →
 *   connection rate limit per user → connection caps → revoked credentials;
 * - per packet: size → message rate limit → error rate → session expiry (and in-band
 *   token refresh) → authorization → validation → sanitization → idle tracking → your
 *   handler.
 *
 * Cheap and decisive checks come first, so an attacker pays before the server does.
 *
 * @example
 * const io = new Server(httpServer, secureServerOptions({ origins }));
 * const guards = portcullis(io, { origins, auth: { secret, algorithms: ['HS256'] } });
 * app.post('/logout', async (req, res) => { await guards.revocation?.revokeUser(req.user.id); … });
 */
export function portcullis(io: AnyServer, options: PortcullisOptions): Portcullis {
  checkPortcullisOptions(options);
  const engine = requireEngine(io);
  const core = configurePortcullis(io, {
    ...(options.trustedProxies === undefined ? {} : { trustedProxies: options.trustedProxies }),
    ...(options.errorEvent === undefined ? {} : { errorEvent: options.errorEvent }),
    ...(options.disconnectEvent === undefined ? {} : { disconnectEvent: options.disconnectEvent }),
    ...(options.bus === undefined ? {} : { bus: options.bus }),
  });
  const bus: SecurityEventBus = core.bus;
  const auth = options.auth === false ? undefined : options.auth;
  const handshakeOrder: string[] = [];
  const packetOrder: string[] = [];

  // HTTP level: every request, including polling follow-ups and upgrades.
  if (options.origin !== false && options.origins !== undefined) {
    engine.use?.(
      originEngineMiddleware({
        ...(options.origin ?? {}),
        origins: options.origins,
        bus,
        ...(options.trustedProxies === undefined ? {} : { trustedProxies: options.trustedProxies }),
      }),
    );
    handshakeOrder.push('origin');
  }
  if (options.securityHeaders !== false) {
    installSecurityHeaders(io, core.trustedProxies, options.securityHeaders ?? {});
  }

  const requireTls = options.requireTLS ?? process.env.NODE_ENV === 'production';
  const rateLimit =
    options.rateLimit === false ? undefined : rateLimitGuard(options.rateLimit ?? {});
  const connectionLimit =
    options.connectionLimit === false
      ? undefined
      : connectionLimitGuard(options.connectionLimit ?? {});
  const revocation =
    auth === undefined || options.logoutRevoke === false
      ? undefined
      : logoutRevokeGuard(options.logoutRevoke ?? {});
  const sizeLimit =
    options.sizeLimit === false ? undefined : sizeLimitGuard(options.sizeLimit ?? {});

  // The refresh token is checked exactly like a handshake token, and against the
  // denylist, so a revoked session cannot refresh its way back in.
  const verifyRefresh =
    auth === undefined
      ? undefined
      : (() => {
          const verify = createTokenVerifier(auth);
          return async (token: string): Promise<PortcullisUser> => {
            const user = await verify(token);
            const verdict =
              revocation === undefined ? undefined : await revocation.denylist.check(user);
            if (verdict !== undefined) throw verdict;
            return user;
          };
        })();

  const packetGuards: PacketGuard[] = [];
  if (sizeLimit !== undefined) packetGuards.push(sizeLimit);
  if (rateLimit !== undefined) packetGuards.push(...rateLimit.packetGuards);
  if (auth !== undefined && options.sessionExpiry !== false) {
    packetGuards.push(
      sessionExpiryGuard({
        ...(options.sessionExpiry ?? {}),
        ...(verifyRefresh === undefined ? {} : { verifyToken: verifyRefresh }),
        ...(revocation === undefined
          ? {}
          : { onUserChange: (socket: AnySocket) => syncRevocationRooms(socket) }),
      }),
    );
  }
  if (options.authorize) {
    const { rules, ...authorizeOptions } = options.authorize;
    packetGuards.push(authorize(rules, authorizeOptions));
  }
  if (options.validate) {
    const { schemas, ...validateOptions } = options.validate;
    packetGuards.push(validateGuard(schemas, validateOptions));
  }
  if (options.sanitize) {
    packetGuards.push(sanitizeGuard(options.sanitize === true ? {} : options.sanitize));
  }
  if (options.idleTimeout !== false) packetGuards.push(idleTimeoutGuard(options.idleTimeout ?? {}));
  packetOrder.push(...packetGuards.map((guard) => guard.guardName));

  const install = (nsp: AnyNamespace): void => {
    if (requireTls) nsp.use(requireTlsGuard(core.trustedProxies));
    if (rateLimit !== undefined) nsp.use(rateLimit.connections);
    if (auth !== undefined) nsp.use(authGuard(auth));
    if (rateLimit !== undefined && auth !== undefined) nsp.use(rateLimit.userConnections);
    connectionLimit?.install(nsp);
    revocation?.install(nsp);
    recordConnections(nsp);
    usePacketGuards(nsp, ...packetGuards);
  };
  if (requireTls) handshakeOrder.push('transport');
  if (rateLimit !== undefined) handshakeOrder.push('rate-limit (ip)');
  if (auth !== undefined) handshakeOrder.push('auth');
  if (rateLimit !== undefined && auth !== undefined) handshakeOrder.push('rate-limit (user)');
  if (connectionLimit !== undefined) handshakeOrder.push('connection-limit');
  if (revocation !== undefined) handshakeOrder.push('logout-revoke');

  for (const name of options.namespaces ?? ['/']) install(io.of(name));
  if (auth !== undefined) recheckRecoveredSockets(io);

  const warnings: StartupWarning[] = [];
  if (options.startupCheck !== false) {
    warnings.push(
      ...findDangerousSettings(io, {
        originGuard: options.origin !== false && options.origins !== undefined,
        requireTls,
      }),
    );
    if (sizeLimit !== undefined) {
      for (const warning of checkServerOptions(io, sizeLimit)) {
        warnings.push({ code: warning.code.replace(/^PORTCULLIS_/, ''), message: warning.message });
      }
    }
    reportDangerousSettings(io, warnings);
  }

  return {
    revocation,
    sizeLimit,
    rateLimit,
    connectionLimit,
    warnings,
    order: { handshake: handshakeOrder, packet: packetOrder },
  };
}
