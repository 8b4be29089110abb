import type { Outcome } from '../report';
import { codeOf } from '../wire/ack-shape';
import type { Answer } from '../wire/await-answer';
import type { Handshake } from '../wire/probe-socket';
import { clip, isPortcullisCode } from './codes';

/** The `code` of a JSON refusal body (`{"code":"ORIGIN_REJECTED",…}`), if it is one. */
function bodyCode(body: string): string | undefined {
  try {
    return codeOf(JSON.parse(body) as unknown);
  } catch {
    return undefined;
  }
}

/** A network error that means nothing is listening, rather than a door slammed. */
export function isUnreachable(handshake: Handshake): boolean {
  return (
    handshake.kind === 'network-error' &&
    /ECONNREFUSED|EHOSTUNREACH|ENETUNREACH|ETIMEDOUT|ENOTFOUND/.test(handshake.message)
  );
}

/**
 * The code a handshake answer named, in the server's words: `err.data.code`, else a
 * code-like `connect_error` message (`UNAUTHORIZED`), else a refusal body's `code`.
 */
export function handshakeCode(handshake: Handshake): string | undefined {
  if (handshake.kind === 'refused') return handshake.code ?? codeOf(handshake.message);
  if (handshake.kind === 'http-refused') return bodyCode(handshake.body);
  return undefined;
}

/** `connected`, `AUTH_REQUIRED`, `connect_error 'UNAUTHORIZED'`, `HTTP 403`, `closed 1006`… */
export function describeHandshake(handshake: Handshake): string {
  switch (handshake.kind) {
    case 'connected':
      return 'connected';
    case 'upgraded':
      return 'upgraded';
    case 'refused': {
      if (isPortcullisCode(handshake.code)) return handshake.code;
      const said = handshake.code ?? handshake.message;
      return said === '' ? 'connect_error' : `connect_error '${clip(said)}'`;
    }
    case 'http-refused': {
      const code = bodyCode(handshake.body);
      return `HTTP ${handshake.status}${code === undefined ? '' : ` ${clip(code)}`}`;
    }
    case 'closed':
      return `closed ${handshake.closeCode}`;
    case 'timeout':
      return 'no answer (timeout)';
    case 'network-error':
      return isUnreachable(handshake)
        ? `unreachable (${clip(handshake.message, 30)})`
        : `dropped (${clip(handshake.message, 30)})`;
  }
}

/** What the server did with a handshake, as observed. */
export function handshakeOutcome(handshake: Handshake): Outcome {
  switch (handshake.kind) {
    case 'connected':
    case 'upgraded':
      return 'connected';
    case 'refused':
    case 'http-refused':
      return 'refused';
    case 'closed':
      return 'disconnected';
    case 'timeout':
      return 'timeout';
    case 'network-error':
      return isUnreachable(handshake) ? 'timeout' : 'disconnected';
  }
}

/** `acked`, `VALIDATION_FAILED`, `ack error 'VALIDATION_ERROR'`, `closed 1009`, `no answer (timeout)`… */
export function describeAnswer(answer: Answer): string {
  switch (answer.kind) {
    case 'acked':
      return 'acked';
    case 'refused': {
      if (isPortcullisCode(answer.code)) return answer.code;
      const code = answer.code === undefined ? '' : ` '${clip(answer.code)}'`;
      if (answer.via === 'ack') return `ack error${code || ' (no code)'}`;
      if (answer.via === 'disconnect event') return `disconnect event${code}`;
      return `'${clip(answer.via.event, 24)}' event${code}`;
    }
    case 'closed':
      return answer.closeCode === undefined ? 'disconnected' : `closed ${answer.closeCode}`;
    case 'silent':
      return 'no answer (timeout)';
  }
}

/** What the server did with a packet, as observed. */
export function answerOutcome(answer: Answer): Outcome {
  switch (answer.kind) {
    case 'acked':
      return 'acked';
    case 'refused':
      if (answer.via === 'ack') return 'refused-ack';
      return answer.via === 'disconnect event' ? 'disconnected' : 'refused';
    case 'closed':
      return 'disconnected';
    case 'silent':
      return 'timeout';
  }
}
