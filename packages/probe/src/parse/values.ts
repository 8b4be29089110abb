/** A bad option: the message says how to fix it. */
export class ProbeOptionsError extends TypeError {
  override readonly name = 'ProbeOptionsError';
}

export function fail(message: string): never {
  throw new ProbeOptionsError(message);
}

export function boundedInteger(
  name: string,
  value: number | undefined,
  fallback: number,
  min: number,
  max: number,
): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < min || value > max) {
    fail(`${name} must be a whole number from ${min} to ${max} (got ${String(value)}).`);
  }
  return value;
}

export function parseHttpUrl(name: string, value: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    fail(`${name} must be an absolute URL such as http://127.0.0.1:3000 (got "${value}").`);
  }
  const protocols: Record<string, string> = {
    'http:': 'http:',
    'https:': 'https:',
    'ws:': 'http:',
    'wss:': 'https:',
  };
  const protocol = protocols[url.protocol];
  if (protocol === undefined)
    fail(`${name} must use http, https, ws or wss (got ${url.protocol}).`);
  if (url.username !== '' || url.password !== '') {
    fail(`${name} must not carry credentials; pass the token with token / --token.`);
  }
  const normalized = new URL(url.href.replace(/^[a-z]+:/i, protocol));
  return normalized;
}

export function parseOrigin(name: string, value: string): string {
  if (value === 'null') fail(`${name} must be a real origin; the probe sends "null" itself.`);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    fail(`${name} must be an origin such as https://app.example.com (got "${value}").`);
  }
  if (url.origin === 'null' || `${url.origin}/` !== url.href.replace(/\/?$/, '/')) {
    fail(`${name} must be an origin only: scheme, host and port, no path (got "${value}").`);
  }
  return url.origin;
}

/** A URL or a path on the probed host; another host is refused. */
export function sameHostUrl(name: string, value: string | undefined, target: URL): URL | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.length === 0) fail(`${name} must be a URL or a path.`);
  const url = value.startsWith('/') ? new URL(value, target.origin) : parseHttpUrl(name, value);
  if (url.hostname !== target.hostname) {
    fail(
      `${name} must be on the probed host ${target.hostname} (got ${url.hostname}): the probe talks to that host only.`,
    );
  }
  return url;
}

/** A non-empty string, or `undefined` when not given. */
export function optionalString(name: string, value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.length === 0) fail(`${name} must be a non-empty string.`);
  return value;
}
