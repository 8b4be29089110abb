import { TrustedProxies, type TrustedProxy } from './client-ip';
import { securityEvents, type SecurityEventBus } from './events';
import { resolveEscalation, setEscalation, type EscalationOptions } from './escalation';
import { sharedState } from './shared-state';
import type { AnyServer, AnySocket } from './socket-types';

/** Settings every guard on one Socket.io server shares. */
export interface CoreOptions {
  /**
   * Proxies whose `X-Forwarded-For` is believed: addresses, CIDRs, `loopback`,
   * `private`. Default: none, so the peer address of the TCP connection is the client.
   */
  trustedProxies?: readonly TrustedProxy[];
  /** Event a refused packet without an ack is answered on. Default `portcullis:error`. */
  errorEvent?: string;
  /** Event sent before a server-initiated disconnect. Default `portcullis:disconnect`. */
  disconnectEvent?: string;
  /** Where security events go. Default: the process-wide `securityEvents` bus. */
  bus?: SecurityEventBus;
  /** Clock in epoch milliseconds, for tests. Default `Date.now`. */
  now?: () => number;
  /**
   * When refusals cut a socket: every guard's refusals count, weighted by code.
   * Default 50 within 10 s (`PAYLOAD_TOO_LARGE` weighs 5); `false` never cuts.
   */
  escalation?: EscalationOptions | false;
}

export interface CoreSettings {
  readonly trustedProxies: TrustedProxies;
  readonly errorEvent: string;
  readonly disconnectEvent: string;
  readonly bus: SecurityEventBus;
  readonly now: () => number;
}

export const DEFAULT_ERROR_EVENT = 'portcullis:error';
export const DEFAULT_DISCONNECT_EVENT = 'portcullis:disconnect';

const settingsByServer = sharedState.settingsByServer as WeakMap<object, CoreSettings>;

function checkEventName(name: string, option: string): string {
  if (typeof name !== 'string' || name.length === 0) {
    throw new TypeError(`${option} must be a non-empty string.`);
  }
  return name;
}

/** Validates options once and returns the settings guards read on the hot path. */
export function resolveCoreOptions(options: Readonly<CoreOptions> = {}): CoreSettings {
  return {
    trustedProxies: new TrustedProxies(options.trustedProxies ?? []),
    errorEvent: checkEventName(options.errorEvent ?? DEFAULT_ERROR_EVENT, 'errorEvent'),
    disconnectEvent: checkEventName(
      options.disconnectEvent ?? DEFAULT_DISCONNECT_EVENT,
      'disconnectEvent',
    ),
    bus: options.bus ?? securityEvents,
    now: options.now ?? Date.now,
  };
}

const DEFAULT_SETTINGS = resolveCoreOptions();

/**
 * Sets the shared settings for one server. Call it before the first connection; every
 * guard on that server reads them. Calling it again replaces them.
 */
export function configurePortcullis(
  io: AnyServer,
  options: Readonly<CoreOptions> = {},
): CoreSettings {
  const settings = resolveCoreOptions(options);
  settingsByServer.set(io, settings);
  setEscalation(io, resolveEscalation(options.escalation ?? {}));
  return settings;
}

/** The settings of the server a socket belongs to (defaults when never configured). */
export function settingsOf(socket: AnySocket): CoreSettings {
  return settingsByServer.get(socket.nsp.server) ?? DEFAULT_SETTINGS;
}

/** The settings of a server (defaults when never configured). */
export function settingsOfServer(io: AnyServer): CoreSettings {
  return settingsByServer.get(io) ?? DEFAULT_SETTINGS;
}
