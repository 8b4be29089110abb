/** Small helpers for the JSON endpoints of `node:http`. */

export function sendJson(response, status, body, headers = {}) {
  const payload = JSON.stringify(body);
  response.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(payload),
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
    ...headers,
  });
  response.end(payload);
}

export function sendStatus(response, status, headers = {}) {
  response.writeHead(status, { 'Cache-Control': 'no-store', ...headers });
  response.end();
}

/**
 * The request's JSON body, at most `maxBytes`; `undefined` when it is missing, too
 * large, not JSON or not sent as JSON (so a cross-site HTML form cannot post it).
 */
export function readJsonBody(request, maxBytes = 1024) {
  const type = request.headers['content-type'] ?? '';
  if (!/^application\/json\b/i.test(type)) return Promise.resolve(undefined);
  return new Promise((resolve) => {
    const chunks = [];
    let size = 0;
    request.on('data', (chunk) => {
      size += chunk.length;
      if (size > maxBytes) {
        resolve(undefined);
        request.destroy();
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => {
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      } catch {
        resolve(undefined);
      }
    });
    request.on('error', () => resolve(undefined));
  });
}
