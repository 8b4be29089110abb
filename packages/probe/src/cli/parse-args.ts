import { parseArgs } from 'node:util';
import { ProbeOptionsError, type CheckSelector, type ProbeOptions } from '../options';

export type CliCommand = { kind: 'help' } | { kind: 'probe'; options: ProbeOptions; json: boolean };

function integer(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value))
    throw new ProbeOptionsError(`--${name} must be a whole number (got "${value}").`);
  return Number(value);
}

function json(name: string, value: string | undefined): unknown {
  if (value === undefined) return undefined;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    throw new ProbeOptionsError(`--${name} must be JSON, e.g. '{"text":"hi"}' (got ${value}).`);
  }
}

function list(value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  return value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item.length > 0);
}

/** Reads the command line; the options themselves are checked by `runProbe`. */
export function parseCliArgs(argv: readonly string[], env: NodeJS.ProcessEnv): CliCommand {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        origin: { type: 'string' },
        'foreign-origin': { type: 'string' },
        path: { type: 'string' },
        namespace: { type: 'string' },
        token: { type: 'string' },
        'hs256-secret': { type: 'string' },
        claims: { type: 'string' },
        'expired-token': { type: 'string' },
        event: { type: 'string' },
        payload: { type: 'string' },
        'room-field': { type: 'string' },
        'replay-event': { type: 'string' },
        'replay-payload': { type: 'string' },
        'replay-id-field': { type: 'string' },
        'replay-time-field': { type: 'string' },
        'flood-count': { type: 'string' },
        'flood-seconds': { type: 'string' },
        'oversize-bytes': { type: 'string' },
        'mutation-count': { type: 'string' },
        namespaces: { type: 'string' },
        'sanitized-fields': { type: 'string' },
        'sanitized-event': { type: 'string' },
        'sanitized-payload': { type: 'string' },
        'markup-bytes': { type: 'string' },
        'markup-delay-ms': { type: 'string' },
        'logout-url': { type: 'string' },
        'login-url': { type: 'string' },
        'login-body': { type: 'string' },
        sessions: { type: 'string' },
        only: { type: 'string' },
        skip: { type: 'string' },
        'timeout-ms': { type: 'string' },
        'max-connections': { type: 'string' },
        json: { type: 'boolean' },
        'i-own-this-host': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    throw new ProbeOptionsError(error instanceof Error ? error.message : String(error));
  }
  const { values, positionals } = parsed;
  if (values.help === true) return { kind: 'help' };
  if (positionals.length !== 1) {
    throw new ProbeOptionsError(
      positionals.length === 0
        ? 'give the URL of your Socket.io server, e.g. npx @portcullis/probe http://127.0.0.1:3000'
        : `one URL only (got ${positionals.join(' ')})`,
    );
  }
  const claims = json('claims', values.claims);
  if (
    claims !== undefined &&
    (typeof claims !== 'object' || claims === null || Array.isArray(claims))
  ) {
    throw new ProbeOptionsError(
      '--claims must be a JSON object, e.g. \'{"sub":"probe","roles":["member"]}\'.',
    );
  }
  const entries: Partial<ProbeOptions> = {
    origin: values.origin,
    foreignOrigin: values['foreign-origin'],
    path: values.path,
    namespace: values.namespace,
    token: values.token ?? env.PORTCULLIS_PROBE_TOKEN,
    hs256Secret: values['hs256-secret'] ?? env.PORTCULLIS_PROBE_HS256_SECRET,
    claims: claims as Record<string, unknown> | undefined,
    expiredToken: values['expired-token'],
    event: values.event,
    payload: json('payload', values.payload),
    roomField: values['room-field'],
    replayEvent: values['replay-event'],
    replayPayload: json('replay-payload', values['replay-payload']),
    replayIdField: values['replay-id-field'],
    replayTimeField: values['replay-time-field'],
    floodCount: integer('flood-count', values['flood-count']),
    floodSeconds: integer('flood-seconds', values['flood-seconds']),
    oversizeBytes: integer('oversize-bytes', values['oversize-bytes']),
    mutationCount: integer('mutation-count', values['mutation-count']),
    logoutUrl: values['logout-url'],
    loginUrl: values['login-url'],
    loginBody: json('login-body', values['login-body']),
    sessions: integer('sessions', values.sessions),
    namespaces: list(values.namespaces),
    sanitizedFields: list(values['sanitized-fields']),
    sanitizedEvent: values['sanitized-event'],
    sanitizedPayload: json('sanitized-payload', values['sanitized-payload']),
    markupBytes: integer('markup-bytes', values['markup-bytes']),
    markupDelayMs: integer('markup-delay-ms', values['markup-delay-ms']),
    only: list(values.only) as CheckSelector[] | undefined,
    skip: list(values.skip) as CheckSelector[] | undefined,
    timeoutMs: integer('timeout-ms', values['timeout-ms']),
    maxConnections: integer('max-connections', values['max-connections']),
    iOwnThisHost: values['i-own-this-host'],
  };
  // Absent flags stay absent, so the defaults of runProbe apply.
  const options = Object.fromEntries(
    Object.entries(entries).filter(([, value]) => value !== undefined && value !== ''),
  ) as Partial<ProbeOptions>;
  return {
    kind: 'probe',
    options: { ...options, url: positionals[0] as string },
    json: values.json === true,
  };
}
