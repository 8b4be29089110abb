import {
  configurePortcullis,
  recordConnections,
  rerunHandshakeOnRecovery,
  restoreSessionsOnce,
  usePacketGuards,
  type AnyNamespace,
  type AnyServer,
  type AnySocket,
  type HandshakeMiddleware,
  type PacketGuard,
  type PortcullisUser,
  type SecurityEventBus,
} from '@portcullis/core';
import { authGuard, authorize, type AuthGuard } from '@portcullis/auth';
import { connectionLimitGuard, type ConnectionLimitGuard } from '@portcullis/connection-limit';
import { idleTimeoutGuard } from '@portcullis/idle-timeout';
import {
  everyNamespace,
  logoutRevokeGuard,
  syncRevocationIndex,
  type LogoutRevokeGuard,
} from '@portcullis/logout-revoke';
import { originEngineMiddleware } from '@portcullis/origin';
import {
  rateLimitGuard,
  type RateLimitGuard,
  type RateLimitGuardOptions,
} from '@portcullis/rate-limit';
import { contentGuard, replayGuard } from '@portcullis/content';
import { roomsGuard, type RoomsGuard } from '@portcullis/rooms';
import { sanitizeGuard } from '@portcullis/sanitize';
import { sessionExpiryGuard } from '@portcullis/session-expiry';
import { checkServerOptions, sizeLimitGuard, type SizeLimitGuard } from '@portcullis/size-limit';
import { validateGuard } from '@portcullis/validate';
import { checkPortcullisOptions, type PortcullisOptions } from './options';
import { buildOrigin, buildUnder } from './option-paths';
import { logRefusalsWhileUnheard, type RefusalLogPrinter } from './refusal-log';
import { requireTlsGuard } from './require-tls';
import { guardEveryNamespace } from './namespaces';
import { keepingRoomClaims, roomsOptions } from './rooms-options';
import { addSecurityHeaders, resolveSecurityHeaders } from './security-headers';
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
  /** Room joins, publish rights and `revokeRoom`; `undefined` unless `rooms` was given. */
  readonly rooms: RoomsGuard | undefined;
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
 * The rate limits as given, with one preset default: a message costs one more point per
 * whole KiB it arrived in (`costPerKiB: 1`), so large packets cannot ride a count-only
 * limit. It needs the size guard's measurement, so it is off when the size guard is.
 */
function rateLimitOptions(options: PortcullisOptions): RateLimitGuardOptions {
  const given = options.rateLimit === false ? {} : (options.rateLimit ?? {});
  if (given.messages === false) return given;
  const costPerKiB = options.sizeLimit === false ? false : 1;
  return { ...given, messages: { costPerKiB, ...given.messages } };
}

/**
 * The refusal log's printer: the app's function, `console.warn` when asked for or by
 * default outside production and tests (test runners set `NODE_ENV=test`, and refusals
 * there are made on purpose), or none.
 */
function refusalPrinter(option: PortcullisOptions['logRefusals']): RefusalLogPrinter | undefined {
  if (typeof option === 'function') return option;
  const environment = process.env.NODE_ENV;
  const on = option ?? (environment !== 'production' && environment !== 'test');
  return on ? (line) => console.warn(line) : undefined;
}

/**
 * Installs the Portcullis chain on a Socket.io server, in this order:
 *
 * - HTTP (every request, before Socket.io): origin allowlist (403), security headers;
 * - handshake, on every namespace but those named in `publicNamespaces`: TLS
 *   (production) → connection rate limit per IP → authentication → connection rate
 *   limit per user → revoked credentials → connection caps (decisive checks before the
 *   one with side effects);
 * - connection state recovery: a saved session is restored once, and a recovered socket
 *   goes through the handshake checks again before any of its packets is handled;
 * - per packet: size → message rate limit → session expiry (and in-band token refresh)
 *   → rooms → authorization → validation → content rules → sanitization → replay →
 *   idle tracking → your handler. Refusals of every guard are weighed in one place
 *   (core's escalation), which cuts a socket refused too often.
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
    ...(options.escalation === undefined ? {} : { escalation: options.escalation }),
  });
  const bus: SecurityEventBus = core.bus;
  const auth = options.auth === false ? undefined : options.auth;
  const handshakeOrder: string[] = [];
  const packetOrder: string[] = [];

  // Every guard is built (and its options checked) before anything is installed: a
  // mistake in the options throws with nothing half set up on the server.
  const originMiddleware =
    options.origin !== false && options.origins !== undefined
      ? buildOrigin(() =>
          originEngineMiddleware({
            ...(options.origin ?? {}),
            origins: options.origins as NonNullable<PortcullisOptions['origins']>,
            bus,
            ...(options.trustedProxies === undefined
              ? {}
              : { trustedProxies: options.trustedProxies }),
          }),
        )
      : undefined;

  const headersSettings = options.securityHeaders;
  const securityHeaders =
    headersSettings === false
      ? undefined
      : buildUnder('securityHeaders', () => resolveSecurityHeaders(headersSettings ?? {}));
  const requireTls = options.requireTLS ?? process.env.NODE_ENV === 'production';
  const authMiddleware =
    auth === undefined
      ? undefined
      : buildUnder('auth', () =>
          authGuard(keepingRoomClaims(auth, options.rooms === false ? undefined : options.rooms)),
        );
  const rateLimit =
    options.rateLimit === false
      ? undefined
      : buildUnder('rateLimit', () => rateLimitGuard(rateLimitOptions(options)));
  const connectionLimitSettings = options.connectionLimit;
  const connectionLimit =
    connectionLimitSettings === false
      ? undefined
      : buildUnder('connectionLimit', () => connectionLimitGuard(connectionLimitSettings ?? {}));
  const logoutRevokeSettings = options.logoutRevoke;
  const revocation =
    auth === undefined || logoutRevokeSettings === false
      ? undefined
      : buildUnder('logoutRevoke', () => logoutRevokeGuard(logoutRevokeSettings ?? {}));
  const sizeLimitSettings = options.sizeLimit;
  const sizeLimit =
    sizeLimitSettings === false
      ? undefined
      : buildUnder('sizeLimit', () => sizeLimitGuard(sizeLimitSettings ?? {}));

  // The refresh token is checked exactly like a handshake token, and against the
  // denylist, so a revoked session cannot refresh its way back in.
  const verifyRefresh =
    auth === undefined
      ? undefined
      : (() => {
          // The handshake's own verifier: one key cache for handshakes and refreshes.
          const verify = (authMiddleware as AuthGuard).verifyToken;
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
  const roomsSettings = options.rooms;
  const rooms = roomsSettings
    ? buildUnder('rooms', () =>
        roomsGuard(roomsOptions(roomsSettings, authMiddleware?.verifyToken)),
      )
    : undefined;
  // After a refresh the socket's identity may have changed: its revocation index follows,
  // and the rooms it holds by rule or capability are decided again.
  const onUserChange =
    revocation === undefined && rooms === undefined
      ? undefined
      : (socket: AnySocket): void => {
          if (revocation !== undefined) syncRevocationIndex(socket);
          if (rooms !== undefined) void rooms.recheckRooms(socket);
        };
  if (auth !== undefined && options.sessionExpiry !== false) {
    packetGuards.push(
      buildUnder('sessionExpiry', () =>
        sessionExpiryGuard({
          ...(options.sessionExpiry ?? {}),
          ...(verifyRefresh === undefined ? {} : { verifyToken: verifyRefresh }),
          ...(onUserChange === undefined ? {} : { onUserChange }),
        }),
      ),
    );
  }
  if (rooms !== undefined) {
    packetGuards.push(rooms);
  }
  if (options.authorize) {
    const { rules, ...authorizeOptions } = options.authorize;
    packetGuards.push(buildUnder('authorize', () => authorize(rules, authorizeOptions)));
  }
  if (options.validate) {
    const { schemas, ...validateOptions } = options.validate;
    packetGuards.push(buildUnder('validate', () => validateGuard(schemas, validateOptions)));
  }
  // Content rules judge the text as sent, before sanitizing rewrites it.
  const contentSettings = options.content;
  if (contentSettings)
    packetGuards.push(buildUnder('content', () => contentGuard(contentSettings)));
  if (options.sanitize) {
    const sanitizeSettings = options.sanitize === true ? {} : options.sanitize;
    packetGuards.push(buildUnder('sanitize', () => sanitizeGuard(sanitizeSettings)));
  }
  // Last of the checks: a message refused by any other guard must not burn its id.
  const replaySettings = options.replay;
  if (replaySettings) packetGuards.push(buildUnder('replay', () => replayGuard(replaySettings)));
  if (options.idleTimeout !== false) {
    const idleSettings = options.idleTimeout ?? {};
    packetGuards.push(buildUnder('idleTimeout', () => idleTimeoutGuard(idleSettings)));
  }
  packetOrder.push(...packetGuards.map((guard) => guard.guardName));

  // HTTP level: every request, including polling follow-ups and upgrades.
  if (originMiddleware !== undefined) {
    engine.use?.(originMiddleware);
    handshakeOrder.push('origin');
  }
  if (securityHeaders !== undefined) {
    addSecurityHeaders(io, core.trustedProxies, securityHeaders);
  }
  rooms?.install(io);

  // The handshake chain, in order. Revocation is decisive and free of side effects, so
  // it comes before the connection caps, which take a place (or evict) when they admit.
  // Each step with the name `order.handshake` reports: the order is read off the chain.
  // A step named `undefined` decides nothing: the denylist read and, with a cluster-wide
  // cap, the Redis connection lease start right after authentication, so they travel
  // alongside the per-user rate limit's round trip instead of after it, and each is
  // decided in its own place (a place taken for a handshake refused meanwhile is given
  // back; nobody is evicted before the newcomer connects).
  const userLimit = auth === undefined ? undefined : rateLimit?.userConnections;
  const leaseEarly = auth === undefined ? undefined : connectionLimit?.acquireEarly;
  const steps: (readonly [
    name: string | undefined,
    middleware: HandshakeMiddleware | undefined,
  ])[] = [
    ['transport', requireTls ? requireTlsGuard(core.trustedProxies) : undefined],
    ['rate-limit (ip)', rateLimit?.connections],
    ['auth', authMiddleware],
    [undefined, userLimit === undefined ? undefined : revocation?.readEarly],
    [undefined, leaseEarly],
    ['rate-limit (user)', userLimit],
    ['logout-revoke', revocation?.handshake],
  ];
  const installed = steps.filter(
    (step): step is readonly [string | undefined, HandshakeMiddleware] => step[1] !== undefined,
  );
  const handshakeChain = installed.map(([, middleware]) => middleware);
  for (const [name] of installed) if (name !== undefined) handshakeOrder.push(name);
  // The caps install themselves on the namespace, after the chain.
  if (connectionLimit !== undefined) handshakeOrder.push('connection-limit');

  const recovery = io._opts.connectionStateRecovery !== undefined;
  const install = (nsp: AnyNamespace): void => {
    if (recovery) restoreSessionsOnce(nsp);
    for (const middleware of handshakeChain) nsp.use(middleware);
    // Before every other connection listener: a recovered socket whose io.use was skipped
    // goes through the same checks (connection caps count it themselves), its packets
    // held until they answer.
    rerunHandshakeOnRecovery(nsp, handshakeChain, { guard: 'recovery' });
    revocation?.watch(nsp);
    connectionLimit?.install(nsp);
    recordConnections(nsp);
    usePacketGuards(nsp, ...packetGuards);
  };
  const publicNamespaces = new Set(options.publicNamespaces ?? []);
  guardEveryNamespace(io, {
    publicNamespaces,
    install,
    adoptChild: (nsp) => {
      if (recovery) restoreSessionsOnce(nsp);
    },
  });
  // Revocations go through every namespace there is when they are made.
  revocation?.revokeThrough(everyNamespace(io));

  const printRefusal = refusalPrinter(options.logRefusals);
  if (printRefusal !== undefined) logRefusalsWhileUnheard(bus, printRefusal, core.now);

  const warnings: StartupWarning[] = [];
  if (options.startupCheck !== false) {
    warnings.push(
      ...findDangerousSettings(io, {
        originGuard: options.origin !== false && options.origins !== undefined,
        requireTls,
        recoveryRechecked: true,
        publicNamespaces: [...publicNamespaces],
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
    rooms,
    warnings,
    order: { handshake: handshakeOrder, packet: packetOrder },
  };
}
