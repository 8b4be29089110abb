import { checkOptions, opt, type AnyServer, type OptionSpec } from '@portcullis/core';

/** One finding of the start-up check. */
export interface RecoveryFinding {
  readonly code: 'PORTCULLIS_RECOVERY_SKIPS_MIDDLEWARES';
  readonly message: string;
}

export interface RecoveryCheckOptions {
  /** Where findings go. Default: `process.emitWarning(message, { code })`. */
  warn?: (finding: RecoveryFinding) => void;
}

/** Every option `checkConnectionStateRecovery` takes. */
export const checkConnectionStateRecoveryOptionsSpec: OptionSpec = opt.object({
  warn: opt.func(),
});

interface RecoverySettings {
  skipMiddlewares?: boolean;
}

/**
 * Start-up check: with connection state recovery on, Socket.io restores a socket that
 * reconnects within `maxDisconnectionDuration` WITHOUT running the `io.use` middlewares
 * (`skipMiddlewares` is `true` unless set to `false`; see the Server constructor of
 * socket.io 4.8, which fills that default in). Authentication, origin, rate and
 * connection limits then never see the returning socket; session-expiry, logout-revoke
 * and idle-timeout re-check it, the other guards do not.
 *
 * Returns the findings (empty when all is well) and reports each through `warn`.
 */
export function checkConnectionStateRecovery(
  io: AnyServer,
  options: RecoveryCheckOptions = {},
): RecoveryFinding[] {
  checkOptions(checkConnectionStateRecoveryOptionsSpec, options, 'checkConnectionStateRecovery');
  const recovery = io._opts.connectionStateRecovery as RecoverySettings | undefined;
  if (recovery === undefined || recovery.skipMiddlewares === false) return [];
  const finding: RecoveryFinding = {
    code: 'PORTCULLIS_RECOVERY_SKIPS_MIDDLEWARES',
    message:
      'connectionStateRecovery is on with skipMiddlewares: true (the default): recovered ' +
      'sockets skip every io.use guard (authentication, origin, rate and connection ' +
      'limits). Set connectionStateRecovery: { skipMiddlewares: false } so they run again.',
  };
  const warn =
    options.warn ??
    ((found: RecoveryFinding) => process.emitWarning(found.message, { code: found.code }));
  warn(finding);
  return [finding];
}
