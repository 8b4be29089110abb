import type { SecurityEvent } from '@portcullis/core';

/**
 * The parts of `prom-client` we use, typed structurally so this package does not load
 * prom-client itself: pass the module you already have (`import * as client from
 * 'prom-client'`), so the metrics land in your registry.
 */
interface MetricConfig {
  name: string;
  help: string;
  labelNames?: string[];
  // `never[]` so prom-client's `Registry[]` accepts it; the registry is the user's own.
  registers?: never[];
}
interface CounterLike {
  inc(labels: Record<string, string>, value?: number): void;
}
interface GaugeLike {
  inc(value?: number): void;
  dec(value?: number): void;
}
export interface PromClientLike {
  Counter: new (config: MetricConfig) => CounterLike;
  Gauge: new (config: MetricConfig) => GaugeLike;
}

export interface PrometheusSinkOptions {
  /** Registry to register into. Default: prom-client's global registry. */
  registry?: unknown;
  /** Metric name prefix. Default `portcullis_`. */
  prefix?: string;
}

/**
 * Counters and a gauge for the security-event bus:
 * - `<prefix>security_events_total{type,code,guard}`
 * - `<prefix>refusals_total{guard,code,stage}` (stage: handshake | packet)
 * - `<prefix>forced_disconnects_total{code}`
 * - `<prefix>revocations_total` (forced disconnects with `SESSION_REVOKED`)
 * - `<prefix>connections` (live connections seen by this process)
 * Labels hold codes and guard names only, never addresses or user ids: bounded
 * cardinality, nothing personal in metrics.
 */
export function prometheusSink(
  client: PromClientLike,
  options: PrometheusSinkOptions = {},
): (event: SecurityEvent) => void {
  const prefix = options.prefix ?? 'portcullis_';
  if (!/^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(prefix)) {
    throw new TypeError(`prometheusSink: prefix "${prefix}" is not a valid metric name prefix.`);
  }
  const registers = options.registry === undefined ? undefined : ([options.registry] as never[]);
  const withRegisters = (config: MetricConfig): MetricConfig =>
    registers === undefined ? config : { ...config, registers };
  const events = new client.Counter(
    withRegisters({
      name: `${prefix}security_events_total`,
      help: 'Security events by type, code and guard.',
      labelNames: ['type', 'code', 'guard'],
    }),
  );
  const refusals = new client.Counter(
    withRegisters({
      name: `${prefix}refusals_total`,
      help: 'Refused handshakes and packets by guard and code.',
      labelNames: ['guard', 'code', 'stage'],
    }),
  );
  const forced = new client.Counter(
    withRegisters({
      name: `${prefix}forced_disconnects_total`,
      help: 'Sockets the server cut, by code.',
      labelNames: ['code'],
    }),
  );
  const revocations = new client.Counter(
    withRegisters({ name: `${prefix}revocations_total`, help: 'Sockets cut by a revocation.' }),
  );
  const connections = new client.Gauge(
    withRegisters({ name: `${prefix}connections`, help: 'Live connections on this process.' }),
  );
  return function countForPrometheus(event) {
    const code = event.code ?? '';
    const guard = event.guard ?? '';
    events.inc({ type: event.type, code, guard });
    switch (event.type) {
      case 'handshake_refused':
        refusals.inc({ guard, code, stage: 'handshake' });
        break;
      case 'packet_refused':
        refusals.inc({ guard, code, stage: 'packet' });
        break;
      case 'forced_disconnect':
        forced.inc({ code });
        if (event.code === 'SESSION_REVOKED') revocations.inc({});
        break;
      case 'connection':
        connections.inc();
        break;
      case 'disconnection':
        connections.dec();
        break;
      default:
        break;
    }
  };
}
