import {
  GuardError,
  handshakeGuard,
  type HandshakeMiddleware,
  type TrustedProxies,
} from '@portcullis/core';
import type { IncomingMessage } from 'node:http';
import { cameOverTls } from './security-headers';

/**
 * Refuses handshakes that did not come over TLS (directly, or via a trusted proxy's
 * `X-Forwarded-Proto`). Tokens and cookies sent in clear text can be read by anyone on
 * the path; in production nothing should connect over plain `ws://`.
 */
export function requireTlsGuard(trusted: TrustedProxies): HandshakeMiddleware {
  return handshakeGuard('transport', (socket) => {
    const request = socket.request as IncomingMessage;
    if (cameOverTls(request, trusted)) return undefined;
    return new GuardError('FORBIDDEN', {
      message: 'This server accepts secure connections only (https/wss).',
    });
  });
}
