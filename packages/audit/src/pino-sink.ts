import type { SecurityEvent } from '@portcullis/core';
import { redactEvent } from './redact';

/** The part of a pino logger we call; any logger with this shape works. */
export interface PinoLike {
  info(object: object, message?: string): void;
  warn(object: object, message?: string): void;
}

const WARN_TYPES: ReadonlySet<SecurityEvent['type']> = new Set([
  'handshake_refused',
  'packet_refused',
  'forced_disconnect',
  'suspicious',
  'warning',
]);

export interface PinoSinkOptions {
  /** Message on every line. Default `'portcullis security event'`. */
  message?: string;
}

/**
 * Logs refusals, forced disconnects, suspicious patterns and warnings at `warn`, and
 * connections, disconnections and dry-run findings at `info`, each redacted.
 */
export function pinoSink(
  logger: PinoLike,
  options: PinoSinkOptions = {},
): (event: SecurityEvent) => void {
  const message = options.message ?? 'portcullis security event';
  return function logWithPino(event) {
    const entry = { portcullis: redactEvent(event) };
    if (WARN_TYPES.has(event.type)) logger.warn(entry, message);
    else logger.info(entry, message);
  };
}
