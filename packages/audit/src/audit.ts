import {
  checkOptions,
  securityEvents,
  type SecurityEventBus,
  type SecurityEventListener,
} from '@portcullis/core';
import { auditOptionsSpec } from './options';
import { detectSuspiciousActivity, type SuspiciousActivityOptions } from './suspicious';

export interface AuditOptions {
  /** The bus to read. Default: core's process-wide `securityEvents`. */
  bus?: SecurityEventBus;
  /** Sinks: `jsonLinesSink(...)`, `pinoSink(...)`, `prometheusSink(...)`, or your own. */
  sinks: readonly SecurityEventListener[];
  /** Pattern detection; `false` turns it off. Default: on with its default thresholds. */
  suspicious?: SuspiciousActivityOptions | false;
}

/**
 * Connects sinks (and the suspicious-pattern detector) to a security-event bus.
 * Returns a function that disconnects them all. A sink that throws is isolated by the
 * bus: the guards and the other sinks carry on.
 */
export function audit(options: AuditOptions): () => void {
  checkOptions(auditOptionsSpec, options, 'audit');
  const bus = options.bus ?? securityEvents;
  const stops = options.sinks.map((sink) => bus.on(sink));
  if (options.suspicious !== false) stops.push(detectSuspiciousActivity(bus, options.suspicious));
  return function stopAudit() {
    for (const stop of stops) stop();
  };
}
