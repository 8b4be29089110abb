export { audit, type AuditOptions } from './audit';
export { jsonLinesSink, type WritableLike } from './json-lines-sink';
export { pinoSink, type PinoLike, type PinoSinkOptions } from './pino-sink';
export { prometheusSink, type PromClientLike, type PrometheusSinkOptions } from './prometheus-sink';
export {
  detectSuspiciousActivity,
  type SuspiciousActivityOptions,
  type Threshold,
} from './suspicious';
export { redactEvent, redactText, REDACTED, type RedactedEvent } from './redact';
export { auditOptionsSpec, suspiciousActivityOptionsSpec } from './options';
