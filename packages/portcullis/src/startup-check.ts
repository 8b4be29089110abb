import { settingsOfServer, type AnyServer } from '@portcullis/core';

/** One dangerous setting found on a live server. */
export interface StartupWarning {
  readonly code: string;
  readonly message: string;
}

export interface StartupCheckContext {
  /** An origin check is installed (engine `allowRequest` or `io.use`). */
  originGuard: boolean;
  /** Handshakes without TLS are refused. */
  requireTls: boolean;
  /** Environment name; `production` turns on the TLS check. Default `process.env.NODE_ENV`. */
  nodeEnv?: string | undefined;
  /**
   * Recovered sockets go through the handshake checks again and a saved session is
   * restored once (the preset does both). Default `false`.
   */
  recoveryRechecked?: boolean;
  /** Namespaces deliberately left without guards. */
  publicNamespaces?: readonly string[];
}

interface EngineOptionsView {
  perMessageDeflate?: unknown;
  maxHttpBufferSize?: number;
  transports?: readonly string[];
  cookie?: unknown;
  allowEIO3?: boolean;
  cors?: { origin?: unknown; credentials?: boolean };
}

interface ServerOptionsView {
  connectionStateRecovery?: { skipMiddlewares?: boolean };
  cors?: { origin?: unknown; credentials?: boolean };
}

const ONE_MB = 1_000_000;

/**
 * Looks at a live server's options and lists the settings that weaken it. Nothing is
 * changed: the caller decides. The preset prints each warning once and puts it on the
 * security-event bus.
 */
export function findDangerousSettings(
  io: AnyServer,
  context: StartupCheckContext,
): StartupWarning[] {
  const engine = (io.engine as unknown as { opts?: EngineOptionsView }).opts ?? {};
  const server = (io as unknown as { _opts?: ServerOptionsView })._opts ?? {};
  const warnings: StartupWarning[] = [];
  const add = (code: string, message: string): void => {
    warnings.push({ code, message });
  };
  if (engine.perMessageDeflate) {
    add(
      'PER_MESSAGE_DEFLATE',
      'perMessageDeflate is on: compressing secrets next to attacker-chosen text leaks them (CRIME/BREACH), and inflating costs memory. Set perMessageDeflate: false.',
    );
  }
  if ((engine.maxHttpBufferSize ?? ONE_MB) > ONE_MB) {
    add(
      'MAX_HTTP_BUFFER_SIZE',
      `maxHttpBufferSize is ${engine.maxHttpBufferSize} bytes: one message can hold that much memory per socket. Keep it at 1 MB or less (secureServerOptions uses 128 KB).`,
    );
  }
  const cors = engine.cors ?? server.cors;
  const anyOrigin = cors?.origin === '*' || cors?.origin === true;
  if (anyOrigin && cors?.credentials === true) {
    add(
      'CORS_ANY_ORIGIN_WITH_CREDENTIALS',
      "CORS allows any origin with credentials: any web page can ride your users' cookies. List your origins instead.",
    );
  }
  const polling = (engine.transports ?? ['polling', 'websocket']).includes('polling');
  if (polling && engine.cookie && !context.originGuard) {
    add(
      'POLLING_COOKIES_WITHOUT_ORIGIN_CHECK',
      "Polling is on with cookies and no origin check: cross-site pages can open sessions with your users' cookies. Add the origin guard.",
    );
  }
  if (!context.originGuard) {
    add(
      'NO_ORIGIN_CHECK',
      "No origin check: a page on any site can open a WebSocket to this server with your users' cookies (cross-site WebSocket hijacking). Pass origins to portcullis().",
    );
  }
  const nodeEnv = context.nodeEnv ?? process.env.NODE_ENV;
  if (nodeEnv === 'production' && !context.requireTls) {
    add(
      'NO_TLS_IN_PRODUCTION',
      'NODE_ENV is production and handshakes without TLS are accepted: tokens travel in clear text. Keep requireTLS on.',
    );
  }
  if (server.connectionStateRecovery && context.recoveryRechecked !== true) {
    add(
      'RECOVERY_UNGUARDED',
      'connectionStateRecovery is on: a recovered socket skips io.use middlewares (skipMiddlewares defaults to true), and one saved session can be restored several times, giving live copies that a revocation does not all reach. Re-run the handshake checks with rerunHandshakeOnRecovery() and restore each session once with restoreSessionsOnce() (both in @portcullis/core); skipMiddlewares: false alone does not stop the copies.',
    );
  }
  const publicNamespaces = context.publicNamespaces ?? [];
  if (publicNamespaces.length > 0) {
    add(
      'UNGUARDED_NAMESPACES',
      `These namespaces have no guard (publicNamespaces): ${publicNamespaces.join(', ')}. Anyone can connect there without a token, limits or size checks; serve nothing private on them.`,
    );
  }
  if (engine.allowEIO3) {
    add(
      'ALLOW_EIO3',
      'allowEIO3 accepts Socket.io v2 clients, which bypass some v4 protections. Turn it off.',
    );
  }
  return warnings;
}

/** Prints each warning on one clear console line and puts it on the server's bus. */
export function reportDangerousSettings(io: AnyServer, warnings: readonly StartupWarning[]): void {
  const settings = settingsOfServer(io);
  for (const warning of warnings) {
    console.warn(`[portcullis] ${warning.code}: ${warning.message}`);
    settings.bus.emit({
      type: 'warning',
      at: settings.now(),
      ip: '',
      guard: 'startup-check',
      detail: { check: warning.code, message: warning.message },
    });
  }
}
