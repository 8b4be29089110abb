import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sendStatus } from './http-io.mjs';

const PUBLIC_DIR = fileURLToPath(new URL('../public/', import.meta.url));

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
};

const packageDir = (name) => dirname(fileURLToPath(import.meta.resolve(`${name}/package.json`)));

/**
 * Bare imports in the packages' ES modules, and the URLs the page loads them from: what
 * an import map would say. An inline import map would need an exception in the page's
 * Content-Security-Policy, so the few such imports are rewritten as the file is served.
 */
const BARE_IMPORTS = { dompurify: '/vendor/dompurify/purify.es.mjs' };

function resolveBareImports(source) {
  let text = source.toString('utf8');
  for (const [name, url] of Object.entries(BARE_IMPORTS)) {
    text = text.replaceAll(`from "${name}"`, `from "${url}"`);
  }
  return Buffer.from(text);
}

/**
 * URL prefixes and the folders they serve. The page loads the browser builds of
 * socket.io-client, @portcullis/client and DOMPurify (which `@portcullis/client/render`
 * runs) from here: no bundler, no CDN.
 */
function mounts() {
  const clientDist = join(packageDir('@portcullis/client'), 'dist');
  if (!existsSync(join(clientDist, 'index.js'))) {
    throw new Error(
      `${join(clientDist, 'index.js')} is missing: build the workspace first (corepack pnpm build).`,
    );
  }
  return [
    { prefix: '/vendor/socket.io/', dir: join(packageDir('socket.io-client'), 'dist') },
    { prefix: '/vendor/portcullis-client/', dir: clientDist, rewrite: resolveBareImports },
    // dompurify exports no package.json: its entry point is in dist/ already.
    { prefix: '/vendor/dompurify/', dir: dirname(fileURLToPath(import.meta.resolve('dompurify'))) },
    { prefix: '/', dir: PUBLIC_DIR },
  ];
}

/**
 * The page's Content-Security-Policy: scripts and styles from this origin only (no
 * inline script, no eval), sockets only to the allowed origins, no plugins, no framing.
 * A message that slipped markup past every other defence still could not run.
 */
export function pagePolicy(origins) {
  const sockets = origins.flatMap((origin) => [origin, origin.replace(/^http/, 'ws')]);
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self'",
    `connect-src 'self' ${sockets.join(' ')}`,
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

export function createStaticFiles({ origins }) {
  const served = mounts();
  const headers = {
    'Content-Security-Policy': pagePolicy(origins),
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
  };

  /** Answers GET/HEAD for files under the mounts; `false` when nothing matches. */
  return async function serveStatic(request, response) {
    if (request.method !== 'GET' && request.method !== 'HEAD') return false;
    let path;
    try {
      path = decodeURIComponent((request.url ?? '/').split('?')[0]);
    } catch {
      return false;
    }
    if (path === '/') path = '/index.html';
    const mount = served.find(({ prefix }) => path.startsWith(prefix));
    const type = TYPES[extname(path)];
    if (mount === undefined || type === undefined || path.includes('\0')) return false;
    const file = resolve(mount.dir, `.${path.slice(mount.prefix.length - 1)}`);
    // Never outside the mounted folder, whatever `..` or encoded separators the URL holds.
    if (!file.startsWith(mount.dir.endsWith(sep) ? mount.dir : mount.dir + sep)) return false;
    let body;
    try {
      body = await readFile(file);
    } catch {
      return false;
    }
    if (mount.rewrite !== undefined && type.startsWith('text/javascript')) {
      body = mount.rewrite(body);
    }
    response.writeHead(200, {
      ...headers,
      'Content-Type': type,
      'Content-Length': body.length,
      'Cache-Control': 'no-cache',
    });
    response.end(request.method === 'HEAD' ? undefined : body);
    return true;
  };
}

export const notFound = (response) => sendStatus(response, 404);
